"""Section 7, incentives and constraints (激励与约束机制)."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import (
    BLANK_CHOICE_LABEL,
    NOT_NEGATIVE,
    Derived,
    RowForm,
    RowFormSet,
    Section,
    SectionContent,
    SectionForm,
    Table,
    balance_field,
    long_text,
    not_negative,
    row_formset,
    row_text,
)
from .describe import Kind
from .kpi_rows import figure_error
from .staffing import Portfolio

FULL_WEIGHT = Decimal(100)


def points_field(verbose_name, help_text, *, places: int = 1) -> models.DecimalField:
    """A figure of the scoring scheme in points: optional, never negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=places,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, NOT_NEGATIVE)],
        help_text=help_text,
    )


MAX_THRESHOLD = Decimal(200)  # an achievement threshold, in %
# (a validator formats its message with its limit: a percent sign is doubled)
THRESHOLD_RANGE = _("Enter an achievement between 0%% and 200%%.")


class Incentives(SectionContent):
    profit_measure = long_text(
        _("simulated profit"),
        blank=True,
        help_text=_("How simulated profit (模拟利润) is computed and used as the core measure."),
    )
    compliance_rules = long_text(
        _("compliance and internal-control rules"),
        blank=True,
        help_text=_("The rules no target may override: no deposit-chasing, no mis-selling …"),
    )

    class Meta:
        verbose_name = _("incentives and constraints")
        verbose_name_plural = _("incentives and constraints")


class ScorecardLine(models.Model):
    incentives = models.ForeignKey(
        Incentives, on_delete=models.CASCADE, related_name="scorecard", verbose_name=_("incentives")
    )
    kpi = models.ForeignKey(
        "plans.Kpi",
        verbose_name=_("catalogue KPI"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(
        _("other measure"),
        max_length=100,
        blank=True,
        help_text=_("Only for a measure that is not in the catalogue."),
    )
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(FULL_WEIGHT)],
    )
    scoring_rule = row_text(_("scoring rule"))
    # Paying on counts alone (accounts opened, cards issued) invites empty accounts and
    # mis-selling: the plan check flags a count without a condition on what counts.
    quality_condition = models.CharField(
        _("quality condition"),
        max_length=200,
        blank=True,
        help_text=_(
            "What makes a count count, e.g. an account active for three months with an "
            "average balance of at least 1,000 yuan."
        ),
    )
    # The scoring rule in figures, for the simulator (simulator.py); the text above stays
    # as its description. A line without points per point is "not structured".
    threshold = models.DecimalField(
        _("threshold (%)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, THRESHOLD_RANGE),
            MaxValueValidator(MAX_THRESHOLD, THRESHOLD_RANGE),
        ],
        help_text=_("Achievement below which the line scores nothing."),
    )
    points_per_point = points_field(
        _("points per point"), _("Points per percentage point of achievement."), places=2
    )
    cap = points_field(_("cap"), _("The most points the line can score."), places=1)
    floor = points_field(_("floor"), _("The fewest points once over the threshold."), places=1)

    class Meta:
        verbose_name = _("scorecard line")
        verbose_name_plural = _("KPI scorecard")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0, weight__lte=100), name="scorecard_weight_range"
            ),
            models.CheckConstraint(
                condition=models.Q(kpi__isnull=False) | ~models.Q(name=""),
                name="scorecard_line_names_a_measure",
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0, threshold__lte=MAX_THRESHOLD),
                name="scorecard_threshold_range",
            ),
            not_negative("points_per_point", "scorecard_points_per_point_not_negative"),
            not_negative("cap", "scorecard_cap_not_negative"),
            not_negative("floor", "scorecard_floor_not_negative"),
            models.CheckConstraint(
                condition=models.Q(floor__lte=models.F("cap")), name="scorecard_floor_within_cap"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.kpi.display_name if self.kpi_id else self.name


class DeductionKind(models.TextChoices):
    NPL = "npl", _("Non-performing loans")
    UNPAID_INTEREST = "unpaid_interest", _("Unpaid interest")
    COMPLIANCE = "compliance", _("Compliance breach")
    OTHER = "other", _("Other")


class Deduction(models.Model):
    Kind = DeductionKind

    incentives = models.ForeignKey(
        Incentives,
        on_delete=models.CASCADE,
        related_name="deductions",
        verbose_name=_("incentives"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    rule = row_text(_("rule"))
    deduction = models.CharField(_("deduction"), max_length=200)
    points_per_case = points_field(
        _("points per case"),
        _("Points taken per case: per 0.1 point of NPL over the limit, per breach …"),
        places=1,
    )

    class Meta:
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DeductionKind.values), name="deduction_kind_valid"
            ),
            not_negative("points_per_case", "deduction_points_per_case_not_negative"),
        ]

    def __str__(self):
        return str(self.get_kind_display())


