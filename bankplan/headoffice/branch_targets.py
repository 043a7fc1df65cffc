"""Every branch's targets in a cycle as one table: a row per branch, per KPI the target its
plan submitted and the target it was allocated.

A bank has up to 20,000 branches and a dozen KPIs: the rows come from three queries read
in chunks, all in the same order (region code, branch code), and are merged as they are
walked; no row is ever held for more than the moment it is written.
"""

from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter

from django.db.models import Case, CharField, FilteredRelation, Q, Value, When
from django.utils.translation import gettext as _

from bankplan.organisation.models import Unit, UnitKind
from bankplan.organisation.scope import Scope
from bankplan.plans.models import Cycle, Kpi, Measure, Status

from .models import Allocation, KpiFigure
from .tables import Column, ColumnKind, Table

CHUNK_SIZE = 2000

KIND_OF_MEASURE = {
    Measure.WAN_YUAN: ColumnKind.AMOUNT,
    Measure.CUSTOMERS: ColumnKind.INTEGER,
    Measure.CARDS: ColumnKind.INTEGER,
    Measure.PERCENT: ColumnKind.PERCENT,
}


def branches_in(scope: Scope, unit: Unit | None = None):
    """The branches the user oversees, below ``unit`` when one is given (a unit the caller
    checked is in scope)."""
    branches = Unit.objects.filter(scope.unit_filter(), kind=UnitKind.BRANCH)
    if unit is not None and unit.kind != UnitKind.HEAD_OFFICE:
        branches = branches.filter(Q(pk=unit.pk) | Q(region=unit) | Q(parent=unit))
    return branches


def branch_targets_table(cycle: Cycle, scope: Scope, unit: Unit | None = None) -> Table:
    """The table of the branches in ``scope`` (below ``unit``). Labels are translated
    here, in the request's language; the rows are read when the table is written."""
    kpis = list(Kpi.objects.filter(cycle=cycle).order_by("position", "pk"))
    columns = [
        Column("region", _("Region")),
        Column("second_tier", _("Second-tier branch")),
        Column("code", _("Branch code")),
        Column("name", _("Branch name")),
        Column("status", _("Plan status")),
    ]
    for kpi in kpis:
        names = {"kpi": kpi.display_name, "unit": kpi.get_measure_display()}
        kind = KIND_OF_MEASURE[kpi.measure]
        columns += [
            Column(f"{kpi.code}_target", _("%(kpi)s: plan target (%(unit)s)") % names, kind),
            Column(f"{kpi.code}_allocated", _("%(kpi)s: allocated (%(unit)s)") % names, kind),
        ]
    statuses = {value: str(label) for value, label in Status.choices}
    statuses[None] = _("Not started")
    part = f"-{unit.code}" if unit is not None and unit.kind != UnitKind.HEAD_OFFICE else ""
    return Table(
        title=_("Branch targets %(year)s") % {"year": cycle.year},
        filename=f"branch-targets-{cycle.year}{part}",
        columns=columns,
        rows=_rows(cycle, branches_in(scope, unit), kpis, statuses),
    )


def _rows(cycle, branches, kpis, statuses) -> Iterator[tuple]:
    branch_ids = branches.values("pk")
    # Plans and allocations are read in the branches' order, so that each branch's
    # figures are the next group in their stream.
    targets = _Groups(
        KpiFigure.objects.filter(plan__cycle=cycle, plan__branch__in=branch_ids)
        .order_by("plan__branch__region__code", "plan__branch__code")
        .values_list("plan__branch_id", "kpi_id", "target")
    )
    allocated = _Groups(
        Allocation.objects.filter(kpi__cycle=cycle, unit__in=branch_ids)
        .order_by("unit__region__code", "unit__code")
        .values_list("unit_id", "kpi_id", "target")
    )
    second_tier = Case(
        When(parent__kind=UnitKind.SUB_BRANCH, then="parent__name"),
        default=Value(""),
        output_field=CharField(),
    )
    rows = (
        branches.annotate(cycle_plan=FilteredRelation("plans", condition=Q(plans__cycle=cycle)))
        .order_by("region__code", "code")
        .values_list("pk", "region__name", second_tier, "code", "name", "cycle_plan__status")
    )
    for pk, region, sub_branch, code, name, status in rows.iterator(chunk_size=CHUNK_SIZE):
        target, allocation = targets.of(pk), allocated.of(pk)
        row = [region, sub_branch, code, name, statuses[status]]
        for kpi in kpis:
            row += [target.get(kpi.pk), allocation.get(kpi.pk)]
        yield tuple(row)


class _Groups:
    """A stream of (branch id, KPI id, figure) rows in the branches' order, handed out
    one branch at a time."""

    def __init__(self, queryset):
        grouped = groupby(queryset.iterator(chunk_size=CHUNK_SIZE), key=itemgetter(0))
        self._groups = (
            (branch, {kpi: value for _b, kpi, value in rows}) for branch, rows in grouped
        )
        self._next = next(self._groups, (None, {}))

    def of(self, branch_id: int) -> dict:
        """KPI id -> figure of ``branch_id``; the branches must be asked for in order."""
        if self._next[0] != branch_id:
            return {}
        figures = self._next[1]
        self._next = next(self._groups, (None, {}))
        return figures
