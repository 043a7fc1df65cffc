"""PDF packs on screen: request one, watch it being built, download it.

A pack is its requester's; head office may open any. A pack of a unit outside the user's
scope answers 404 like the unit itself.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from bankplan.audit import record
from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Status

from . import packs
from .access import get_cycle, get_unit_for, overseer_scope
from .models import Pack, PackItem

# Failed plans listed on the pack's page; the ZIP's report lists them all.
FAILED_SHOWN = 50
RECENT_PACKS = 20


class PackRequestForm(forms.Form):
    cycle = forms.IntegerField()
    unit = forms.IntegerField(required=False)
    status = forms.ChoiceField(choices=Status.choices, initial=Status.APPROVED)
    search = forms.CharField(max_length=100, required=False)
    format = forms.ChoiceField(choices=Pack.Format.choices)
    next = forms.CharField(required=False)


def get_pack_for(user, pack_id: int) -> Pack:
    scope = overseer_scope(user)
    pack = get_object_or_404(Pack.objects.select_related("cycle", "unit"), pk=pack_id)
    if not scope.whole_bank and (
        pack.requested_by_id != user.pk or pack.unit is None or not scope.covers(pack.unit)
    ):
        raise Http404
    return pack


@require_safe
def pack_list(request):
    scope = overseer_scope(request.user)
    units = Unit.objects.filter(
        scope.unit_filter(), kind__in=[Unit.Kind.REGION, Unit.Kind.SUB_BRANCH]
    )
    context = {
        "packs": Pack.objects.filter(requested_by=request.user).select_related("cycle", "unit")[
            :RECENT_PACKS
        ],
        "cycles": Cycle.objects.all(),
        "units": units,
        "whole_bank": scope.whole_bank,
        "statuses": Status.choices,
        "formats": Pack.Format.choices,
    }
    return render(request, "headoffice/packs/list.html", context)


@require_POST
def pack_request(request):
    overseer_scope(request.user)
    form = PackRequestForm(request.POST)
    back = request.POST.get("next", "")
    # A path only: redirect() takes anything else for a URL name, and fails on one that is none.
    if not (
        back.startswith("/")
        and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
    ):
        back = ""
    if not form.is_valid():
        messages.error(request, _("The pack could not be requested: check the choices."))
        return redirect(back or "headoffice:packs")
    data = form.cleaned_data
    cycle = get_cycle(data["cycle"])
    unit = get_unit_for(request.user, data["unit"]) if data["unit"] else None
    try:
        pack = packs.request_pack(
            user=request.user,
            cycle=cycle,
            unit=unit,
            status=data["status"],
            search=data["search"],
            format=data["format"],
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back or "headoffice:packs")
    return redirect("headoffice:pack", pack.pk)


def _progress(pack: Pack) -> dict:
    failed = PackItem.objects.filter(pack=pack, state=PackItem.State.FAILED)
    count = failed.count()
    return {
        "pack": pack,
        "failed": failed.select_related("plan__branch", "version")[:FAILED_SHOWN],
        "failed_count": count,
        "failed_more": max(count - FAILED_SHOWN, 0),
        "download_name": packs.download_name(pack),
    }


@require_safe
def pack_detail(request, pack_id):
    pack = get_pack_for(request.user, pack_id)
    return render(request, "headoffice/packs/pack.html", _progress(pack))


@require_safe
def pack_progress(request, pack_id):
    """The fragment the pack's page polls while the pack is being built."""
    pack = get_pack_for(request.user, pack_id)
    return render(request, "headoffice/packs/progress.html", _progress(pack))


@require_safe
def pack_download(request, pack_id):
    pack = get_pack_for(request.user, pack_id)
    if pack.state != Pack.State.READY or not pack.file:
        raise Http404
    content_type = "application/pdf" if pack.format == Pack.Format.BOOK else "application/zip"
    name = packs.download_name(pack)
    record.exported(request.user, name, unit=pack.unit, action=record.Action.DOWNLOADED)
    return FileResponse(
        pack.file.open("rb"), as_attachment=True, content_type=content_type, filename=name
    )


urlpatterns = [
    path("packs/", pack_list, name="packs"),
    path("packs/new/", pack_request, name="pack_request"),
    path("packs/<int:pack_id>/", pack_detail, name="pack"),
    path("packs/<int:pack_id>/progress/", pack_progress, name="pack_progress"),
    path("packs/<int:pack_id>/download/", pack_download, name="pack_download"),
]
