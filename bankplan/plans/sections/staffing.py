"""Section 6, staffing (全员营销与客户经理): everyone sells, client managers own portfolios."""

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import (
    RowForm,
    RowFormSet,
    Section,
    SectionContent,
    SectionForm,
    Table,
    balance_field,
    long_text,
    month_field,
    not_negative,
    row_formset,
    row_text,
)
from .products import ProductLine
from .swot import SwotStrategy, plan_strategies
from .target_market import KeyAccount


class StaffRole(models.TextChoices):
    BRANCH_HEAD = "branch_head", _("Branch head")
    DEPUTY_HEAD = "deputy_head", _("Deputy branch head")
    CORPORATE_CM = "corporate_cm", _("Corporate client manager")
    RETAIL_CM = "retail_cm", _("Retail client manager")
    WEALTH_MANAGER = "wealth_manager", _("Wealth manager")
    LOBBY_MANAGER = "lobby_manager", _("Lobby manager")
    TELLER = "teller", _("Teller")
    GENERAL_TELLER = "general_teller", _("General teller")


class Staffing(SectionContent):
    approach = long_text(
        _("all-staff marketing approach"),
        blank=True,
        help_text=_("How everyone in the branch takes part in selling, and how it is tracked."),
    )

    class Meta:
        verbose_name = _("staffing")
        verbose_name_plural = _("staffing")


class RoleDuty(models.Model):
    staffing = models.ForeignKey(
        Staffing, on_delete=models.CASCADE, related_name="roles", verbose_name=_("staffing")
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    headcount = models.PositiveSmallIntegerField(_("headcount"))
    duty = row_text(_("marketing duty"), blank=True)

    class Meta:
        verbose_name = _("role and duty")
        verbose_name_plural = _("roles and duties")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["staffing", "role"], name="one_duty_per_role"),
            models.CheckConstraint(
                condition=models.Q(role__in=StaffRole.values), name="role_duty_role_valid"
            ),
        ]

    def __str__(self):
        return str(self.get_role_display())


class Portfolio(models.Model):
    staffing = models.ForeignKey(
        Staffing, on_delete=models.CASCADE, related_name="portfolios", verbose_name=_("staffing")
    )
    client_manager = models.CharField(_("client manager"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    customers = models.PositiveIntegerField(_("customers managed"), null=True, blank=True)
    balance = balance_field(_("balance managed (10k yuan)"), null=True, blank=True)

    class Meta:
        verbose_name = _("client-manager portfolio")
        verbose_name_plural = _("client-manager portfolios")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=StaffRole.values), name="portfolio_role_valid"
            ),
            not_negative("balance", "portfolio_balance_not_negative"),
        ]

    def __str__(self):
        return self.client_manager


class TaskForceTarget(models.Model):
    """A target account of the month, owned by a client manager and a sponsoring executive."""

    staffing = models.ForeignKey(
        Staffing, on_delete=models.CASCADE, related_name="task_force", verbose_name=_("staffing")
    )
    month = month_field()
    key_account = models.ForeignKey(
        KeyAccount,
        verbose_name=_("key account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_force_targets",
    )
    # An account that is not among the plan's key accounts (a prospect, say).
    account = models.CharField(_("target account"), max_length=100, blank=True)
    client_manager = models.CharField(_("client manager"), max_length=50)
    sponsor = models.CharField(_("sponsoring executive"), max_length=50, blank=True)
    goal = models.CharField(_("goal"), max_length=200, blank=True)
    strategies = models.ManyToManyField(
        SwotStrategy, verbose_name=_("strategies carried out"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("task-force target")
        verbose_name_plural = _("target-account task force")
        ordering = ["month", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="task_force_month_valid"
            ),
        ]

    def __str__(self):
        return str(self.key_account) if self.key_account_id else self.account


class Training(models.Model):
    staffing = models.ForeignKey(
        Staffing, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("staffing")
    )
    topic = models.CharField(_("topic"), max_length=200)
    month = month_field()
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    audience = models.CharField(_("audience"), max_length=100, blank=True)
    products = models.ManyToManyField(
        ProductLine, verbose_name=_("products covered"), related_name="trainings", blank=True
    )
    strategies = models.ManyToManyField(
        SwotStrategy, verbose_name=_("strategies carried out"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training calendar")
        ordering = ["month", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="training_month_valid"
            ),
        ]

    def __str__(self):
        return self.topic


class StaffingForm(SectionForm):
    class Meta:
        model = Staffing
        fields = ["approach"]
        widgets = {"approach": forms.Textarea(attrs={"rows": 3})}


class RoleDutyForm(RowForm):
    class Meta:
        model = RoleDuty
        fields = ["role", "headcount", "duty"]


class PortfolioForm(RowForm):
    class Meta:
        model = Portfolio
        fields = ["client_manager", "role", "customers", "balance"]


class TaskForceTargetForm(RowForm):
    """The target is one of the plan's key accounts or, if it is not one, named."""

    class Meta:
        model = TaskForceTarget
        fields = [
            "month",
            "key_account",
            "account",
            "client_manager",
            "sponsor",
            "goal",
            "strategies",
        ]
        widgets = {"strategies": forms.SelectMultiple(attrs={"size": 3})}

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("key_account")
            and not cleaned.get("account")
            and not self.has_error("account")
        ):
            self.add_error(
                "key_account",
                forms.ValidationError(
                    _("Choose one of the key accounts, or name the account if it is not one."),
                    code="no_account",
                ),
            )
        return cleaned


class TaskForceTargetFormSet(RowFormSet):
    def choice_querysets(self):
        plan = self.instance.plan
        return {
            "key_account": KeyAccount.objects.filter(target_market__plan=plan),
            "strategies": plan_strategies(plan),
        }


class TrainingForm(RowForm):
    class Meta:
        model = Training
        fields = ["topic", "month", "hours", "audience", "products", "strategies"]
        widgets = {
            "products": forms.SelectMultiple(attrs={"size": 3}),
            "strategies": forms.SelectMultiple(attrs={"size": 3}),
        }


class TrainingFormSet(RowFormSet):
    def choice_querysets(self):
        plan = self.instance.plan
        return {
            "products": ProductLine.objects.filter(products__plan=plan),
            "strategies": plan_strategies(plan),
        }


SECTION = Section(
    key="staffing",
    title=_("All-staff marketing and client managers"),
    model=Staffing,
    form=StaffingForm,
    tables=(
        Table(
            "roles",
            row_formset(Staffing, RoleDuty, RoleDutyForm),
            _("Headcount and marketing duty by role"),
        ),
        Table(
            "portfolios",
            row_formset(Staffing, Portfolio, PortfolioForm),
            _("Client-manager portfolios"),
        ),
        Table(
            "task_force",
            row_formset(Staffing, TaskForceTarget, TaskForceTargetForm, TaskForceTargetFormSet),
            _("Target-account task force"),
            _("Each month's target accounts, with a named client manager and sponsor."),
            related=("key_account", "strategies"),
        ),
        Table(
            "trainings",
            row_formset(Staffing, Training, TrainingForm, TrainingFormSet),
            _("Training calendar"),
            related=("products", "strategies"),
        ),
    ),
)
