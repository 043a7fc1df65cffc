from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from bankplan.plans.models import Status
from bankplan.plans.sections.base import LONG_TEXT, keep_long_pastes

from .models import SECTION_CHOICES


class TransitionForm(forms.Form):
    """Confirms a transition; carries the status the user saw, so a stale page is refused."""

    status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)

    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True


class ReasonForm(TransitionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The branch sees this with the plan; say what must change."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_long_pastes(self)


class CommentForm(forms.Form):
    section = forms.ChoiceField(choices=SECTION_CHOICES, widget=forms.HiddenInput, required=False)
    row = forms.CharField(required=False, widget=forms.HiddenInput)
    thread = forms.IntegerField(required=False, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Comment"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
