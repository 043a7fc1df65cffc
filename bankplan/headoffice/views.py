"""Head office's and reviewers' dashboard: a cycle's progress and KPI roll-ups below one
unit, drilled down region -> second-tier branch -> branches -> the plan. Thin: the figures
come from ``rollup``, the export tables from ``reports``; access through ``access``."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from bankplan.audit import record
from bankplan.documents import charts
from bankplan.lib import figures
from bankplan.lib.keyset import keyset_page
from bankplan.organisation.models import Unit
from bankplan.organisation.scope import scope_of
from bankplan.plans.models import Cycle, Status, current_cycle

from . import reports, rollup
from .access import get_cycle, get_unit_for, overseer_scope, top_unit_for
from .exports import export_response

PAGE_SIZE = 50


@require_safe
def home(request):
    """Head office and reviewers start from the dashboard, branch people from their plans."""
    if scope_of(request.user).oversees:
        return redirect("headoffice:dashboard")
    return redirect("plans:list")


@require_safe
def dashboard(request):
    """The landing page of head office and reviewers: their unit in the current cycle."""
    scope = overseer_scope(request.user)
    cycle = current_cycle(list(Cycle.objects.order_by("-year")))
    if cycle is None:
        return render(request, "headoffice/no_cycle.html")
    top = top_unit_for(request.user)
    if top is not None:
        return redirect("headoffice:unit", cycle_id=cycle.pk, unit_id=top.pk)
    units = Unit.objects.filter(pk__in=scope.overseen).order_by("code")
    return render(request, "headoffice/choose_unit.html", {"cycle": cycle, "units": units})


def _overseen_unit(request, unit_id) -> Unit:
    unit = get_unit_for(request.user, unit_id)
    if unit.kind == Unit.Kind.BRANCH:
        raise Http404  # a branch is looked at through its plan
    return unit


def _trail(request, unit: Unit) -> list[Unit]:
    """The units above ``unit`` that the user may open, top first (two queries at most:
    the tree is four levels deep)."""
    scope = overseer_scope(request.user)
    above = []
    node = unit.parent
    while node is not None:
        above.append(node)
        node = node.parent
    return [node for node in reversed(above) if scope.covers(node)]


@require_safe
def unit(request, cycle_id, unit_id):
    unit = _overseen_unit(request, unit_id)
    cycle = get_cycle(cycle_id)
    scope = overseer_scope(request.user)
    groups, whole = rollup.progress(cycle, unit)
    rolled = rollup.rollup(cycle, unit, groups)
    kpi = _chosen_kpi(request, rolled.kpis)
    by_group = rolled.for_kpi(kpi, groups) if kpi else []
    state_labels = [str(label) for label in reports.state_labels()]
    return render(
        request,
        "headoffice/unit.html",
        {
            "cycle": cycle,
            "cycles": Cycle.objects.order_by("-year"),
            "unit": unit,
            "trail": _trail(request, unit),
            "whole_bank": scope.whole_bank,
            "groups": groups,
            "whole": whole,
            "state_labels": state_labels,
            "rollup": rolled,
            "kpi": kpi,
            "by_group": by_group,
            "progress_chart": charts.state_chart(
                _("Branches by the state of their plan"),
                state_labels,
                [
                    (reports.group_label(group), [n for _s, n in group.state_counts])
                    for group in groups
                ],
            ),
            "kpi_chart": charts.comparison_chart(
                _("%(kpi)s: target against last year's actual") % {"kpi": kpi.display_name},
                [
                    (reports.group_label(group), line.last_actual, line.target)
                    for group, line in by_group
                ],
                lambda value: figures.in_measure(value, kpi.measure),
            )
            if kpi
            else "",
        },
    )


def _chosen_kpi(request, kpis):
    code = request.GET.get("kpi", "")
    return next((kpi for kpi in kpis if kpi.code == code), kpis[0] if kpis else None)


BRANCH_FILTERS = ("late", rollup.NOT_STARTED, *Status.values)


@require_safe
def branches(request, cycle_id, unit_id):
    """The branches below a unit, 50 a page by code: searchable, filterable by state."""
    unit = _overseen_unit(request, unit_id)
    cycle = get_cycle(cycle_id)
    query = request.GET.get("q", "").strip()[:50]
    state = request.GET.get("state", "")
    direct = request.GET.get("direct") == "1"
    if state not in BRANCH_FILTERS:
        state = ""
    rows = reports.branch_rows(cycle, unit, query=query, state=state, direct=direct)
    page = keyset_page(
        rows,
        "code",
        after=request.GET.get("after", "")[:20],
        before=request.GET.get("before", "")[:20],
        size=PAGE_SIZE,
    )
    return render(
        request,
        "headoffice/branches.html",
        {
            "cycle": cycle,
            "unit": unit,
            "trail": [*_trail(request, unit), unit],
            "page": page,
            "query": query,
            "state": state,
            "direct": direct,
            # What a link to another page keeps: keyset_pager.html adds after/before.
            "filters": urlencode({"direct": "1" if direct else "", "q": query, "state": state}),
            "states": reports.branch_filter_choices(),
            "today": timezone.localdate(),
        },
    )


@require_safe
def export_table(request, cycle_id, unit_id, table, fmt):
    unit = _overseen_unit(request, unit_id)
    cycle = get_cycle(cycle_id)
    if table == "branches":
        built = reports.branches_table(cycle, unit)
    else:
        groups, whole = rollup.progress(cycle, unit)
        if table == "progress":
            built = reports.progress_table(cycle, unit, groups, whole)
        elif table in ("kpis", "kpi"):
            rolled = rollup.rollup(cycle, unit, groups)
            if table == "kpis":
                built = reports.summary_table(cycle, unit, rolled)
            else:
                kpi = _chosen_kpi(request, rolled.kpis)
                if kpi is None:
                    raise Http404
                built = reports.kpi_table(cycle, unit, kpi, rolled.for_kpi(kpi, groups))
        else:
            raise Http404
    response = export_response(built, fmt)
    record.exported(request.user, f"{built.filename}.{fmt}", unit=unit)
    return response
