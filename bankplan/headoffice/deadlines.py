"""Each branch's deadline: the cycle's, or a later one head office granted to the branch or
to a unit above it (the latest grant wins, whatever its level).

Extensions are few (tens per cycle), so they are read once and turned into a CASE over
unit ids: lateness is then a filter the database evaluates for thousands of branches in
the same query that counts them.
"""

import datetime

from django.db.models import Case, DateField, Q, Value, When
from django.utils import timezone

from .models import DeadlineExtension


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
        covers = (
            Q(**{f"{unit}pk": unit_id})
            | Q(**{f"{unit}parent_id": unit_id})
            | Q(**{f"{unit}region_id": unit_id})
        )
        whens.append(When(covers, then=Value(deadline)))
    if not whens:
        return Value(cycle.deadline, output_field=DateField())
    return Case(*whens, default=Value(cycle.deadline), output_field=DateField())


def late_filter(cycle, extensions, unit: str = "", today: datetime.date | None = None) -> Q:
    """Branches whose deadline has passed; whether their plan is in is for the caller to
    add (late means not submitted or approved by then). Grants only ever move a deadline
    later, so before the cycle's own deadline nobody is late."""
    today = today or timezone.localdate()
    if today <= cycle.deadline:
        return Q(**{f"{unit}pk__isnull": True})  # matches no unit
    ahead = sorted(unit_id for unit_id, deadline in extensions.items() if deadline >= today)
    if not ahead:
        return Q()
    return ~(
        Q(**{f"{unit}pk__in": ahead})
        | Q(**{f"{unit}parent_id__in": ahead})
        | Q(**{f"{unit}region_id__in": ahead})
    )
