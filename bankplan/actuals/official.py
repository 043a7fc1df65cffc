"""Reading the official actuals where a plan shows them beside what its branch typed (the
background section, and so its document and the plan check). Head office's roll-ups join
them in their own query (``headoffice.rollup``)."""

from decimal import Decimal

from .models import OfficialActual


def of_plan(plan) -> dict[int, Decimal]:
    """KPI id -> the official actual of the plan's branch for its cycle. One query."""
    figures = OfficialActual.objects.filter(branch=plan.branch_id, kpi__cycle=plan.cycle_id)
    return dict(figures.values_list("kpi_id", "actual"))
