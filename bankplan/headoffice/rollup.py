"""A cycle's progress and KPI roll-ups below one unit, computed by the database.

The unit's branches are grouped one level down: head office's by region, a region's by
second-tier branch (with the branches hanging from the region directly as a group of their
own), a second-tier branch's as one group. Each table is one aggregate query whatever the
size of the bank; the unit's own totals are combined from its groups in Python.

The figures that count are those of each plan's latest submitted version, for plans now
submitted or approved (``KpiFigure``), except last year's actual: the bank's official
figure where head office imported one (``bankplan.actuals``). Plans being written or
revised are added up apart ("in drafts") from their live targets and never mixed in.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, DecimalField, F, FilteredRelation, Max, Min, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from bankplan.actuals.models import ActualsImport
from bankplan.lib import figures
from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Kpi, Measure, Plan, Status
from bankplan.plans.sections.products import KpiTarget
from bankplan.reviews.models import AuditEntry

from . import allocations, deadlines
from .models import KpiFigure

# The plans whose figures count are those handed in: their latest version is submitted or
# approved.
COUNTED = deadlines.HANDED_IN
BEING_WRITTEN = (Status.DRAFT, Status.RETURNED)
NOT_STARTED = "not_started"
STATES = (NOT_STARTED, *Status.values)
PRODUCT = DecimalField(max_digits=32, decimal_places=4)


def within(unit: Unit | None, branch: str = "") -> Q:
    """Branches (at path ``branch``) at or below ``unit`` (None or head office: all)."""
    if unit is None or unit.kind == Unit.Kind.HEAD_OFFICE:
        return Q()
    if unit.kind == Unit.Kind.REGION:
        return Q(**{f"{branch}region": unit.pk})
    if unit.kind == Unit.Kind.SUB_BRANCH:
        return Q(**{f"{branch}parent": unit.pk})
    return Q(**{f"{branch}pk": unit.pk})


def group_field(unit: Unit) -> str:
    """The branch column that names each branch's group below ``unit``."""
    return "region" if unit.kind == Unit.Kind.HEAD_OFFICE else "parent"


def branches_below(unit: Unit):
    return Unit.objects.filter(within(unit), kind=Unit.Kind.BRANCH)


def with_cycle_plan(branches, cycle):
    """Branches with their plan of ``cycle`` (if any) joined as ``cycle_plan``."""
    return branches.annotate(
        cycle_plan=FilteredRelation("plans", condition=Q(plans__cycle=cycle.pk))
    )


@dataclass
class Group:
    """One row of the drill-down: a region, a second-tier branch, or the branches that hang
    from the unit being looked at directly (``direct``)."""

    unit: Unit
    direct: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    late: int = 0
    total: int = 0

    @property
    def approved_share(self) -> Decimal | None:
        if not self.total:
            return None
        return Decimal(100 * self.counts[Status.APPROVED]) / self.total

    @property
    def state_counts(self) -> list[tuple[str, int]]:
        return [(state, self.counts[state]) for state in STATES]

    def add(self, other: "Group") -> None:
        for state in STATES:
            self.counts[state] += other.counts[state]
        self.late += other.late
        self.total += other.total


def progress(cycle, unit: Unit) -> tuple[list[Group], Group]:
    """The groups below ``unit`` with their branches counted by plan state and lateness,
    and the unit's own totals (two queries)."""
    extensions = deadlines.granted(cycle)
    late = deadlines.late(cycle, extensions)
    key = group_field(unit)
    rows = (
        with_cycle_plan(branches_below(unit), cycle)
        .values(key)
        .annotate(
            total=Count("pk"),
            late=Count("pk", filter=late),
            **{NOT_STARTED: Count("pk", filter=Q(cycle_plan__isnull=True))},
            **{state: Count("pk", filter=Q(cycle_plan__status=state)) for state in Status.values},
        )
        .order_by()
    )
    rows = list(rows)
    units = Unit.objects.in_bulk([row[key] for row in rows])
    groups = []
    for row in rows:
        group = Group(units[row[key]], direct=row[key] == unit.pk)
        group.counts = {state: row[state] for state in STATES}
        group.late, group.total = row["late"], row["total"]
        groups.append(group)
    # The branches directly under a region come after its second-tier branches.
    groups.sort(key=lambda group: (group.direct, group.unit.code))
    whole = Group(unit)
    for group in groups:
        whole.add(group)
    return groups, whole


