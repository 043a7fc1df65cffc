"""Every branch's targets in a cycle as one table: a row per branch, per KPI the target its
plan submitted and the target it was allocated.

A bank has up to 20,000 branches and a dozen KPIs: the rows come from three queries read
in chunks, each one row per branch in the same order (region code, branch code), merged
as they are walked; no row is held longer than it takes to write it.
"""

from collections.abc import Iterator

from django.db.models import Case, CharField, FilteredRelation, Max, Q, Value, When
from django.utils.translation import gettext as _

from bankplan.organisation.models import Unit, UnitKind
from bankplan.organisation.scope import Scope
from bankplan.plans.models import Cycle, Kpi, Status

from .models import Allocation, KpiFigure
from .rollup import within
from .tables import KIND_OF_MEASURE, Column, Table

CHUNK_SIZE = 2000


def branches_in(scope: Scope, unit: Unit | None = None):
    """The branches the user oversees, below ``unit`` when one is given (a region, a
    second-tier branch or a branch the caller checked is in scope)."""
    branches = Unit.objects.filter(scope.unit_filter(), kind=UnitKind.BRANCH)
    if unit is not None:
        branches = branches.filter(within(unit))
    return branches


def branch_targets_table(cycle: Cycle, scope: Scope, unit: Unit | None = None) -> Table:
    """The table of the branches in ``scope`` (below ``unit``). Labels are translated
    here, in the request's language; the rows are read when the table is written."""
    if unit is not None and unit.kind == UnitKind.HEAD_OFFICE:
        unit = None  # the whole bank
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
    part = f"-{unit.code}" if unit is not None else ""
    return Table(
        title=_("Branch targets %(year)s") % {"year": cycle.year},
        filename=f"branch-targets-{cycle.year}{part}",
        columns=columns,
        rows=_rows(cycle, branches_in(scope, unit), kpis, statuses),
    )


def _rows(cycle, branches, kpis, statuses) -> Iterator[tuple]:
    branch_ids = branches.values("pk")
    targets = _Aligned(
        KpiFigure.objects.filter(plan__cycle=cycle, plan__branch__in=branch_ids),
        "plan__branch",
        kpis,
    )
    allocated = _Aligned(
        Allocation.objects.filter(kpi__cycle=cycle, unit__in=branch_ids), "unit", kpis
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
        row = [region, sub_branch, code, name, statuses[status]]
        for pair in zip(targets.of(pk), allocated.of(pk), strict=True):
            row += pair
        yield tuple(row)


class _Aligned:
    """Each branch's figure of every KPI, one row per branch in the branches' order (region
    code, branch code), handed out as the branches are walked. The database turns the
    figures of a branch into one row (a MAX per KPI over at most one figure), so it sorts
    20,000 rows rather than 260,000."""

    def __init__(self, figures, branch: str, kpis: list[Kpi]):
        per_kpi = {f"kpi_{kpi.pk}": Max("target", filter=Q(kpi=kpi.pk)) for kpi in kpis}
        # Grouped by the branch alone, its codes taken with a MAX (one value a branch): the
        # database then sorts the groups rather than every figure.
        self._rows = (
            figures.values(branch)
            .annotate(
                region_code=Max(f"{branch}__region__code"),
                branch_code=Max(f"{branch}__code"),
                **per_kpi,
            )
            .order_by("region_code", "branch_code")
            .values_list(branch, *per_kpi)
            .iterator(chunk_size=CHUNK_SIZE)
        )
        self._none = (None,) * len(kpis)
        self._next = next(self._rows, None)

    def of(self, branch_id: int) -> tuple:
        """The figures of ``branch_id`` in the KPIs' order; ask in the branches' order."""
        row = self._next
        if row is None or row[0] != branch_id:
            return self._none
        self._next = next(self._rows, None)
        return row[1:]