class Reward(models.Model):
    incentives = models.ForeignKey(
        Incentives, on_delete=models.CASCADE, related_name="rewards", verbose_name=_("incentives")
    )
    name = models.CharField(_("reward"), max_length=100)
    criterion = row_text(_("criterion"))
    award = models.CharField(_("award"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class PortfolioTarget(models.Model):
    """A client manager's share of a KPI's target: what their portfolio is scored on (the
    simulator shows each portfolio's points)."""

    incentives = models.ForeignKey(
        Incentives,
        on_delete=models.CASCADE,
        related_name="portfolio_targets",
        verbose_name=_("incentives"),
    )
    # The manager by name, chosen among the portfolios of section 6 (as the task force
    # names its client managers): a key to a portfolio row would make every staffing save
    # that removes portfolios collect their targets, a query that save has no room for.
    client_manager = models.CharField(_("client manager"), max_length=50)
    kpi = models.ForeignKey(
        "plans.Kpi", verbose_name=_("catalogue KPI"), on_delete=models.PROTECT, related_name="+"
    )
    target = balance_field(_("target"))

    class Meta:
        verbose_name = _("client manager's target")
        verbose_name_plural = _("client managers' targets")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incentives", "client_manager", "kpi"],
                name="one_portfolio_target_per_kpi",
            ),
            not_negative("target", "portfolio_target_not_negative"),
        ]

    def __str__(self):
        return f"{self.client_manager} · {self.kpi}"


class IncentivesForm(SectionForm):
    class Meta:
        model = Incentives
        fields = ["profit_measure", "compliance_rules"]
        widgets = {
            "profit_measure": forms.Textarea(attrs={"rows": 3}),
            "compliance_rules": forms.Textarea(attrs={"rows": 4}),
        }


class ScorecardLineForm(RowForm):
    class Meta:
        model = ScorecardLine
        fields = [
            "kpi",
            "name",
            "weight",
            "scoring_rule",
            "quality_condition",
            "threshold",
            "points_per_point",
            "floor",
            "cap",
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("kpi") and not cleaned.get("name"):
            self.add_error(
                "name",
                forms.ValidationError(
                    _("Pick a catalogue KPI or name the measure."), code="no_measure"
                ),
            )
        floor, cap = cleaned.get("floor"), cleaned.get("cap")
        if floor is not None and cap is not None and floor > cap:
            self.add_error(
                "floor",
                forms.ValidationError(
                    _("The floor is above the cap (%(cap)s): lower it or raise the cap."),
                    code="floor_above_cap",
                    params={"cap": cap},
                ),
            )
        return cleaned


class ScorecardFormSet(RowFormSet):
    """Weights may stay under 100 while drafting (the plan is then incomplete), never above."""

    def choice_querysets(self):
        return {"kpi": self.instance.plan.cycle.kpis.all()}

    def clean(self):
        super().clean()
        total = sum(
            (form.cleaned_data.get("weight") or 0)
            for form in self.forms
            if not self._should_delete_form(form)
        )
        if total > FULL_WEIGHT:
            raise forms.ValidationError(
                _("The weights add up to %(total)s%%; they must add up to 100%%."),
                code="weights_over_100",
                params={"total": total},
            )


class DeductionForm(RowForm):
    class Meta:
        model = Deduction
        fields = ["kind", "rule", "deduction", "points_per_case"]


class RewardForm(RowForm):
    class Meta:
        model = Reward
        fields = ["name", "criterion", "award"]


class PortfolioTargetForm(RowForm):
    # One of the client managers of section 6 (the formset gives their names).
    client_manager = forms.ChoiceField(label=_("client manager"))

    class Meta:
        model = PortfolioTarget
        fields = ["client_manager", "kpi", "target"]

    def __init__(self, *args, managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = [(name, name) for name in managers]
        self.fields["client_manager"].choices = [("", BLANK_CHOICE_LABEL), *names]

    def clean(self):
        cleaned = super().clean()
        kpi, target = cleaned.get("kpi"), cleaned.get("target")
        if kpi is not None and target is not None and (error := figure_error(kpi, target)):
            self.add_error("target", error)
        return cleaned


class PortfolioTargetFormSet(RowFormSet):
    """Targets for the plan's client managers (section 6) on its KPIs."""

    def choice_querysets(self):
        return {"kpi": self.instance.plan.cycle.kpis.all()}  # the scorecard's: read once

    def get_form_kwargs(self, index):
        if not hasattr(self, "_managers"):  # one query for every row
            portfolios = Portfolio.objects.filter(staffing__plan=self.instance.plan)
            names = portfolios.order_by("pk").values_list("client_manager", flat=True)
            self._managers = list(dict.fromkeys(names))
        return super().get_form_kwargs(index) | {"managers": self._managers}


def stored_measure(values: dict, kpi: dict | None):
    """A scorecard line's measure as stored in a snapshot: its catalogue KPI (a name in
    every language), or the measure the branch named itself."""
    return values.get("kpi") or values.get("name") or None


SECTION = Section(
    key="incentives",
    title=_("Incentives and constraints"),
    model=Incentives,
    form=IncentivesForm,
    tables=(
        Table(
            "scorecard",
            row_formset(Incentives, ScorecardLine, ScorecardLineForm, ScorecardFormSet),
            _("KPI scorecard"),
            _("Weights add up to 100%."),
            related=("kpi",),
            derived=(Derived("measure", _("Measure"), Kind.LINK, stored_measure, ("kpi", "name")),),
            below="plans/includes/live_simulator.html",
        ),
        Table(
            "deductions",
            row_formset(Incentives, Deduction, DeductionForm),
            _("Deductions"),
            _("Client managers are the first line of risk defence."),
        ),
        Table(
            "rewards",
            row_formset(Incentives, Reward, RewardForm),
            _("Rewards and recognition"),
        ),
        Table(
            "portfolio_targets",
            row_formset(Incentives, PortfolioTarget, PortfolioTargetForm, PortfolioTargetFormSet),
            _("Client managers' targets"),
            _(
                "Each client manager's share of the KPI targets, for the managers listed in "
                "section 6: the simulator shows what each portfolio scores."
            ),
            related=("kpi",),
        ),
    ),
)
