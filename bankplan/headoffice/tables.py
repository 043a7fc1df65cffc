"""A dashboard table as plain data, so that the page, the CSV and the XLSX show the same
columns and figures. ``rows`` may be a generator reading the database in chunks: an export
never holds a large table in memory."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ColumnKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"  # counts: branches, customers, cards
    AMOUNT = "amount"  # 万元, two decimals
    PERCENT = "percent"  # a percentage figure, e.g. 1.25 for 1.25 %


# How a KPI's figures are written in a table, by the KPI's unit.
KIND_OF_MEASURE = {
    "wan_yuan": ColumnKind.AMOUNT,
    "customers": ColumnKind.INTEGER,
    "cards": ColumnKind.INTEGER,
    "percent": ColumnKind.PERCENT,
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # translated when the table is built
    kind: ColumnKind = ColumnKind.TEXT


@dataclass
class Table:
    title: str
    filename: str  # without extension, ASCII (e.g. "progress-2027-R01")
    columns: list[Column]
    rows: Iterable[tuple]  # one value per column: str, int, Decimal or None
