"""A cycle's life after it opens: reminding the branches whose plan is not in, granting
later deadlines, and closing the cycle. Access goes through ``headoffice.access``."""

import datetime

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from bankplan.audit import record
from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Plan, Status

from .access import get_cycle, get_unit_for, overseer_scope, require_head_office
from .cycle_forms import EXTENDABLE, CloseForm, ExtensionForm
from .deadlines import granted
from .models import DeadlineExtension
from .reminders import LATE_ONLY, announce_extension, due_branches, remind_late


def _back(request, cycle, unit) -> str:
    """Where the reminder button returns to: the page it was on, if it is one of ours (a
    path: redirect() takes anything else for a URL name, and fails on one that is none)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    if unit is not None:
        return reverse("headoffice:unit", args=[cycle.pk, unit.pk])
    return reverse("headoffice:dashboard")


def _closed_message(cycle) -> str:
    return _("“%(cycle)s” is closed: its plans can no longer change.") % {"cycle": cycle.name}


@require_POST
def remind(request, cycle_id, unit_id=None):
    """Remind, now, the late branches whose plan is not in (the daily reminders also warn
    those due within days): in the whole bank or below a unit for head office, within
    their own units for a reviewer."""
    scope = overseer_scope(request.user)
    cycle = get_cycle(cycle_id)
    unit = get_unit_for(request.user, unit_id) if unit_id is not None else None
    if unit is not None:
        units = None if unit.kind == Unit.Kind.HEAD_OFFICE else [unit.pk]
    else:
        units = None if scope.whole_bank else sorted(scope.overseen)
    back = _back(request, cycle, unit)
    if cycle.is_closed:
        messages.error(request, _closed_message(cycle))
        return redirect(back)
    if not cycle.is_open:
        messages.error(request, _("“%(cycle)s” has not opened yet.") % {"cycle": cycle.name})
        return redirect(back)
    due_by = timezone.localdate() + datetime.timedelta(days=LATE_ONLY)
    count = due_branches(cycle, granted(cycle), by=due_by, units=units).count()
    if not count:
        messages.info(request, _("No branch is late: every plan past its deadline is in."))
        return redirect(back)
    remind_late.enqueue(cycle.pk, units, LATE_ONLY)
    messages.success(
        request,
        ngettext(
            "Reminders are being sent to the managers of %(count)d late branch that has "
            "not submitted its plan.",
            "Reminders are being sent to the managers of %(count)d late branches that have "
            "not submitted their plan.",
            count,
        )
        % {"count": count},
    )
    return redirect(back)


@require_http_methods(["GET", "POST"])
def extensions(request, cycle_id):
    require_head_office(request.user)
    cycle = get_cycle(cycle_id)
    # An empty POST is still a submission, to be told what is missing.
    form = ExtensionForm(request.POST if request.method == "POST" else None, cycle=cycle)
    if request.method == "POST":
        if cycle.is_closed:
            messages.error(request, _closed_message(cycle))
            return redirect("headoffice:extensions", cycle_id=cycle.pk)
        if form.is_valid():
            with transaction.atomic():
                extension = DeadlineExtension.objects.create(
                    cycle=cycle,
                    unit=form.cleaned_data["unit"],
                    deadline=form.cleaned_data["deadline"],
                    reason=form.cleaned_data["reason"],
                    granted_by=request.user,
                )
                record.event(
                    record.Action.CYCLE_CHANGED,
                    by=request.user,
                    subject=str(cycle),
                    unit_code=extension.unit.code,
                    detail=_("Deadline extended to %(deadline)s: %(reason)s")
                    % {"deadline": extension.deadline.isoformat(), "reason": extension.reason},
                )
            transaction.on_commit(lambda: announce_extension.enqueue(extension.pk))
            messages.success(
                request,
                _("%(unit)s now has until %(deadline)s; its branch managers are told by mail.")
                % {"unit": extension.unit.name, "deadline": date_format(extension.deadline)},
            )
            return redirect("headoffice:extensions", cycle_id=cycle.pk)
    return render(
        request,
        "headoffice/cycle/extensions.html",
        {
            "cycle": cycle,
            "form": form,
            "extensions": cycle.extensions.select_related("unit", "granted_by"),
            # Suggestions for the code field: the regions and second-tier branches (tens);
            # branches are too many to list and are typed.
            "unit_codes": Unit.objects.filter(kind__in=EXTENDABLE)
            .exclude(kind=Unit.Kind.BRANCH)
            .values_list("code", "name"),
        },
    )


NOT_STARTED = "not_started"


def _plan_counts(cycle) -> list[tuple[str, str, int]]:
    """(state, label, branches) for each state of a plan in ``cycle``, not started first
    (two queries)."""
    by_status = dict(
        Plan.objects.filter(cycle=cycle)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    branches = Unit.objects.filter(kind=Unit.Kind.BRANCH).count()
    return [(NOT_STARTED, _("Not started"), branches - sum(by_status.values()))] + [
        (status.value, status.label, by_status.get(status.value, 0)) for status in Status
    ]


@require_http_methods(["GET", "POST"])
def close_cycle(request, cycle_id):
    require_head_office(request.user)
    cycle = get_cycle(cycle_id)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (cycle.is_closed or form.is_valid()):
        # Conditional: of two head-office users closing at once, one closes it and the
        # other is told it was already closed.
        with transaction.atomic():
            closed = Cycle.objects.filter(pk=cycle.pk, closed_at__isnull=True).update(
                closed_at=timezone.now(), closed_by=request.user
            )
            if closed:
                record.event(
                    record.Action.CYCLE_CHANGED,
                    by=request.user,
                    subject=str(cycle),
                    detail=_("Cycle closed"),
                )
        if closed:
            messages.success(
                request,
                _("“%(cycle)s” is closed. Its plans can be read but no longer changed.")
                % {"cycle": cycle.name},
            )
        else:
            messages.info(request, _("“%(cycle)s” was already closed.") % {"cycle": cycle.name})
        return redirect("headoffice:dashboard")
    counts = _plan_counts(cycle)
    return render(
        request,
        "headoffice/cycle/close.html",
        {
            "cycle": cycle,
            "form": form,
            "counts": counts,
            "not_approved": sum(n for state, _label, n in counts if state != Status.APPROVED),
        },
    )


urlpatterns = [
    path("<int:cycle_id>/remind/", remind, name="remind_late"),
    path("<int:cycle_id>/units/<int:unit_id>/remind/", remind, name="remind_late"),
    path("<int:cycle_id>/extensions/", extensions, name="extensions"),
    path("<int:cycle_id>/close/", close_cycle, name="close_cycle"),
]
