"""Head office's forms for a cycle's life: granting a later deadline, closing the cycle."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bankplan.organisation.models import Unit

from .deadlines import deadline_of, granted

# Head office moves the cycle's own deadline instead of extending the whole bank's.
EXTENDABLE = (Unit.Kind.REGION, Unit.Kind.SUB_BRANCH, Unit.Kind.BRANCH)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ExtensionForm(forms.Form):
    unit = forms.CharField(
        label=_("Unit code"),
        max_length=20,
        help_text=_(
            "The code of a branch, a second-tier branch or a regional branch: every branch "
            "below it gets the new deadline."
        ),
        widget=forms.TextInput(attrs={"list": "unit-codes", "autocomplete": "off"}),
    )
    deadline = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The branches see it beside their deadline."),
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.helper = _helper()

    def clean_unit(self) -> Unit:
        code = self.cleaned_data["unit"].strip()
        # Codes are typed by hand: "r1" finds R1, unless a unit is coded exactly "r1".
        matches = list(Unit.objects.filter(code__iexact=code)[:2])
        exact = [unit for unit in matches if unit.code == code]
        unit = exact[0] if exact else matches[0] if len(matches) == 1 else None
        if unit is None:
            raise forms.ValidationError(
                _("No unit has the code “%(code)s”."), code="unknown", params={"code": code}
            )
        if unit.kind not in EXTENDABLE:
            raise forms.ValidationError(
                _("Choose a branch, a second-tier branch or a regional branch."), code="kind"
            )
        return unit

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= self.cycle.deadline:
            raise forms.ValidationError(
                _("The new deadline must be after the cycle's deadline, %(deadline)s."),
                code="too_early",
                params={"deadline": date_format(self.cycle.deadline)},
            )
        return deadline

    def clean(self):
        data = super().clean()
        unit, deadline = data.get("unit"), data.get("deadline")
        if unit and deadline:
            # The latest deadline granted wins: an earlier one would change nothing.
            current = deadline_of(self.cycle, unit, granted(self.cycle))
            if deadline <= current and current > self.cycle.deadline:
                self.add_error(
                    "deadline",
                    forms.ValidationError(
                        _("%(unit)s already has until %(deadline)s; choose a later date."),
                        code="not_later",
                        params={"unit": unit.name, "deadline": date_format(current)},
                    ),
                )
        return data


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the cycle's plans can no longer change once it is closed."),
        required=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
