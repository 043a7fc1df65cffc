"""A plan frozen as plain data, and that data read back for people.

The snapshot stores raw values (choice codes, numbers as text); labels and choice names
are looked up when it is shown, so a version reads in the reader's language.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _

from bankplan.lib import figures
from bankplan.plans.models import Measure
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.base import Section, Table
from bankplan.plans.sections.registry import SECTIONS


def snapshot_plan(plan) -> dict:
    plan = load_plan(plan)
    return {
        "cycle": plan.cycle.name,
        "branch": plan.branch.name,
        "sections": {s.key: s.snapshot(s.content_of(plan)) for s in SECTIONS},
    }


def label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def is_figure(model, name: str) -> bool:
    field = model._meta.get_field(name)
    return not field.choices and isinstance(field, models.DecimalField | models.IntegerField)


def shown(model, name: str, value, measure: str | None = None) -> str:
    """A snapshot value as a person reads it; ``measure`` is a KPI row's unit."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "；".join(value) if value else "–"
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if measure and isinstance(field, models.DecimalField):
        return figures.in_measure(Decimal(value), measure)
    if isinstance(field, models.DecimalField):
        return figures.wan(Decimal(value), field.decimal_places)
    if isinstance(field, models.IntegerField):
        return figures.count(value)
    return str(value)


def shown_change(model, name: str, delta: Decimal, measure: str | None = None) -> str:
    """A signed difference of two snapshot figures, written like the figures."""
    if measure:
        return figures.change_in_measure(delta, measure)
    return figures.signed(delta, lambda size: shown(model, name, size))


@dataclass(frozen=True)
class Cell:
    text: str
    figure: bool = False  # figures are right-aligned, as in the plan


@dataclass(frozen=True)
class ShownTable:
    table: Table
    headers: list[Cell]
    rows: list[tuple[dict, list[Cell]]]  # (the raw row, its cells as shown)


@dataclass(frozen=True)
class ShownSection:
    section: Section
    fields: list[tuple[str, str]]
    tables: list[ShownTable]

    @property
    def row_choices(self) -> list[tuple[str, str]]:
        """Rows a comment can be attached to: (``table:key``, what the reader sees)."""
        return [
            (f"{shown.table.name}:{row['key']}", f"{shown.table.title}: {row['label']}")
            for shown in self.tables
            for row, _cells in shown.rows
        ]


def _kpi_unit(measure: str | None) -> str:
    return str(Measure(measure).label) if measure in Measure.values else "–"


def show_table(table: Table, rows: list[dict]) -> ShownTable:
    model, columns = table.row_model, table.columns
    headers = [Cell(label(model, c), is_figure(model, c)) for c in columns]
    if table.fixed:  # one row per KPI: its name and unit first, as in the plan
        headers = [Cell(_("KPI")), Cell(_("Unit")), *headers]
    shown_rows = []
    for row in rows:
        measure = row.get("measure")
        cells = [Cell(shown(model, c, row.get(c), measure), is_figure(model, c)) for c in columns]
        if table.fixed:
            cells = [Cell(row["label"]), Cell(_kpi_unit(measure)), *cells]
        shown_rows.append((row, cells))
    return ShownTable(table, headers, shown_rows)


def show_section(section: Section, data: dict) -> ShownSection:
    model = section.model
    fields = [
        (label(model, name), shown(model, name, value)) for name, value in data["fields"].items()
    ]
    tables = [show_table(t, data["tables"].get(t.name, [])) for t in section.tables]
    return ShownSection(section, fields, tables)


def show_snapshot(snapshot: dict) -> list[ShownSection]:
    return [
        show_section(s, snapshot["sections"][s.key])
        for s in SECTIONS
        if s.key in snapshot["sections"]
    ]
