"""Section 3, target market and positioning (目标市场与定位)."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import (
    Priority,
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
    share_field,
)


class SegmentType(models.TextChoices):
    MASS = "mass", _("Mass retail customers")
    AFFLUENT = "affluent", _("Affluent customers")
    PRIVATE = "private", _("Private-banking customers")
    LARGE_CORPORATE = "large_corporate", _("Large corporates")
    SME = "sme", _("Small and medium enterprises")
    MICRO = "micro", _("Micro enterprises")
    SOLE_TRADER = "sole_trader", _("Sole traders")
    FARMER = "farmer", _("Farmers")
    AGRIBUSINESS = "agribusiness", _("New agricultural businesses")
    PUBLIC = "public", _("Public sector")
    PAYROLL = "payroll", _("Payroll clients")


class TargetMarket(SectionContent):
    positioning = long_text(
        _("positioning statement"),
        blank=True,
        help_text=_("Why the chosen customers should choose this branch over the bank next door."),
    )

    class Meta:
        verbose_name = _("target market")
        verbose_name_plural = _("target markets")


class Segment(models.Model):
    target_market = models.ForeignKey(
        TargetMarket,
        on_delete=models.CASCADE,
        related_name="segments",
        verbose_name=_("target market"),
    )
    segment_type = models.CharField(_("segment"), max_length=20, choices=SegmentType.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (customers)"), null=True, blank=True)
    current_share = share_field(_("current share (%)"), null=True, blank=True)
    target_share = share_field(_("target share (%)"), null=True, blank=True)
    needs = row_text(_("needs"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    chosen = models.BooleanField(_("pursued"), default=False)

    class Meta:
        verbose_name = _("customer segment")
        verbose_name_plural = _("customer segments")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(segment_type__in=SegmentType.values),
                name="segment_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="segment_priority_valid"
            ),
        ]

    def __str__(self):
        label = self.get_segment_type_display()
        return f"{label} · {self.description}" if self.description else str(label)


def pursued_segments(plan) -> models.QuerySet:
    """The segments the plan pursues, what its products and channels aim at."""
    return Segment.objects.filter(target_market__plan=plan, chosen=True)


class KeyAccount(models.Model):
    target_market = models.ForeignKey(
        TargetMarket,
        on_delete=models.CASCADE,
        related_name="key_accounts",
        verbose_name=_("target market"),
    )
    name = models.CharField(_("account"), max_length=100)
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="key_accounts",
    )
    current_balance = balance_field(_("current balance (10k yuan)"), null=True, blank=True)
    relationship = row_text(_("current relationship"), blank=True)
    plan = row_text(_("plan for the year"), blank=True)
    client_manager = models.CharField(_("client manager"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("key account")
        verbose_name_plural = _("key accounts")
        ordering = ["pk"]
        constraints = [not_negative("current_balance", "key_account_balance_not_negative")]

    def __str__(self):
        return self.name


class TargetMarketForm(SectionForm):
    class Meta:
        model = TargetMarket
        fields = ["positioning"]
        widgets = {"positioning": forms.Textarea(attrs={"rows": 4})}


class SegmentForm(RowForm):
    class Meta:
        model = Segment
        fields = [
            "segment_type",
            "description",
            "size",
            "current_share",
            "target_share",
            "needs",
            "priority",
            "chosen",
        ]


class KeyAccountForm(RowForm):
    """A key account belongs to one of the segments listed above, once they are saved."""

    class Meta:
        model = KeyAccount
        fields = [
            "name",
            "segment",
            "current_balance",
            "relationship",
            "plan",
            "client_manager",
        ]


class KeyAccountFormSet(RowFormSet):
    def choice_querysets(self):
        return {"segment": Segment.objects.filter(target_market=self.instance)}


SECTION = Section(
    key="target_market",
    title=_("Target market and positioning"),
    model=TargetMarket,
    form=TargetMarketForm,
    tables=(
        Table(
            "segments",
            row_formset(TargetMarket, Segment, SegmentForm),
            _("Customer segments"),
            _("Estimate each segment, then tick the ones the branch will pursue."),
            shown_as=(("priority", "badge"),),
            marked_by="chosen",
        ),
        Table(
            "key_accounts",
            row_formset(TargetMarket, KeyAccount, KeyAccountForm, KeyAccountFormSet),
            _("Key accounts"),
            _("Named plans for the largest clients and prospects."),
            related=("segment",),
        ),
    ),
)
