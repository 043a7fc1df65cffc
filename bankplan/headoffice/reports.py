"""The dashboard's tables as ``tables.Table``: what the CSV and XLSX exports hold, column
for column what the page shows."""

from django.db.models import BooleanField, Case, F, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from bankplan.plans.models import Status

from . import deadlines, rollup
from .tables import KIND_OF_MEASURE, Column, ColumnKind, Table

STATE_LABELS = {rollup.NOT_STARTED: pgettext_lazy("plan", "Not started"), **dict(Status.choices)}


def state_labels():
    return [STATE_LABELS[state] for state in rollup.STATES]


def branch_filter_choices():
    return [("late", gettext_lazy("Late")), *STATE_LABELS.items()]


def group_label(group: rollup.Group) -> str:
    if group.direct:
        return _("Directly under %(unit)s") % {"unit": group.unit.name}
    return group.unit.name


def _name(cycle, unit, table: str) -> str:
    return f"{table}-{cycle.year}-{unit.code}"


def progress_table(cycle, unit, groups, whole) -> Table:
    columns = [
        Column("unit", _("Unit")),
        Column("total", _("Branches"), ColumnKind.INTEGER),
        *(Column(state, str(STATE_LABELS[state]), ColumnKind.INTEGER) for state in rollup.STATES),
        Column("late", _("Late"), ColumnKind.INTEGER),
        Column("approved_share", _("Approved (%)"), ColumnKind.PERCENT),
    ]

    def row(label, group):
        counts = [count for _state, count in group.state_counts]
        share = group.approved_share
        return (
            label,
            group.total,
            *counts,
            group.late,
            round(share, 1) if share is not None else None,
        )

    rows = [row(group_label(group), group) for group in groups]
    rows.append(row(_("Total: %(unit)s") % {"unit": unit.name}, whole))
    return Table(
        _("Progress of %(cycle)s: %(unit)s") % {"cycle": cycle.name, "unit": unit.name},
        _name(cycle, unit, "progress"),
        columns,
        rows,
    )


def _line_values(line: rollup.KpiLine) -> tuple:
    return (
        line.last_actual,
        line.target,
        line.growth,
        line.allocated,
        line.gap,
        line.sums.plans,
        line.sums.drafts,
        line.sums.draft_target if not line.weighted else None,
    )


def _line_columns(kind: ColumnKind) -> list[Column]:
    return [
        Column("last_actual", _("Last year's actual"), kind),
        Column("target", _("Target of the plans"), kind),
        # A literal "%" that xgettext would take for a "% o" directive.
        # xgettext:no-python-format
        Column("growth", _("Growth (% or pp)"), ColumnKind.PERCENT),
        Column("allocated", _("Allocated target"), kind),
        Column("gap", _("Plans against allocation"), kind),
        Column("plans", _("Plans counted"), ColumnKind.INTEGER),
        Column("drafts", _("Plans in drafts"), ColumnKind.INTEGER),
        Column("draft_target", _("Target in drafts (not counted)"), kind),
    ]


def summary_table(cycle, unit, rolled: rollup.Rollup) -> Table:
    """Every KPI for the unit as a whole. Units differ by row, so the figures are plain
    decimals (two places) with the unit in a column of its own."""
    columns = [
        Column("code", _("KPI code")),
        Column("kpi", _("KPI")),
        Column("measure", _("Unit")),
        Column("aggregation", _("Roll-up")),
        *_line_columns(ColumnKind.AMOUNT),
    ]
    rows = [
        (
            line.kpi.code,
            line.kpi.display_name,
            line.kpi.get_measure_display(),
            line.kpi.get_aggregation_display(),
            *_line_values(line),
        )
        for line in rolled.whole
    ]
    return Table(
        _("KPI roll-up of %(cycle)s: %(unit)s") % {"cycle": cycle.name, "unit": unit.name},
        _name(cycle, unit, "kpis"),
        columns,
        rows,
    )


def kpi_table(cycle, unit, kpi, by_group) -> Table:
    columns = [Column("unit", _("Unit")), *_line_columns(KIND_OF_MEASURE[kpi.measure])]
    rows = [(group_label(group), *_line_values(line)) for group, line in by_group]
    return Table(
        _("%(kpi)s (%(measure)s) by unit, %(cycle)s: %(unit)s")
        % {
            "kpi": kpi.display_name,
            "measure": kpi.get_measure_display(),
            "cycle": cycle.name,
            "unit": unit.name,
        },
        _name(cycle, unit, f"kpi-{kpi.code}"),
        columns,
        rows,
    )


def branch_rows(cycle, unit, *, query: str = "", state: str = "", direct: bool = False):
    """The branches below ``unit`` (``direct``: those hanging from it directly) as dicts
    with their plan of ``cycle``, deadline and lateness; ordered and paged by the caller
    (by ``code``)."""
    extensions = deadlines.granted(cycle)
    late = deadlines.late(cycle, extensions)
    rows = rollup.with_cycle_plan(rollup.branches_below(unit), cycle)
    if direct:
        rows = rows.filter(parent=unit)
    if query:
        rows = rows.filter(Q(code__istartswith=query) | Q(name__icontains=query))
    if state == "late":
        rows = rows.filter(late)
    elif state == rollup.NOT_STARTED:
        rows = rows.filter(cycle_plan__isnull=True)
    elif state:
        rows = rows.filter(cycle_plan__status=state)
    return rows.values(
        "code",
        "name",
        plan_id=F("cycle_plan__id"),
        status=F("cycle_plan__status"),
        changed=F("cycle_plan__updated_at"),
        group=F("parent__name"),
        deadline=deadlines.deadline_expression(cycle, extensions),
        late=Case(When(late, then=Value(True)), default=Value(False), output_field=BooleanField()),
    )


def branches_table(cycle, unit) -> Table:
    """Every branch below the unit, streamed from the database in chunks."""
    columns = [
        Column("code", _("Branch code")),
        Column("name", _("Branch")),
        Column("group", _("Above it")),
        Column("status", _("Plan status")),
        Column("deadline", _("Deadline")),
        Column("late", _("Late")),
    ]
    rows = (
        (
            row["code"],
            row["name"],
            row["group"],
            str(STATE_LABELS[row["status"] or rollup.NOT_STARTED]),
            row["deadline"].isoformat(),
            _("yes") if row["late"] else "",
        )
        for row in branch_rows(cycle, unit).order_by("code").iterator(chunk_size=2000)
    )
    return Table(
        _("Branches of %(unit)s, %(cycle)s") % {"cycle": cycle.name, "unit": unit.name},
        _name(cycle, unit, "branches"),
        columns,
        rows,
    )
