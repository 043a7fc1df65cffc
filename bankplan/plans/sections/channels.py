"""Section 5, channels (渠道策略): how products reach customers, month by month."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import (
    RowForm,
    RowFormSet,
    Section,
    SectionContent,
    SectionForm,
    Table,
    long_text,
    month_field,
    row_formset,
    row_text,
)
from .swot import SwotStrategy, plan_strategies
from .target_market import Segment, pursued_segments


class ChannelType(models.TextChoices):
    OUTLET = "outlet", _("Outlets")
    SELF_SERVICE = "self_service", _("Self-service areas and ATMs")
    ONLINE = "online", _("Online banking")
    MOBILE = "mobile", _("Mobile banking")
    PHONE = "phone", _("Phone banking")
    OUTREACH = "outreach", _("Outreach (communities, villages, companies)")
    PAYROLL = "payroll", _("Payroll partnerships")
    MERCHANT = "merchant", _("Merchant acquiring")
    EVENTS = "events", _("Holiday events")


class Channels(SectionContent):
    strategy = long_text(
        _("channel strategy"),
        blank=True,
        help_text=_("How the channels work together; outlets to upgrade, merge or close."),
    )

    class Meta:
        verbose_name = _("channels")
        verbose_name_plural = _("channels")


class Channel(models.Model):
    channels = models.ForeignKey(
        Channels, on_delete=models.CASCADE, related_name="rows", verbose_name=_("channels")
    )
    channel_type = models.CharField(_("channel"), max_length=20, choices=ChannelType.choices)
    role = row_text(_("role"))
    target_volume = models.CharField(
        _("target volume"),
        max_length=100,
        blank=True,
        help_text=_("e.g. 3,000 new mobile-banking users"),
    )
    segments = models.ManyToManyField(
        Segment, verbose_name=_("segments served"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel_type__in=ChannelType.values), name="channel_type_valid"
            ),
        ]

    def __str__(self):
        return str(self.get_channel_type_display())


class ChannelActivity(models.Model):
    """One entry of the channel calendar."""

    channels = models.ForeignKey(
        Channels, on_delete=models.CASCADE, related_name="activities", verbose_name=_("channels")
    )
    month = month_field()
    channel_type = models.CharField(_("channel"), max_length=20, choices=ChannelType.choices)
    activity = models.CharField(_("activity"), max_length=200)
    goal = models.CharField(_("goal"), max_length=200, blank=True)
    strategies = models.ManyToManyField(
        SwotStrategy, verbose_name=_("strategies carried out"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("channel activity")
        verbose_name_plural = _("channel calendar")
        ordering = ["month", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="channel_activity_month_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel_type__in=ChannelType.values),
                name="channel_activity_type_valid",
            ),
        ]

    def __str__(self):
        return self.activity


class ChannelsForm(SectionForm):
    class Meta:
        model = Channels
        fields = ["strategy"]
        widgets = {"strategy": forms.Textarea(attrs={"rows": 3})}


class ChannelForm(RowForm):
    """A channel serves segments this plan pursues."""

    class Meta:
        model = Channel
        fields = ["channel_type", "role", "target_volume", "segments"]
        widgets = {"segments": forms.SelectMultiple(attrs={"size": 3})}


class ChannelFormSet(RowFormSet):
    def choice_querysets(self):
        return {"segments": pursued_segments(self.instance.plan)}


class ChannelActivityForm(RowForm):
    """An activity carries out strategies of this plan's SWOT."""

    class Meta:
        model = ChannelActivity
        fields = ["month", "channel_type", "activity", "goal", "strategies"]
        widgets = {"strategies": forms.SelectMultiple(attrs={"size": 3})}


class ChannelActivityFormSet(RowFormSet):
    def choice_querysets(self):
        return {"strategies": plan_strategies(self.instance.plan)}


SECTION = Section(
    key="channels",
    title=_("Channels"),
    model=Channels,
    form=ChannelsForm,
    tables=(
        Table(
            "rows",
            row_formset(Channels, Channel, ChannelForm, ChannelFormSet),
            _("Channels and their roles"),
            related=("segments",),
        ),
        Table(
            "activities",
            row_formset(Channels, ChannelActivity, ChannelActivityForm, ChannelActivityFormSet),
            _("Activity calendar"),
            _("What happens in which month, on which channel."),
            related=("strategies",),
        ),
    ),
)
