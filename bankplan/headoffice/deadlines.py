"""Each branch's deadline: the cycle's, or a later one head office granted to the branch or
to a unit above it (the latest deadline granted wins, whatever its level).

Extensions are few (tens per cycle), so they are read once and turned into a CASE over
unit ids: lateness is then a filter the database evaluates for thousands of branches in
the same query that counts them.
"""

import datetime

from django.db.models import Case, DateField, Q, Value, When
from django.utils import timezone

from bankplan.organisation.scope import at_or_below
from bankplan.plans.models import Status

from .models import DeadlineExtension

# A plan in one of these states is in: its branch is neither late nor reminded.
HANDED_IN = (Status.SUBMITTED, Status.APPROVED)


def granted(cycle) -> dict[int, datetime.date]:
    """Unit id -> the latest deadline granted to it in ``cycle`` (one query)."""
    latest: dict[int, datetime.date] = {}
    for unit_id, deadline in DeadlineExtension.objects.filter(cycle=cycle).values_list(
        "unit_id", "deadline"
    ):
        latest[unit_id] = max(deadline, latest.get(unit_id, deadline))
    return latest


def deadline_of(cycle, branch, extensions: dict[int, datetime.date] | None = None):
    """One branch's deadline; ``extensions`` from ``granted`` when checking many."""
    if extensions is None:
        extensions = granted(cycle)
    candidates = [cycle.deadline] + [
        extensions[unit]
        for unit in (branch.pk, branch.parent_id, branch.region_id)
        if unit in extensions
    ]
    return max(candidates)


def deadline_expression(cycle, extensions: dict[int, datetime.date], unit: str = ""):
    """An expression for the deadline of the branch at ``unit`` ("" on a Unit queryset,
    "branch__" on plans): the latest of the cycle's deadline and the grants above it."""
    whens = []
    # Latest first: the first matching WHEN wins.
    for unit_id, deadline in sorted(extensions.items(), key=lambda item: item[1], reverse=True):
        if deadline <= cycle.deadline:
            continue
        whens.append(When(at_or_below([unit_id], unit), then=Value(deadline)))
    if not whens:
        return Value(cycle.deadline, output_field=DateField())
    return Case(*whens, default=Value(cycle.deadline), output_field=DateField())


def due_by(cycle, extensions, day: datetime.date, unit: str = "") -> Q:
    """Branches whose deadline falls on or before ``day``. Grants only ever move a
    deadline later, so before the cycle's own deadline no branch is due.

    Both outcomes are explicit conditions, never an empty Q: the caller may negate the
    filter, and ``~Q()`` would match every row instead of none."""
    if day < cycle.deadline:
        return Q(**{f"{unit}pk__isnull": True})  # matches no branch
    later = sorted(unit_id for unit_id, deadline in extensions.items() if deadline > day)
    if not later:
        return Q(**{f"{unit}pk__isnull": False})  # matches every branch
    return ~at_or_below(later, unit)


def late_filter(cycle, extensions, unit: str = "", today: datetime.date | None = None) -> Q:
    """Branches whose deadline has passed; whether their plan is in is for the caller to
    add (late means not submitted or approved by then)."""
    today = today or timezone.localdate()
    return due_by(cycle, extensions, today - datetime.timedelta(days=1), unit)


def late(cycle, extensions, plan: str = "cycle_plan") -> Q:
    """Branches (a Unit queryset with their plan of ``cycle`` joined at ``plan``, see
    ``rollup.with_cycle_plan``) past their deadline whose plan is not in."""
    return late_filter(cycle, extensions) & ~Q(**{f"{plan}__status__in": HANDED_IN})


def deadline_info(plan, today: datetime.date | None = None) -> dict:
    """What the branch is told about its deadline, for ``headoffice/includes/
    deadline_notice.html``: one query for the grant that sets it, none once the cycle is
    closed. ``plan`` comes with its cycle and branch."""
    cycle = plan.cycle
    info = {
        "deadline": cycle.deadline,
        "extended": False,
        "reason": "",
        "unit": None,
        "late": False,
        "closed": cycle.is_closed,
    }
    if info["closed"]:
        return info
    branch = plan.branch
    grant = (
        DeadlineExtension.objects.filter(
            cycle=cycle,
            unit_id__in=[unit for unit in (branch.pk, branch.parent_id, branch.region_id) if unit],
            deadline__gt=cycle.deadline,
        )
        .select_related("unit")
        .order_by("-deadline", "-granted_at")
        .first()
    )
    if grant is not None:
        info.update(deadline=grant.deadline, extended=True, reason=grant.reason, unit=grant.unit)
    today = today or timezone.localdate()
    info["late"] = info["deadline"] < today and plan.status not in HANDED_IN
    return info
