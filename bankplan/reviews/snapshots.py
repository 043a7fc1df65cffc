"""A plan frozen as plain data, and that data read back for people.

The snapshot stores raw values (choice codes, numbers as text); labels and choice names
are looked up when it is shown, so a version reads in the reader's language.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _

from bankplan.lib import figures
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


def shown(model, name: str, value) -> str:
    """A snapshot value as a person reads it."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "；".join(value) if value else "–"
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DecimalField):
        return figures.wan(Decimal(value), field.decimal_places)
    return str(value)


@dataclass(frozen=True)
class ShownTable:
    table: Table
    headers: list[str]
    rows: list[tuple[dict, list[str]]]  # (the raw row, its cells as shown)


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


def show_section(section: Section, data: dict) -> ShownSection:
    model = section.model
    fields = [
        (label(model, name), shown(model, name, value)) for name, value in data["fields"].items()
    ]
    tables = []
    for table in section.tables:
        row_model = table.row_model
        columns = table.columns
        headers = ([_("KPI")] if table.fixed else []) + [label(row_model, c) for c in columns]
        rows = []
        for row in data["tables"].get(table.name, []):
            cells = [shown(row_model, c, row.get(c)) for c in columns]
            rows.append((row, ([row["label"]] if table.fixed else []) + cells))
        tables.append(ShownTable(table, headers, rows))
    return ShownSection(section, fields, tables)


def show_snapshot(snapshot: dict) -> list[ShownSection]:
    return [
        show_section(s, snapshot["sections"][s.key])
        for s in SECTIONS
        if s.key in snapshot["sections"]
    ]
