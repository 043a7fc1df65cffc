"""Section 1, background (背景与现状分析): where the branch stands today."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankplan.lib import figures

from ..models import Direction
from .base import (
    Derived,
    Given,
    RowForm,
    Section,
    SectionContent,
    SectionForm,
    Table,
    long_text,
    row_formset,
    row_text,
    share_field,
)
from .describe import Kind
from .kpi_rows import KpiRow, KpiRowForm, KpiRowFormSet


class BranchType(models.TextChoices):
    URBAN = "urban", _("Urban")
    COUNTY = "county", _("County")
    RURAL = "rural", _("Rural")


class Background(SectionContent):
    BranchType = BranchType

    location = models.CharField(_("location"), max_length=200, blank=True)
    branch_type = models.CharField(
        _("branch type"), max_length=10, choices=BranchType.choices, blank=True
    )
    outlets = models.PositiveSmallIntegerField(_("outlets run"), null=True, blank=True)
    self_service_areas = models.PositiveSmallIntegerField(
        _("self-service areas"), null=True, blank=True
    )
    headcount = models.PositiveSmallIntegerField(_("headcount"), null=True, blank=True)
    local_economy = long_text(
        _("local economy"),
        blank=True,
        help_text=_("Main industries, income levels, urban–rural split, notable projects."),
    )
    customer_trends = long_text(
        _("customer trends"),
        blank=True,
        help_text=_("How customers' needs and habits are changing, e.g. the move to mobile."),
    )

    class Meta:
        verbose_name = _("background")
        verbose_name_plural = _("backgrounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(branch_type__in=["", *BranchType.values]),
                name="background_branch_type_valid",
            ),
        ]


class LastYearResult(KpiRow):
    """Last year's target and actual for one catalogue KPI."""

    background = models.ForeignKey(
        Background, on_delete=models.CASCADE, related_name="results", verbose_name=_("background")
    )
    last_target = models.DecimalField(
        _("last year's target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    last_actual = models.DecimalField(
        _("last year's actual"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("last year's result")
        verbose_name_plural = _("last year's results")
        constraints = [
            models.UniqueConstraint(fields=["background", "kpi"], name="one_result_per_kpi"),
        ]

    def __str__(self):
        return str(self.kpi)


def achievement(target: Decimal | None, actual: Decimal | None, direction: str) -> Decimal | None:
    """Actual as a percentage of target. None for a lower-is-better KPI such as the NPL
    ratio, where doing better than the target means a smaller figure."""
    if direction != Direction.HIGHER or not target or actual is None:
        return None
    return actual / target * 100


def _stored(values: dict, name: str) -> Decimal | None:
    """A figure of a row's values as a snapshot stores them (text)."""
    try:
        return Decimal(values[name]) if values.get(name) not in (None, "") else None
    except (InvalidOperation, TypeError):
        return None


def stored_achievement(values: dict, kpi: dict | None) -> Decimal | None:
    """The achievement column of a results table as stored in a snapshot."""
    direction = kpi.get("direction", "") if kpi else ""
    return achievement(_stored(values, "last_target"), _stored(values, "last_actual"), direction)


def results_from_last_year(plan) -> list[LastYearResult]:
    """Rolling a plan forward (``Table.roll_forward``): last year's targets, as approved,
    are what this year's results are measured against; the actuals are the author's (or
    the bank's official figures) to fill in, as they were not known when it was approved."""
    return [
        LastYearResult(kpi=row.kpi, last_target=row.target) for row in plan.products.targets.all()
    ]


def official_actuals(plan) -> dict[int, Decimal]:
    """KPI id -> last year's official actual of the plan's branch, as head office imported
    it from the bank's systems (kept apart from what the branch typed). One query."""
    # The actuals app builds on this one's models: imported when first asked, not at load.
    from bankplan.actuals.official import of_plan

    return of_plan(plan)


def stored_official(values: dict, kpi: dict | None) -> Decimal | None:
    """The official actual a version kept beside the row (older versions have none)."""
    return _stored(values, "official")


def stored_difference(values: dict, kpi: dict | None) -> Decimal | None:
    """What the branch typed less the official figure, where they differ."""
    typed, official = _stored(values, "last_actual"), _stored(values, "official")
    if typed is None or official is None or typed == official:
        return None
    return typed - official


class CompetitorType(models.TextChoices):
    STATE_OWNED = "state_owned", _("State-owned bank")
    JOINT_STOCK = "joint_stock", _("Joint-stock bank")
    CITY_COMMERCIAL = "city_commercial", _("City commercial bank")
    RURAL = "rural", _("Rural credit cooperative / rural commercial bank")
    POSTAL = "postal", _("Postal savings bank")
    FOREIGN = "foreign", _("Foreign bank")
    INTERNET = "internet", _("Internet finance")


class Competitor(models.Model):
    Type = CompetitorType

    background = models.ForeignKey(
        Background,
        on_delete=models.CASCADE,
        related_name="competitors",
        verbose_name=_("background"),
    )
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    share = share_field(_("estimated share (%)"), null=True, blank=True)
    strengths = row_text(_("strengths"), blank=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=CompetitorType.values), name="competitor_type_valid"
            ),
        ]

    def __str__(self):
        return self.name


class BackgroundForm(SectionForm):
    class Meta:
        model = Background
        fields = [
            "location",
            "branch_type",
            "outlets",
            "self_service_areas",
            "headcount",
            "local_economy",
            "customer_trends",
        ]
        widgets = {
            "local_economy": forms.Textarea(attrs={"rows": 5}),
            "customer_trends": forms.Textarea(attrs={"rows": 4}),
        }


class LastYearResultForm(KpiRowForm):
    class Meta:
        model = LastYearResult
        fields = ["kpi", "last_target", "last_actual"]

    def __init__(self, *args, official=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.official = official or {}

    @property
    def official_actual(self) -> Decimal | None:
        """The bank's official figure, shown beside the one the branch typed."""
        kpi = getattr(self, "catalogue_kpi", None)  # set by the formset for its own rows
        return self.official.get(kpi.pk) if kpi else None

    @property
    def against_official(self) -> str:
        """How far the saved figure is from the official one ("": not at all)."""
        official, typed = self.official_actual, self.instance.last_actual
        if official is None or typed is None or typed == official:
            return ""
        difference = figures.change_in_measure(typed - official, self.catalogue_kpi.measure)
        return _("differs from the official figure by %(difference)s") % {"difference": difference}


class LastYearResultFormSet(KpiRowFormSet):
    def __init__(self, *args, instance, **kwargs):
        self.official = official_actuals(instance.plan)
        super().__init__(*args, instance=instance, **kwargs)

    def get_form_kwargs(self, index):
        return super().get_form_kwargs(index) | {"official": self.official}


class CompetitorForm(RowForm):
    class Meta:
        model = Competitor
        fields = ["name", "type", "share", "strengths"]


SECTION = Section(
    key="background",
    title=_("Background and current position"),
    model=Background,
    form=BackgroundForm,
    tables=(
        Table(
            "results",
            forms.inlineformset_factory(
                Background,
                LastYearResult,
                form=LastYearResultForm,
                formset=LastYearResultFormSet,
                can_delete=False,
                extra=0,
            ),
            _("Last year's results"),
            _("For each KPI of the catalogue: last year's target and what was achieved."),
            fixed=True,
            related=("kpi",),
            given=(Given("official", official_actuals),),
            derived=(
                Derived("achievement", _("Achievement"), Kind.SHARE, stored_achievement),
                Derived(
                    "official",
                    _("Official actual"),
                    Kind.KPI_FIGURE,
                    stored_official,
                    after="last_actual",
                    optional=True,
                ),
                Derived(
                    "against_official",
                    _("Typed less official"),
                    Kind.KPI_FIGURE,
                    stored_difference,
                    after="official",
                    optional=True,
                ),
            ),
            roll_forward=results_from_last_year,
        ),
        Table(
            "competitors",
            row_formset(Background, Competitor, CompetitorForm),
            _("Competitors nearby"),
        ),
    ),
)
