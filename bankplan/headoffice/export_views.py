"""Downloads that are not a dashboard table: every branch's targets in a cycle, as XLSX or
CSV."""

from django.http import Http404
from django.urls import path
from django.views.decorators.http import require_GET

from bankplan.audit import record

from .access import get_cycle, get_unit_for, overseer_scope
from .branch_targets import branch_targets_table
from .exports import export_response


@require_GET
def branch_targets(request, cycle_id: int, fmt: str):
    """A row per branch in the user's scope, or below ``?unit=<id>``."""
    scope = overseer_scope(request.user)
    cycle = get_cycle(cycle_id)
    unit = None
    if "unit" in request.GET:
        try:
            unit_id = int(request.GET["unit"])
        except ValueError:
            raise Http404 from None
        unit = get_unit_for(request.user, unit_id)
    table = branch_targets_table(cycle, scope, unit)
    response = export_response(table, fmt)
    record.exported(request.user, f"{table.filename}.{fmt}", unit=unit)
    return response


urlpatterns = [
    path(
        "<int:cycle_id>/branch-targets.xlsx",
        branch_targets,
        {"fmt": "xlsx"},
        name="branch_targets",
    ),
    path(
        "<int:cycle_id>/branch-targets.csv",
        branch_targets,
        {"fmt": "csv"},
        name="branch_targets_csv",
    ),
]
