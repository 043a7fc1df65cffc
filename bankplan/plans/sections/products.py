"""Section 4, products and business targets (产品策略与业务目标)."""

from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankplan.lib import figures

from .background import LastYearResult
from .base import (
    Derived,
    Given,
    RowForm,
    RowFormSet,
    Section,
    SectionContent,
    SectionForm,
    Table,
    amount_field,
    balance_field,
    long_text,
    not_negative,
    row_formset,
    row_text,
)
from .describe import Kind
from .kpi_rows import KpiRow, KpiRowForm, KpiRowFormSet
from .swot import SwotStrategy, plan_strategies
from .target_market import Segment, pursued_segments

QUARTERS = ("q1", "q2", "q3", "q4")


class Products(SectionContent):
    focus = long_text(
        _("product focus"),
        blank=True,
        help_text=_("The few products that carry the year, and why."),
    )

    class Meta:
        verbose_name = _("products and targets")
        verbose_name_plural = _("products and targets")


class KpiTarget(KpiRow):
    """This year's target for one catalogue KPI and its split across the quarters."""

    products = models.ForeignKey(
        Products, on_delete=models.CASCADE, related_name="targets", verbose_name=_("products")
    )
    target = amount_field(_("this year's target"), null=True, blank=True)
    q1 = amount_field(_("Q1"), null=True, blank=True)
    q2 = amount_field(_("Q2"), null=True, blank=True)
    q3 = amount_field(_("Q3"), null=True, blank=True)
    q4 = amount_field(_("Q4"), null=True, blank=True)
    # Why the target departs from last year or from the target allocated from above:
    # the plan check asks for it when growth leaves head office's band.
    reason = row_text(
        _("reason"),
        blank=True,
        help_text=_(
            "Why, when the target falls below last year or the allocation, or grows "
            "outside the band head office set."
        ),
    )

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [
            models.UniqueConstraint(fields=["products", "kpi"], name="one_target_per_kpi"),
        ]

    def __str__(self):
        return str(self.kpi)

    @property
    def quarters(self) -> list[Decimal | None]:
        return [getattr(self, q) for q in QUARTERS]


class Category(models.TextChoices):
    DEPOSIT = "deposit", _("Deposits")
    LOAN = "loan", _("Loans")
    CARD = "card", _("Bank cards")
    WEALTH = "wealth", _("Wealth management")
    SETTLEMENT = "settlement", _("Settlement")
    E_BANKING = "e_banking", _("E-banking")
    AGENCY = "agency", _("Agency business (insurance, funds, securities)")
    CUSTODY = "custody", _("Custody")


class Promotion(models.TextChoices):
    DIRECT = "direct", _("Direct offer")
    GUIDED = "guided", _("Guided (seminars, demos, case stories)")
    TAILORED = "tailored", _("One-to-one, tailor-made")


