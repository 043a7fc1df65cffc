"""Starting a plan from last year's, the notice of what it could not carry over, and
head office's roll forward of a region or the bank. Thin: access goes through the
plans' and head office's entry points, writes through ``services``."""

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bankplan.headoffice.access import get_cycle, require_head_office
from bankplan.lib.ids import is_id
from bankplan.organisation.models import Unit
from bankplan.plans.access import Action, branches_managed_by, get_plan_for
from bankplan.plans.models import Cycle, Plan
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.registry import SECTIONS

from . import runs, services
from .carry import successors
from .models import Run, RunBranch

RECENT_RUNS = 10
FAILED_SHOWN = 50


@require_http_methods(["GET", "POST"])
def start(request, cycle_id, branch_id):
    """GET: what starting from last year's approved plan carries over; POST: start it."""
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    branch = get_object_or_404(
        Unit.objects.filter(pk__in=branches_managed_by(request.user)), pk=branch_id
    )
    started = Plan.objects.filter(cycle=cycle, branch=branch).first()
    if started is not None:
        messages.info(request, _("The branch's plan for this cycle is started already."))
        return redirect("plans:overview", plan_id=started.pk)
    if request.method == "POST":
        try:
            plan = services.roll_forward_plan(cycle=cycle, branch=branch, by=request.user)
        except services.AlreadyStarted as already:
            messages.info(request, _("The branch's plan for this cycle is started already."))
            return redirect("plans:overview", plan_id=already.plan.pk)
        except (services.NothingToRoll, PermissionDenied) as refused:
            messages.error(request, str(refused) or _("There is no approved plan to start from."))
            return redirect("plans:list")
        messages.success(
            request,
            _(
                "The plan is open, started from last year's approved plan. Check what was "
                "not carried over, then adjust the targets."
            ),
        )
        return redirect("plans:overview", plan_id=plan.pk)
    source = services.previous_plan(cycle=cycle, branch=branch)
    return render(
        request,
        "rollforward/start.html",
        {"cycle": cycle, "branch": branch, "source": source, **_preview(source, cycle)},
    )


def _preview(source: Plan | None, cycle: Cycle) -> dict:
    """What a roll forward would carry: each section's rows, and the KPIs of last year's
    catalogue that this cycle's has no longer."""
    if source is None:
        return {}
    loaded = load_plan(source)
    codes = successors(cycle)
    return {
        "approved": loaded.versions.filter(approved_at__isnull=False).order_by("number").last(),
        "sections": [
            (section, sum(len(table.rows(section.content_of(loaded))) for table in section.tables))
            for section in SECTIONS
        ],
        "kpis_gone": [kpi for kpi in loaded.cycle.kpis.all() if kpi.code not in codes],
    }


@require_POST
def dismiss(request, plan_id):
    plan = get_plan_for(request.user, plan_id, Action.EDIT)
    services.dismiss_notice(plan=plan)
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)
    return redirect("plans:overview", plan_id=plan.pk)


# --- Head office -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cycle_page(request, cycle_id):
    require_head_office(request.user)
    cycle = get_cycle(cycle_id)
    regions = list(Unit.objects.filter(kind=Unit.Kind.REGION).order_by("code"))
    if request.method == "POST":
        unit_id = request.POST.get("unit", "")  # empty: the whole bank
        if unit_id and not is_id(unit_id):
            raise BadRequest
        unit = get_object_or_404(Unit, pk=unit_id, kind=Unit.Kind.REGION) if unit_id else None
        try:
            run = runs.request_run(cycle=cycle, unit=unit, by=request.user)
        except PermissionDenied as refused:
            messages.error(request, str(refused))
            return redirect("rollforward:cycle", cycle_id=cycle.pk)
        return redirect("rollforward:run", run_id=run.pk)
    waiting = dict(
        Unit.objects.filter(runs.waiting(cycle))
        .order_by()
        .values("region")
        .annotate(n=Count("pk"))
        .values_list("region", "n")
    )
    return render(
        request,
        "rollforward/cycle.html",
        {
            "cycle": cycle,
            "regions": [(region, waiting.get(region.pk, 0)) for region in regions],
            "whole_bank": sum(waiting.values()),
            "runs": Run.objects.filter(cycle=cycle).select_related("unit", "requested_by")[
                :RECENT_RUNS
            ],
        },
    )


def _get_run(user, run_id: int) -> Run:
    require_head_office(user)
    return get_object_or_404(Run.objects.select_related("cycle", "unit", "requested_by"), pk=run_id)


def _progress(run: Run) -> dict:
    rows = (
        RunBranch.objects.filter(run=run)
        .order_by()
        .values_list("outcome", "reason")
        .annotate(n=Count("pk"))
    )
    by_outcome: dict[str, int] = {}
    reasons = []
    for outcome, reason, n in rows:
        by_outcome[outcome] = by_outcome.get(outcome, 0) + n
        if outcome == RunBranch.Outcome.SKIPPED:
            reasons.append((RunBranch.Reason(reason).label, n))
    done = sum(by_outcome.values())
    failed = RunBranch.objects.filter(run=run, outcome=RunBranch.Outcome.FAILED)
    return {
        "run": run,
        "done": done,
        "created": by_outcome.get(RunBranch.Outcome.CREATED, 0),
        "skipped": by_outcome.get(RunBranch.Outcome.SKIPPED, 0),
        "reasons": reasons,
        "failed_count": by_outcome.get(RunBranch.Outcome.FAILED, 0),
        "failed": failed.select_related("branch")[:FAILED_SHOWN],
        "summary": ngettext(
            "%(done)d of %(total)d branch done",
            "%(done)d of %(total)d branches done",
            run.total,
        )
        % {"done": done, "total": run.total},
    }


@require_safe
def run_detail(request, run_id):
    return render(request, "rollforward/run.html", _progress(_get_run(request.user, run_id)))


@require_safe
def run_progress(request, run_id):
    """The fragment the run's page polls while the run goes on."""
    return render(
        request, "rollforward/includes/run_progress.html", _progress(_get_run(request.user, run_id))
    )
