"""A plan as a document: what the overview, a version's page, the comparison and the PDF
all show, with one set of section templates (``templates/plans/sections/``).

A document is read from a snapshot (``reader.py``), whether the snapshot was just taken
of the live plan or frozen into a version years ago. Everything in it is already in the
reader's language and written out (``values.py``); templates only lay it out.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from bankplan.plans.sections.describe import FIGURES, Kind


def pick(texts, language: str) -> str:
    """The text in ``language`` from ``{"zh-hans": ..., "en": ...}`` (or a plain string),
    falling back to whatever language there is."""
    if not isinstance(texts, dict):
        return "" if texts is None else str(texts)
    if language in texts:
        return texts[language]
    base = "zh-hans" if language.startswith("zh") else language.split("-")[0]
    return texts.get(base) or next(iter(texts.values()), "")


def _width(text: str) -> int:
    """Printed width in Latin letters: a Chinese character takes two."""
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


DENSE_FIGURES = 5  # figure columns an A4 page prints at full size beside a KPI's name


@dataclass(frozen=True)
class Column:
    """A section field or a table column: its label in the reader's language, its kind."""

    name: str
    label: str
    kind: str
    places: int = 2
    choices: tuple[tuple[object, str], ...] = ()
    unit_from: str = ""  # the column naming the unit this figure is counted in
    merged: bool = False  # written inside another column (a figure's unit), not on its own
    derived: bool = False  # worked out when shown, not stored (and so never diffed)
    # how a cell is laid out beyond its text: "long" (line breaks kept), "items" (a list),
    # "boolean" (a mark), "badge" (a priority), "code" (a choice's code), "note" (under
    # the table, row by row: a reason beside a dense table of figures); "" plain text
    shape: str = ""

    @property
    def figure(self) -> bool:
        return self.kind in FIGURES

    @property
    def long(self) -> bool:
        return self.kind == Kind.LONG_TEXT

    @property
    def narrow(self) -> bool:
        """A column of a few short words at most (yes/no, months, priorities)."""
        if self.kind == Kind.BOOLEAN:
            return True
        return (
            self.kind == Kind.CHOICE
            and bool(self.choices)
            and all(_width(label) <= 10 for _code, label in self.choices)
        )

    @cached_property
    def header_class(self) -> str:
        if self.figure:
            return "text-end"
        if self.kind == Kind.BOOLEAN:
            return "text-center col-narrow"
        return "col-narrow" if self.narrow or self.shape == "code" else ""

    @cached_property
    def cell_class(self) -> str:
        if self.figure:
            return "text-end text-nowrap"
        return "text-center" if self.kind == Kind.BOOLEAN else ""

    def choice_label(self, code) -> str:
        for choice, label in self.choices:
            if choice == code or str(choice) == str(code):
                return label
        return str(code)  # a code no longer described: shown as stored


@dataclass(frozen=True)
class Cell:
    """One value: as stored (a code, a figure as text …) and as a person reads it."""

    column: Column
    value: object
    shown: str  # "" when empty
    items: tuple[str, ...] = ()  # for links: the name of each linked row
    short: bool = False  # a gap to the allocated target that falls short: marked

    @property
    def label(self) -> str:
        return self.column.label


@dataclass(frozen=True)
class Kpi:
    """The KPI of a row in a KPI table, as it was when the snapshot was taken."""

    code: str
    name: str
    measure: str
    unit: str
    direction: str
    is_balance: bool


@dataclass(frozen=True)
class Row:
    key: str  # what identifies the row across versions: its KPI's code, or its id
    label: str
    cells: tuple[Cell, ...]
    kpi: Kpi | None = None
    marked: bool = False  # stands out from the others (a segment pursued)

    @cached_property
    def by_name(self) -> dict[str, Cell]:
        return {cell.column.name: cell for cell in self.cells}

    @cached_property
    def shown_cells(self) -> list[Cell]:
        return [cell for cell in self.cells if not cell.column.merged]


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    kpi: bool = False  # one row per KPI: its name and unit lead each row
    known: bool = True  # today's section has every column: a custom layout may be used

    @cached_property
    def shown_columns(self) -> list[Column]:
        return [column for column in self.columns if not column.merged]

    @cached_property
    def notes(self) -> list[tuple[Row, Cell]]:
        """The filled cells of "note" columns, each with its row, as printed under the
        table."""
        return [
            (row, cell)
            for row in self.rows
            for cell in row.cells
            if cell.column.shape == "note" and cell.shown
        ]

    @property
    def dense(self) -> bool:
        """Many figures side by side (a target, its allocation and the gap, four
        quarters): printed smaller to leave the KPI's name room on the page."""
        return sum(column.figure for column in self.shown_columns) > DENSE_FIGURES


@dataclass(frozen=True)
class Chapter:
    """One section of the plan in the document."""

    number: int
    key: str
    title: str
    fields: tuple[Cell, ...]
    tables: tuple[Table, ...]
    template: str
    known: frozenset[str] = frozenset()  # the names today's section lays out itself
    # What the plan check found in this section (``plancheck.engine.Finding``s); None
    # where nobody checked (a comparison of two versions).
    findings: tuple | None = None

    @property
    def blocking(self) -> list:
        return [finding for finding in self.findings or () if finding.blocks]

    @property
    def complete(self) -> bool:
        """Nothing in the section keeps the plan from being submitted."""
        return not self.blocking

    @cached_property
    def parts(self) -> dict[str, Cell | Table]:
        """Fields and tables by name, for a section's own template."""
        return {cell.column.name: cell for cell in self.fields} | {t.name: t for t in self.tables}

    @cached_property
    def other_fields(self) -> list[Cell]:
        """Fields today's section does not have (renamed or removed since the snapshot):
        shown after the rest, under the labels they were stored with."""
        return [cell for cell in self.fields if cell.column.name not in self.known]

    @cached_property
    def other_tables(self) -> list[Table]:
        return [table for table in self.tables if table.name not in self.known]

    @property
    def row_choices(self) -> list[tuple[str, str]]:
        """Rows a comment can be attached to: (``table:key``, what the reader sees)."""
        return [
            (f"{table.name}:{row.key}", f"{table.title}: {row.label}")
            for table in self.tables
            for row in table.rows
        ]


@dataclass(frozen=True)
class Facts:
    """What the cover and the headings say about the plan and this state of it."""

    bank: str = ""  # the head office's name
    region: str = ""
    branch: str = ""
    branch_code: str = ""
    cycle: str = ""
    year: int | None = None
    author: str = ""
    status: str = ""  # as shown: 草稿, 已提交, 已批准 …
    draft: bool = True  # marked DRAFT until approved
    version: int | None = None
    submitted_by: str = ""
    submitted_at: datetime | None = None
    approved_by: str = ""
    approved_at: datetime | None = None
    date: datetime | None = None  # what the document is dated


@dataclass(frozen=True)
class Document:
    facts: Facts
    chapters: tuple[Chapter, ...]
    language: str
    # The cycle's KPI catalogue when the snapshot was taken (older snapshots: empty), so a
    # check knows the KPIs a table has no row for yet.
    catalogue: tuple[Kpi, ...] = ()

    def chapter(self, key: str) -> Chapter | None:
        return next((chapter for chapter in self.chapters if chapter.key == key), None)

    @property
    def findings(self) -> list:
        return [finding for chapter in self.chapters for finding in chapter.findings or ()]

    @property
    def kpi_rows(self) -> list[Row]:
        """Every row of every KPI table, in the order of the plan."""
        return [
            row
            for chapter in self.chapters
            for table in chapter.tables
            if table.kpi
            for row in table.rows
            if row.kpi
        ]
