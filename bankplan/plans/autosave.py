"""The answers a section page's autosave gets: the same save as the buttons make (same
validation, same revision rule), answered in JSON so the page stays as the user left it."""

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import problems

HEADER = "X-Autosave"


def is_autosave(request) -> bool:
    return request.headers.get(HEADER) == "1"


def saved(content, formsets) -> JsonResponse:
    """The new revision, when, and the ids of rows this save created: the page writes
    them into the rows, so the next save updates those rows instead of adding them again."""
    created = {}
    for formset in formsets:
        pk_name = formset.model._meta.pk.name
        for form in formset.forms:
            posted = form.data.get(form.add_prefix(pk_name), "")
            if form.instance.pk is not None and str(form.instance.pk) != posted:
                created[form.add_prefix(pk_name)] = form.instance.pk
    return JsonResponse(
        {
            "state": "saved",
            "revision": content.revision,
            "saved_at": timezone.localtime(content.updated_at).strftime("%H:%M"),
            "created": created,
        }
    )


def invalid(request, section, form, tables) -> JsonResponse:
    """Nothing saved: the summary to show and the fields to flag."""
    found = problems(section, form, tables)
    summary = render_to_string(
        "plans/includes/error_summary.html", {"problems": found}, request=request
    )
    fields = [{"id": p.anchor, "message": p.message} for p in found if p.label]
    return JsonResponse({"state": "invalid", "summary": summary, "fields": fields}, status=422)


def stale(content) -> JsonResponse:
    """Someone saved the section since the page's revision: nothing saved, and the page
    keeps the user's text until they choose to save it over the other save."""
    who = str(content.updated_by or _("someone else"))
    when = timezone.localtime(content.updated_at).strftime("%H:%M") if content.updated_at else ""
    message = _(
        "%(who)s saved this section at %(when)s while you were editing it. Your text is "
        "kept on this page and has not been saved."
    ) % {"who": who, "when": when}
    return JsonResponse(
        {"state": "stale", "message": message, "revision": content.revision}, status=409
    )


def refused(message: str) -> JsonResponse:
    return JsonResponse({"state": "refused", "message": message}, status=403)


def bad_request(request, exception=None):
    """Django's handler400: a request refused before any view could read it (too many
    fields, too much data). Never reads request.POST, whose parsing is what failed. An
    autosave gets the JSON its page shows (and stops saving); a page, the message page."""
    if is_autosave(request):
        message = _(
            "This page sent more than the server accepts at once, so nothing was saved. "
            "Keep this page open, copy what you typed, and save in smaller steps."
        )
        return JsonResponse({"state": "refused", "message": message}, status=400)
    return render(request, "400.html", status=400)
