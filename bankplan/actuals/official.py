"""Reading the official actuals where other parts of the app put them beside, or in place
of, what a branch typed: its background section, the roll-ups, the plan check."""

from decimal import Decimal

from django.db.models import OuterRef, Subquery

from .models import OfficialActual


def of_plan(plan) -> dict[int, Decimal]:
    """KPI id -> the official actual of the plan's branch for its cycle. One query."""
    figures = OfficialActual.objects.filter(branch=plan.branch_id, kpi__cycle=plan.cycle_id)
    return dict(figures.values_list("kpi_id", "actual"))


def actual_of(kpi: str, branch: str) -> Subquery:
    """The official actual of the KPI and branch the outer query's ``kpi`` and ``branch``
    paths name (NULL without one): for a query to coalesce over a typed figure."""
    found = OfficialActual.objects.filter(kpi=OuterRef(kpi), branch=OuterRef(branch))
    return Subquery(found.values("actual")[:1])
