"""What changed between two versions, chapter by chapter.

Both sides are documents read from their snapshots (``documents/reader.py``), so two
versions of different schemas compare, and every value is compared as what it is: a
figure as a number whatever type it was stored as, a choice by its code, text as text.
"""

import difflib
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from bankplan.documents import values
from bankplan.documents.document import Cell, Chapter, Column, Document, Row, Table
from bankplan.documents.reader import read, read_chapter
from bankplan.plans.sections.describe import Kind
from bankplan.plans.sections.registry import SECTIONS

EMPTY = "–"
TEXTS = (Kind.TEXT, Kind.LONG_TEXT)  # diffed character by character; the rest read whole
REWRITTEN = 0.4  # texts sharing less than this are shown old and new, not marked inside


def marked_diff(old: str, new: str) -> SafeString:
    """One text with deletions in <del> and insertions in <ins>, character by character
    (Chinese has no spaces to split words on). A text rewritten rather than edited reads
    better whole than as a scatter of single characters kept."""
    parts = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    if matcher.ratio() < REWRITTEN:
        return format_html("<del>{}</del> → <ins>{}</ins>", old, new)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(old[a1:a2]))
        if op in {"delete", "replace"}:
            parts.append(f"<del>{escape(old[a1:a2])}</del>")
        if op in {"insert", "replace"}:
            parts.append(f"<ins>{escape(new[b1:b2])}</ins>")
    return mark_safe("".join(parts))  # every piece of user text went through escape()


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str
    marked: SafeString
    delta: Decimal | None = None  # for figures: new minus old
    delta_shown: str = ""  # the delta as the figures are written: "+1,200.00"


@dataclass(frozen=True)
class RowDiff:
    kind: str  # "added", "removed" or "changed"
    label: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class TableDiff:
    title: str
    rows: list[RowDiff]


@dataclass(frozen=True)
class SectionDiff:
    number: int
    key: str
    title: str
    fields: list[Change]
    tables: list[TableDiff]

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.tables)

    @property
    def count(self) -> int:
        """How many fields and rows changed: what the compare page's contents show."""
        return len(self.fields) + sum(len(table.rows) for table in self.tables)


def _figures(old: Cell | None, new: Cell | None) -> tuple[Decimal | None, Decimal | None]:
    """Both values as numbers, if either side is a figure and both read as one."""
    if not any(cell and cell.column.figure for cell in (old, new)):
        return None, None
    return (values.number(old.value) if old else None, values.number(new.value) if new else None)


def _same(old: Cell | None, new: Cell | None) -> bool:
    before, after = _figures(old, new)
    if before is not None and after is not None:
        return before == after  # 20 and "20.0" are the same headcount
    both_choices = old and new and old.column.kind == new.column.kind == Kind.CHOICE
    if both_choices:
        return str(old.value) == str(new.value)  # a label reworded since is no change
    return (old.shown if old else "") == (new.shown if new else "")


def _change(old: Cell | None, new: Cell | None, new_row: Row | None = None) -> Change | None:
    if _same(old, new):
        return None
    label = (new or old).label
    before = (old.shown if old else "") or EMPTY
    after = (new.shown if new else "") or EMPTY
    old_number, new_number = _figures(old, new)
    if old_number is not None and new_number is not None:
        # A figure is read whole: 2,600 -> 2,800, not a changed digit inside it.
        delta = new_number - old_number
        kpi = new_row.kpi if new_row else None
        unit = _unit(new, new_row)
        shown = values.shown_change(new.column, delta, kpi=kpi, unit=unit)
        marked = format_html("<del>{}</del> → <ins>{}</ins>", before, after)
        return Change(label, before, after, marked, delta, shown)
    if all(cell is None or cell.column.kind in TEXTS for cell in (old, new)):
        return Change(label, before, after, marked_diff(before, after))
    return Change(label, before, after, format_html("<del>{}</del> → <ins>{}</ins>", before, after))


def _unit(cell: Cell, row: Row | None) -> str | None:
    if not (row and cell.column.unit_from):
        return None
    unit_cell = row.by_name.get(cell.column.unit_from)
    return (unit_cell.value or None) if unit_cell else None


def _stored(columns) -> list[Column]:
    return [column for column in columns if not column.derived]


def _pairs(old: list, new: list, name) -> list[tuple]:
    """Items of both sides matched by name: the new side's order, then what went."""
    old_by_name = {name(item): item for item in old}
    new_names = {name(item) for item in new}
    pairs = [(old_by_name.get(name(item)), item) for item in new]
    return pairs + [(item, None) for item in old if name(item) not in new_names]


def _diff_row(old: Row, new: Row, old_columns, new_columns) -> list[Change]:
    names = _pairs([c.name for c in old_columns], [c.name for c in new_columns], str)
    changes = []
    for before, after in names:
        name = after or before
        if change := _change(old.by_name.get(name), new.by_name.get(name), new):
            changes.append(change)
    return changes


def diff_table(old: Table | None, new: Table | None) -> TableDiff | None:
    old_rows = list(old.rows) if old else []
    new_rows = list(new.rows) if new else []
    old_columns = _stored(old.columns) if old else []
    new_columns = _stored(new.columns) if new else []
    rows = []
    for before, after in _pairs(old_rows, new_rows, lambda row: row.key):
        if after is None:
            rows.append(RowDiff("removed", before.label))
        elif before is None:
            rows.append(RowDiff("added", after.label))
        elif changes := _diff_row(before, after, old_columns, new_columns):
            rows.append(RowDiff("changed", after.label, changes))
    return TableDiff((new or old).title, rows) if rows else None


def diff_chapters(old: Chapter | None, new: Chapter | None) -> SectionDiff:
    old_fields = list(old.fields) if old else []
    new_fields = list(new.fields) if new else []
    fields = [
        change
        for before, after in _pairs(old_fields, new_fields, lambda cell: cell.column.name)
        if (change := _change(before, after))
    ]
    tables = [
        diff
        for before, after in _pairs(
            list(old.tables) if old else [], list(new.tables) if new else [], lambda t: t.name
        )
        if (diff := diff_table(before, after))
    ]
    shown = new or old
    return SectionDiff(shown.number, shown.key, shown.title, fields, tables)


def section_diffs(old: Document, new: Document) -> list[SectionDiff]:
    """Every chapter of either side, changed or not, in the new document's order."""
    return [
        diff_chapters(before, after)
        for before, after in _pairs(list(old.chapters), list(new.chapters), lambda c: c.key)
    ]


def diff_documents(old: Document, new: Document) -> list[SectionDiff]:
    """The chapters that changed, in the new document's order."""
    return [diff for diff in section_diffs(old, new) if diff.changed]


def diff_snapshots(
    old: dict, new: dict, *, language: str | None = None, unchanged: bool = False
) -> list[SectionDiff]:
    """``unchanged``: keep the chapters that did not change too (the compare page numbers
    every section, so a reader sees which were left as they were)."""
    language = language or get_language() or settings.LANGUAGE_CODE
    documents = read(old, language=language), read(new, language=language)
    return section_diffs(*documents) if unchanged else diff_documents(*documents)


def diff_section(key: str, before: dict, after: dict, *, language: str | None = None):
    """What changed in one section between two of its states (``Section.snapshot`` data,
    as the audit log keeps a save's), numbered as the section is in a plan."""
    language = language or get_language() or settings.LANGUAGE_CODE
    diff = diff_chapters(
        *(read_chapter(key, state, language=language) for state in (before, after))
    )
    number = next((s.number for s in SECTIONS if s.key == key), diff.number)
    return replace(diff, number=number)