@dataclass
class Sums:
    """What one KPI's figures add up to over some plans, kept additive so that a unit's
    totals are its groups' totals combined."""

    plans: int = 0
    target: Decimal = Decimal(0)
    last_actual: Decimal = Decimal(0)
    # A weighted ratio: sum(ratio x base) and sum(base), for target and last year's actual.
    target_weighted: Decimal = Decimal(0)
    target_base: Decimal = Decimal(0)
    actual_weighted: Decimal = Decimal(0)
    actual_base: Decimal = Decimal(0)
    lowest: Decimal | None = None
    highest: Decimal | None = None
    drafts: int = 0
    draft_target: Decimal = Decimal(0)

    def add(self, other: "Sums") -> None:
        for name in (
            "plans",
            "target",
            "last_actual",
            "target_weighted",
            "target_base",
            "actual_weighted",
            "actual_base",
            "drafts",
            "draft_target",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.lowest is not None:
            self.lowest = other.lowest if self.lowest is None else min(self.lowest, other.lowest)
        if other.highest is not None:
            self.highest = (
                other.highest if self.highest is None else max(self.highest, other.highest)
            )


@dataclass
class KpiLine:
    """One KPI rolled up for one unit or group, against the target it was allocated."""

    kpi: Kpi
    sums: Sums
    allocated: Decimal | None

    @property
    def weighted(self) -> bool:
        return self.kpi.aggregation == Kpi.Aggregation.WEIGHTED

    @property
    def target(self) -> Decimal | None:
        if not self.sums.plans:
            return None
        if self.weighted:
            base = self.sums.target_base
            return self.sums.target_weighted / base if base else None
        return self.sums.target

    @property
    def last_actual(self) -> Decimal | None:
        if not self.sums.plans:
            return None
        if self.weighted:
            base = self.sums.actual_base
            return self.sums.actual_weighted / base if base else None
        return self.sums.last_actual

    @property
    def growth(self) -> Decimal | None:
        """Against last year: percentage points for a ratio, percent for anything else."""
        target, actual = self.target, self.last_actual
        if target is None or actual is None:
            return None
        if self.kpi.measure == Measure.PERCENT:
            return target - actual
        return (target - actual) / actual * 100 if actual else None

    @property
    def gap(self) -> Decimal | None:
        """The plans below against the allocation, in the KPI's unit: negative when short."""
        if self.allocated is None or self.target is None:
            return None
        return self.target - self.allocated

    @property
    def gap_is_adverse(self) -> bool:
        """Short of a higher-is-better target, or over a lower-is-better one."""
        return self.gap is not None and figures.falls_short(self.gap, self.kpi.direction)


def _sums(row: dict) -> Sums:
    zero = Decimal(0)
    return Sums(
        plans=row["plans"],
        target=row["target_sum"] or zero,
        last_actual=row["actual_sum"] or zero,
        target_weighted=row["target_weighted"] or zero,
        target_base=row["target_base"] or zero,
        actual_weighted=row["actual_weighted"] or zero,
        actual_base=row["actual_base"] or zero,
        lowest=row["lowest"],
        highest=row["highest"],
    )


# The sums read every figure below the unit: at 20,000 branches 169,000 counted figures
# (150-300 ms on this machine) and 90,000 draft targets (about 120 ms). So each is kept in
# the cache until what it reads changes: the counted figures until figures are written or a
# plan moves in or out of the count (a new figure row or audit entry, anywhere) or official
# actuals of the cycle are imported, the drafts until a plan of the cycle changes (a save
# bumps its ``updated_at``). The stamps are read from indexes at once. The timeout bounds
# what a stamp cannot see: a transaction that commits after a later one was read, the catalogue
# edited in the admin.
SUMS_TIMEOUT = 120


def kpi_sums(cycle, unit: Unit) -> dict[tuple[int, int], Sums]:
    """(group unit id, KPI id) -> the sums of the counted and the draft figures (two
    queries while nothing they read has changed, four at most)."""
    # One query for the counted figures' three stamps: the latest transition, the latest
    # figure row, and the cycle's latest import of official actuals.
    latest = Cycle.objects.filter(pk=cycle.pk).values_list(
        Subquery(AuditEntry.objects.order_by("-pk").values("pk")[:1]),
        Subquery(KpiFigure.objects.order_by("-pk").values("pk")[:1]),
        Subquery(
            ActualsImport.objects.filter(cycle=cycle, state=ActualsImport.State.APPLIED)
            .order_by("-applied_at")
            .values("applied_at")[:1]
        ),
    )
    transition, figure, imported = latest.get()
    last_change = Plan.objects.filter(cycle=cycle).aggregate(last=Max("updated_at"))["last"]
    counted = _kept(
        f"rollup:counted:{cycle.pk}:{unit.pk}:{transition}:{figure}:"
        f"{imported.isoformat() if imported else ''}",
        lambda: _counted_sums(cycle, unit),
    )
    drafts = _kept(
        f"rollup:drafts:{cycle.pk}:{unit.pk}:{last_change.isoformat() if last_change else ''}",
        lambda: _draft_sums(cycle, unit),
    )
    sums = dict(counted)
    for key, (plans, target) in drafts.items():
        sums[key] = replace(sums.get(key, Sums()), drafts=plans, draft_target=target)
    return sums


def _kept(key: str, compute):
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, SUMS_TIMEOUT)
    return found


