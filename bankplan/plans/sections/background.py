"""Section 1, background (背景与现状分析): where the branch stands today."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..models import Direction
from .base import (
    Derived,
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


def stored_achievement(values: dict, kpi: dict | None) -> Decimal | None:
    """The achievement column of a results table as stored in a snapshot."""

    def figure(name: str) -> Decimal | None:
        try:
            return Decimal(values[name]) if values.get(name) not in (None, "") else None
        except (InvalidOperation, TypeError):
            return None

    direction = kpi.get("direction", "") if kpi else ""
    return achievement(figure("last_target"), figure("last_actual"), direction)


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
                formset=KpiRowFormSet,
                can_delete=False,
                extra=0,
            ),
            _("Last year's results"),
            _("For each KPI of the catalogue: last year's target and what was achieved."),
            fixed=True,
            related=("kpi",),
            derived=(Derived("achievement", _("Achievement"), Kind.SHARE, stored_achievement),),
        ),
        Table(
            "competitors",
            row_formset(Background, Competitor, CompetitorForm),
            _("Competitors nearby"),
        ),
    ),
)
