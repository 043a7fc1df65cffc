"""What changed between two versions, section by section."""

import difflib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from bankplan.plans.sections.base import Section, Table
from bankplan.plans.sections.registry import SECTIONS

from .snapshots import label, shown, shown_change


def marked_diff(old: str, new: str) -> SafeString:
    """One text with deletions in <del> and insertions in <ins>, character by character
    (Chinese has no spaces to split words on)."""
    parts = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(old[a1:a2]))
        if op in {"delete", "replace"}:
            parts.append(f"<del>{escape(old[a1:a2])}</del>")
        if op in {"insert", "replace"}:
            parts.append(f"<ins>{escape(new[b1:b2])}</ins>")
    return mark_safe("".join(parts))  # every piece of user text went through escape()


def _number(value) -> Decimal | None:
    try:
        return Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str
    marked: SafeString
    delta: Decimal | None = None  # for figures: new minus old
    delta_shown: str = ""  # the delta as the figures are written: "+1,200.00"


def _change(model, name, old, new, measure: str | None = None) -> Change | None:
    if old == new:
        return None
    before, after = shown(model, name, old, measure), shown(model, name, new, measure)
    old_number, new_number = _number(old), _number(new)
    if old_number is None or new_number is None:
        return Change(label(model, name), before, after, marked_diff(before, after))
    delta = new_number - old_number
    # A figure is read whole: 2,600 -> 2,800, not a changed digit inside it.
    return Change(
        label(model, name),
        before,
        after,
        format_html("<del>{}</del> → <ins>{}</ins>", before, after),
        delta,
        shown_change(model, name, delta, measure),
    )


@dataclass(frozen=True)
class RowDiff:
    kind: str  # "added", "removed" or "changed"
    label: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class TableDiff:
    table: Table
    rows: list[RowDiff]


@dataclass(frozen=True)
class SectionDiff:
    section: Section
    fields: list[Change]
    tables: list[TableDiff]

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.tables)


def diff_table(table: Table, old_rows: list[dict], new_rows: list[dict]) -> TableDiff | None:
    old_by_key = {row["key"]: row for row in old_rows}
    new_by_key = {row["key"]: row for row in new_rows}
    rows = []
    for row in new_rows:
        before = old_by_key.get(row["key"])
        if before is None:
            rows.append(RowDiff("added", row["label"]))
            continue
        changes = [
            c
            for name in table.columns
            if (
                c := _change(
                    table.row_model, name, before.get(name), row.get(name), row.get("measure")
                )
            )
        ]
        if changes:
            rows.append(RowDiff("changed", row["label"], changes))
    rows += [RowDiff("removed", row["label"]) for row in old_rows if row["key"] not in new_by_key]
    return TableDiff(table, rows) if rows else None


def diff_snapshots(old: dict, new: dict) -> list[SectionDiff]:
    diffs = []
    for section in SECTIONS:
        before = old["sections"].get(section.key, {"fields": {}, "tables": {}})
        after = new["sections"].get(section.key, {"fields": {}, "tables": {}})
        fields = [
            c
            for name in after["fields"]
            if (
                c := _change(section.model, name, before["fields"].get(name), after["fields"][name])
            )
        ]
        tables = [
            d
            for table in section.tables
            if (
                d := diff_table(
                    table, before["tables"].get(table.name, []), after["tables"].get(table.name, [])
                )
            )
        ]
        diffs.append(SectionDiff(section, fields, tables))
    return diffs