def _counted_sums(cycle, unit: Unit) -> dict[tuple[int, int], Sums]:
    key = group_field(unit)
    branch = "plan__branch__"
    counted = (
        KpiFigure.objects.filter(within(unit, branch), plan__cycle=cycle, plan__status__in=COUNTED)
        # Last year's actual is the bank's official figure where head office imported
        # one, and the plan's own otherwise (the same for a ratio's base): joined. At
        # 169,000 figures and an official one for each, 160 ms on PostgreSQL (100 ms
        # without any); a subquery per figure took 780 ms.
        .annotate(
            official=FilteredRelation(
                "kpi__official_actuals",
                condition=Q(kpi__official_actuals__branch=F("plan__branch")),
            ),
            base_official=FilteredRelation(
                "kpi__base__official_actuals",
                condition=Q(kpi__base__official_actuals__branch=F("plan__branch")),
            ),
        )
        .alias(
            actual=Coalesce("official__actual", "last_actual"),
            base_actual=Coalesce("base_official__actual", "base_last_actual"),
        )
        .values(f"{branch}{key}", "kpi")
        .annotate(
            plans=Count("pk"),
            target_sum=Sum("target"),
            actual_sum=Sum("actual"),
            target_weighted=Sum(F("target") * F("base_target"), output_field=PRODUCT),
            target_base=Sum("base_target", filter=Q(target__isnull=False)),
            actual_weighted=Sum(F("actual") * F("base_actual"), output_field=PRODUCT),
            actual_base=Sum("base_actual", filter=Q(actual__isnull=False)),
            lowest=Min("target"),
            highest=Max("target"),
        )
        .order_by()
    )
    return {(row[f"{branch}{key}"], row["kpi"]): _sums(row) for row in counted}


def _draft_sums(cycle, unit: Unit) -> dict[tuple[int, int], tuple[int, Decimal]]:
    """(group unit id, KPI id) -> (plans, their targets added up) of plans being written."""
    key = group_field(unit)
    branch = "products__plan__branch__"
    drafts = (
        KpiTarget.objects.filter(
            within(unit, branch),
            products__plan__cycle=cycle,
            products__plan__status__in=BEING_WRITTEN,
            target__isnull=False,
        )
        .values(f"{branch}{key}", "kpi")
        .annotate(plans=Count("pk"), target_sum=Sum("target"))
        .order_by()
    )
    return {
        (row[f"{branch}{key}"], row["kpi"]): (row["plans"], row["target_sum"]) for row in drafts
    }


@dataclass
class Rollup:
    kpis: list[Kpi]
    whole: list[KpiLine]  # the unit's own line per KPI
    by_group: dict[int, list[KpiLine]]  # group unit id -> a line per KPI

    def for_kpi(self, kpi: Kpi, groups: list[Group]) -> list[tuple[Group, KpiLine]]:
        index = self.kpis.index(kpi)
        return [(group, self.by_group[group.unit.pk][index]) for group in groups]


def rollup(cycle, unit: Unit, groups: list[Group]) -> Rollup:
    """Every catalogue KPI for the unit and each of its groups (four queries while the
    sums are kept)."""
    kpis = list(cycle.kpis.order_by("position", "pk"))
    sums = kpi_sums(cycle, unit)
    # The direct group is the unit itself: its line compares with the unit's allocation
    # too, which is the best there is (the branches below it have their own).
    allocated = allocations.current(cycle, [unit.pk, *(group.unit.pk for group in groups)])
    by_group = {}
    whole = {kpi.pk: Sums() for kpi in kpis}
    for group in groups:
        lines = []
        for kpi in kpis:
            found = sums.get((group.unit.pk, kpi.pk), Sums())
            whole[kpi.pk].add(found)
            given = None if group.direct else allocated.get((group.unit.pk, kpi.pk))
            lines.append(KpiLine(kpi, found, given))
        by_group[group.unit.pk] = lines
    own = [KpiLine(kpi, whole[kpi.pk], allocated.get((unit.pk, kpi.pk))) for kpi in kpis]
    return Rollup(kpis, own, by_group)
