"""The KPI figures of submitted versions, kept in a table the roll-ups add up.

Read from the version's snapshot, so the figures that count are exactly those the
reviewer saw; one row per catalogue KPI, rewritten whenever the plan is submitted again.
"""

from decimal import Decimal, InvalidOperation


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _column(snapshot: dict, section: str, table: str, column: str) -> dict[str, Decimal | None]:
    """KPI code -> one column of a KPI table; schema 1 kept values on the row itself."""
    rows = snapshot.get("sections", {}).get(section, {}).get("tables", {}).get(table, [])
    return {row["key"]: _number(row.get("values", row).get(column)) for row in rows}


def figures_of(snapshot: dict) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """KPI code -> (this year's target, last year's actual) of a frozen plan."""
    targets = _column(snapshot, "products", "targets", "target")
    actuals = _column(snapshot, "background", "results", "last_actual")
    return {code: (targets.get(code), actuals.get(code)) for code in targets.keys() | actuals}


def figure_rows(model, plan_id: int, kpis, snapshot: dict) -> list:
    """Unsaved ``model`` rows (KpiFigure, or its historical model in a migration) for one
    plan: ``kpis`` is the cycle's catalogue with ``code`` and ``base_id``."""
    figures = figures_of(snapshot)
    codes = {kpi.pk: kpi.code for kpi in kpis}
    rows = []
    for kpi in kpis:
        target, actual = figures.get(kpi.code, (None, None))
        base_target, base_actual = figures.get(codes.get(kpi.base_id), (None, None))
        rows.append(
            model(
                plan_id=plan_id,
                kpi_id=kpi.pk,
                target=target,
                last_actual=actual,
                base_target=base_target,
                base_last_actual=base_actual,
            )
        )
    return rows


def record_figures(version, kpis) -> None:
    """Replace the plan's counted figures by those of ``version`` (two queries);
    ``kpis`` is the plan's catalogue, already read."""
    from .models import KpiFigure

    KpiFigure.objects.filter(plan=version.plan_id).delete()
    KpiFigure.objects.bulk_create(figure_rows(KpiFigure, version.plan_id, kpis, version.snapshot))
