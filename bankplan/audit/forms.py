import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bankplan.plans.sections.registry import SECTIONS

from .models import Action

DATE = forms.DateInput({"type": "date"}, format="%Y-%m-%d")


class LogFilter(forms.Form):
    """What head office narrows the audit log to. Every field is optional; a value that
    does not parse is shown with its error and filters nothing."""

    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *Action.choices]
    )
    unit = forms.CharField(
        label=_("Unit code"),
        required=False,
        max_length=32,
        help_text=_("A branch, or a region with every branch below it."),
    )
    who = forms.CharField(label=_("By"), required=False, max_length=150)
    section = forms.ChoiceField(
        label=_("Section"),
        required=False,
        choices=[("", _("Any section")), *((s.key, s.title) for s in SECTIONS)],
    )
    plan = forms.IntegerField(
        label=_("Plan number"), required=False, min_value=1, max_value=2**31 - 1
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        """The lookups of the valid fields, for Event.objects.filter()."""
        if not self.is_bound:
            return {}
        self.is_valid()  # an invalid field is left out of cleaned_data
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        # Days in the bank's time zone, as times: the index on ``at`` serves the range.
        for name, days in (("start", 0), ("end", 1)):
            if name in data:
                data[name] = _midnight(data[name] + datetime.timedelta(days=days))
        lookups = {
            "start": "at__gte",
            "end": "at__lt",
            "action": "action",
            "unit": "unit_code__startswith",
            "who": "actor_name__icontains",
            "section": "section",
            "plan": "plan_id",
        }
        return {lookups[name]: value for name, value in data.items()}


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