class ProductLine(models.Model):
    Category = Category

    Promotion = Promotion

    products = models.ForeignKey(
        Products, on_delete=models.CASCADE, related_name="lines", verbose_name=_("products")
    )
    name = models.CharField(_("product"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("target segment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="product_lines",
    )
    # The catalogue KPI the product's sales count towards.
    kpi = models.ForeignKey(
        "plans.Kpi",
        verbose_name=_("KPI served"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    strategies = models.ManyToManyField(
        SwotStrategy, verbose_name=_("strategies carried out"), related_name="+", blank=True
    )
    yearly_target = balance_field(_("yearly target"), null=True, blank=True)
    target_unit = models.CharField(
        _("unit"),
        max_length=20,
        default="万元",
        help_text=_("What the target counts: 万元, 户, 张 …"),
    )
    pricing_note = row_text(_("pricing"), blank=True)
    promotion = models.CharField(
        _("promotion approach"), max_length=10, choices=Promotion.choices, blank=True
    )

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=Category.values), name="product_category_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(promotion__in=["", *Promotion.values]),
                name="product_promotion_valid",
            ),
            not_negative("yearly_target", "product_target_not_negative"),
        ]

    def __str__(self):
        return self.name


class ProductsForm(SectionForm):
    class Meta:
        model = Products
        fields = ["focus"]
        widgets = {"focus": forms.Textarea(attrs={"rows": 3})}


def allocated_targets(plan) -> dict[int, Decimal]:
    """KPI id -> the target head office or the region allocated to the plan's branch
    (指标分解). One query."""
    # Head office's models build on this app's: imported when first asked, not at load.
    from bankplan.headoffice.models import Allocation

    allocated = Allocation.objects.filter(unit=plan.branch_id, kpi__cycle=plan.cycle_id)
    return dict(allocated.values_list("kpi_id", "target"))


def _figure(values: dict, name: str) -> Decimal | None:
    try:
        return Decimal(values[name]) if values.get(name) not in (None, "") else None
    except (InvalidOperation, TypeError):
        return None


def stored_allocation(values: dict, kpi: dict | None) -> Decimal | None:
    """The allocated target a version kept beside the row (older versions have none)."""
    return _figure(values, "allocated")


def stored_gap(values: dict, kpi: dict | None) -> Decimal | None:
    """The branch's target less the one allocated to it."""
    target, allocated = _figure(values, "target"), _figure(values, "allocated")
    return None if target is None or allocated is None else target - allocated


class AllocationGap(NamedTuple):
    shown: str  # the target against the allocated one, as written
    short: bool  # it falls short in the KPI's direction


class KpiTargetForm(KpiRowForm):
    """The quarters must add up to the year (for a balance: to the year's growth)."""

    class Meta:
        model = KpiTarget
        fields = ["kpi", "target", *QUARTERS, "reason"]

    def __init__(self, *args, last_actuals=None, allocated=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_actuals = last_actuals or {}
        self.allocated = allocated or {}

    @property
    def last_year_actual(self):
        """What the author sets this year's target against (from the background section)."""
        kpi = getattr(self, "catalogue_kpi", None)  # set by the formset for its own rows
        return self.last_actuals.get(kpi.pk) if kpi else None

    @property
    def allocated_target(self) -> Decimal | None:
        """The target the level above gave the branch, shown beside its own."""
        kpi = getattr(self, "catalogue_kpi", None)
        return self.allocated.get(kpi.pk) if kpi else None

    @property
    def against_allocation(self) -> AllocationGap | None:
        """The saved target against the allocated one."""
        allocated, target = self.allocated_target, self.instance.target
        if allocated is None or target is None:
            return None
        kpi, gap = self.catalogue_kpi, target - allocated
        shown = figures.gap_in_measure(gap, kpi.measure, kpi.direction)
        return AllocationGap(shown, figures.falls_short(gap, kpi.direction))

    def clean(self):
        cleaned = super().clean()
        kpi, target = cleaned.get("kpi"), cleaned.get("target")
        quarters = [cleaned.get(q) for q in QUARTERS]
        if kpi is None or target is None or None in quarters or kpi.measure == "percent":
            return cleaned  # a ratio's quarters are checkpoints, not shares of the year
        split = sum(quarters)
        if kpi.is_balance:
            last = self.last_actuals.get(kpi.pk)
            if last is None:
                return cleaned  # cannot check the growth until last year's actual is known
            growth = target - last
            if split != growth:
                self.add_error(
                    None,
                    forms.ValidationError(
                        _(
                            "%(kpi)s: the quarters add up to %(split)s, but the year's growth is "
                            "%(growth)s (target %(target)s less last year's %(last)s)."
                        ),
                        code="quarters_mismatch",
                        params={
                            "kpi": kpi.display_name,
                            "split": figures.in_measure(split, kpi.measure),
                            "growth": figures.in_measure(growth, kpi.measure),
                            "target": figures.in_measure(target, kpi.measure),
                            "last": figures.in_measure(last, kpi.measure),
                        },
                    ),
                )
        elif split != target:
            self.add_error(
                None,
                forms.ValidationError(
                    _("%(kpi)s: the quarters add up to %(split)s, not to the year's %(target)s."),
                    code="quarters_mismatch",
                    params={
                        "kpi": kpi.display_name,
                        "split": figures.in_measure(split, kpi.measure),
                        "target": figures.in_measure(target, kpi.measure),
                    },
                ),
            )
        return cleaned


class KpiTargetFormSet(KpiRowFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["last_actuals"] = self.last_actuals
        kwargs["allocated"] = self.allocated
        return kwargs

    def __init__(self, *args, instance, **kwargs):
        results = LastYearResult.objects.filter(background__plan=instance.plan)
        self.last_actuals = dict(results.values_list("kpi_id", "last_actual"))
        self.allocated = allocated_targets(instance.plan)
        super().__init__(*args, instance=instance, **kwargs)


def targets_from_last_year(plan) -> list[KpiTarget]:
    """Rolling a plan forward (``Table.roll_forward``): this year's targets start at last
    year's, for the author to raise. The quarters and reasons are written anew: a
    balance's quarters share out the growth over an actual not yet known."""
    return [KpiTarget(kpi=row.kpi, target=row.target) for row in plan.products.targets.all()]


class ProductLineForm(RowForm):
    """The target segment is one of the segments this plan pursues, the KPI one of its
    cycle's catalogue, the strategies the plan's own SWOT strategies."""

    class Meta:
        model = ProductLine
        fields = [
            "name",
            "category",
            "segment",
            "kpi",
            "strategies",
            "yearly_target",
            "target_unit",
            "pricing_note",
            "promotion",
        ]
        widgets = {"strategies": forms.SelectMultiple(attrs={"size": 3})}


class ProductLineFormSet(RowFormSet):
    def choice_querysets(self):
        plan = self.instance.plan
        return {
            "segment": pursued_segments(plan),
            "kpi": plan.cycle.kpis.all(),  # the targets table's catalogue: read once
            "strategies": plan_strategies(plan),
        }


SECTION = Section(
    key="products",
    title=_("Products and business targets"),
    model=Products,
    form=ProductsForm,
    tables=(
        Table(
            "targets",
            forms.inlineformset_factory(
                Products,
                KpiTarget,
                form=KpiTargetForm,
                formset=KpiTargetFormSet,
                can_delete=False,
                extra=0,
            ),
            _("Business targets"),
            _(
                "This year's target for each KPI and its split across the quarters. For a "
                "year-end balance the quarters share out the growth over last year's actual."
            ),
            fixed=True,
            related=("kpi",),
            shown_as=(("reason", "note"),),  # a sentence: no room for it among the figures
            given=(Given("allocated", allocated_targets),),
            roll_forward=targets_from_last_year,
            derived=(
                Derived(
                    "allocated",
                    _("Allocated target"),
                    Kind.KPI_FIGURE,
                    stored_allocation,
                    after="target",
                    optional=True,
                ),
                Derived(
                    "against_allocation",
                    _("Against the allocation"),
                    Kind.KPI_GAP,
                    stored_gap,
                    after="allocated",
                    optional=True,
                ),
            ),
        ),
        Table(
            "lines",
            row_formset(Products, ProductLine, ProductLineForm, ProductLineFormSet),
            _("Products to push"),
            _("Target segments come from the segments pursued in section 3."),
            related=("segment", "kpi", "strategies"),
            units=(("yearly_target", "target_unit"),),
        ),
    ),
)
