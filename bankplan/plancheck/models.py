"""Head office's configuration of the plan check, one per cycle: the figures rules compare
against, the severities it changed and the growth it accepts per KPI without a reason.

``config.options_for`` turns a cycle's configuration into ``engine.check``'s options.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bankplan.plans.models import Cycle, Kpi

from . import engine

# What the check uses until head office says otherwise (config.py gives them to rules).
DEFAULT_CUSTOMERS_PER_MANAGER = 400
DEFAULT_TOLERANCE = Decimal("5.0")

SEVERITY_CHOICES = [*engine.Severity.choices, (engine.OFF, _("Off"))]


def rule_choices() -> list[tuple[str, str]]:
    """Every registered rule as “CODE — what it asks”, read when a form is made, so the
    list follows the rules the app has and the language of the reader."""
    return [
        (each.code, f"{each.code} — {each.title}" if each.title else each.code)
        for each in engine.registered()
    ]


class CheckConfig(models.Model):
    """How the plan check runs on one cycle's plans."""

    cycle = models.OneToOneField(
        Cycle,
        verbose_name=_("planning cycle"),
        on_delete=models.CASCADE,
        related_name="check_config",
    )
    customers_per_manager = models.PositiveIntegerField(
        _("customers per client manager"),
        default=DEFAULT_CUSTOMERS_PER_MANAGER,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many customers one client manager can serve. A plan whose customers "
            "need more managers than it has is flagged."
        ),
    )
    tolerance = models.DecimalField(
        _("tolerance (%)"),
        max_digits=4,
        decimal_places=1,
        default=DEFAULT_TOLERANCE,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_(
            "How far, in per cent, the product targets of a KPI may add up to more or less "
            "than the KPI's business target before the check flags it."
        ),
    )

    # Not every KPI counted in customers brings a client manager a customer to serve
    # (mobile-banking sign-ups are mostly customers the branch has already).
    capacity_kpis = models.ManyToManyField(
        Kpi,
        verbose_name=_("KPIs that bring client managers customers"),
        blank=True,
        related_name="+",
        help_text=_(
            "The customer KPIs whose new customers the client managers must take on, such "
            "as new active customers. None chosen: every KPI counted in customers."
        ),
    )

    class Meta:
        verbose_name = _("plan check settings")
        verbose_name_plural = _("plan check settings")
        ordering = ["-cycle__year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(customers_per_manager__gte=1), name="check_config_customers_positive"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0), name="check_config_tolerance_not_negative"
            ),
        ]

    def __str__(self):
        return str(self.cycle)


class RuleSetting(models.Model):
    """A rule of the check made stricter, milder or switched off for the cycle."""

    config = models.ForeignKey(
        CheckConfig,
        verbose_name=_("plan check settings"),
        on_delete=models.CASCADE,
        related_name="rule_settings",
    )
    # Choices read from the registry: only a rule the app has can be set, and a new rule
    # needs no migration.
    code = models.CharField(
        _("rule"),
        max_length=20,
        choices=rule_choices,
        help_text=_("The check rule whose severity head office changes for this cycle."),
    )
    severity = models.CharField(
        _("severity"),
        max_length=10,
        choices=SEVERITY_CHOICES,
        help_text=_(
            "Blocks submission: the plan cannot be submitted until it is put right. "
            "Warning: the author and the reviewer see it, and the plan can be submitted. "
            "For information: shown as a note only. Off: the rule is not checked."
        ),
    )

    class Meta:
        verbose_name = _("rule severity")
        verbose_name_plural = _("rule severities")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["config", "code"], name="one_setting_per_rule"),
            models.CheckConstraint(
                condition=Q(severity__in=[*engine.Severity.values, engine.OFF]),
                name="rule_setting_severity_valid",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.get_severity_display()}"


class GrowthBand(models.Model):
    """The growth of this year's target over last year's actual that a KPI may plan
    without a written reason: outside [low, high] % the author must say why."""

    config = models.ForeignKey(
        CheckConfig,
        verbose_name=_("plan check settings"),
        on_delete=models.CASCADE,
        related_name="growth_bands",
    )
    # A KPI with a band is not deleted alone; its whole cycle (configuration and all) may be.
    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.RESTRICT, related_name="+")
    low = models.DecimalField(
        _("lowest growth (%)"),
        max_digits=6,
        decimal_places=1,
        help_text=_(
            "Growth over last year's actual, in per cent, below which the author must give "
            "a reason. May be negative: a fall the plan may show without one."
        ),
    )
    high = models.DecimalField(
        _("highest growth (%)"),
        max_digits=6,
        decimal_places=1,
        help_text=_(
            "Growth over last year's actual, in per cent, above which the author must give "
            "a reason."
        ),
    )

    class Meta:
        verbose_name = _("growth band")
        verbose_name_plural = _("growth bands")
        ordering = ["kpi__position", "kpi__pk"]
        constraints = [
            models.UniqueConstraint(fields=["config", "kpi"], name="one_growth_band_per_kpi"),
            models.CheckConstraint(
                condition=Q(low__lte=F("high")),
                name="growth_band_low_not_above_high",
                violation_error_message=_("The lowest growth cannot be above the highest."),
            ),
        ]

    def __str__(self):
        return f"{self.kpi}: {self.low} % – {self.high} %"

    def clean(self):
        errors = {}
        if self.low is not None and self.high is not None and self.low > self.high:
            # Said next to the field; the constraint alone would say it above the row.
            errors["low"] = _("The lowest growth cannot be above the highest.")
        # An inline row being added holds its configuration unsaved: read it, not its id.
        config = getattr(self, "config", None)
        if (
            self.kpi_id
            and config is not None
            and config.cycle_id is not None
            and self.kpi.cycle_id != config.cycle_id
        ):
            errors["kpi"] = _("Choose a KPI of this configuration's cycle.")
        if errors:
            raise ValidationError(errors)
