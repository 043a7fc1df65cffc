"""Reading an uploaded sheet of figures: one row per unit (its code in column A, its name
in B, both as the downloaded template has them), one column per KPI from C on, headed by
the KPI's code in row 1. Rows without a code (the template's second header row, blank
lines) are skipped. Shared by the allocations upload and the official actuals import.

A sheet is taken whole or not at all: every problem is reported where a person finds it
(row and column), and the entries count only when there is none.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from bankplan.organisation.models import Unit
from bankplan.plans.models import Kpi
from bankplan.plans.sections.kpi_rows import figure_error

Entry = tuple[Unit, Kpi, Decimal | None]

HEADER_ROW = 1
CODE_COLUMN, FIRST_KPI_COLUMN = 1, 3
XLSX, CSV = "xlsx", "csv"
# What an XLSX file (a zip archive) starts with, whatever it is called.
ZIP_MAGIC = b"PK\x03\x04"
# Excel saves a CSV as UTF-8 with a byte-order mark when asked, otherwise in the local
# code page: GB18030 (a superset of GBK) on Chinese Windows.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class SheetError:
    """A problem in an uploaded sheet, where a person finds it: a row (None for the
    header) and a column, with the KPI code heading the column if there is one; neither
    for the file as a whole."""

    row: int | None
    column: str  # the column's letter
    message: str
    kpi: str = ""

    def __str__(self):
        where = {"row": self.row, "column": self.column, "kpi": self.kpi}
        if not self.column:
            return self.message
        if self.row is None:
            place = _("Column %(column)s") % where
        elif self.kpi:
            place = _("Row %(row)s, column %(column)s (%(kpi)s)") % where
        else:
            place = _("Row %(row)s, column %(column)s") % where
        return f"{place}: {self.message}"


def file_error(message: str) -> list[SheetError]:
    return [SheetError(None, "", message)]


def read_rows(
    file, *, max_bytes: int, max_rows: int, formats: Iterable[str] = (XLSX,)
) -> tuple[list[tuple], list[SheetError]]:
    """The rows of an uploaded file (the header first), as tuples of cell values; or
    the reason the file cannot be read. An XLSX file is known by its content, whatever
    its name; anything else is read as CSV where ``formats`` allow it."""
    if getattr(file, "size", 0) > max_bytes:
        return [], file_error(_("The file is over %(mb)s MB.") % {"mb": max_bytes // 2**20})
    head = file.read(len(ZIP_MAGIC))
    file.seek(0)
    if head == ZIP_MAGIC or CSV not in formats:
        rows, errors = _xlsx_rows(file, max_rows)
    else:
        rows, errors = _csv_rows(file, max_rows)
    if not errors and len(rows) > max_rows + HEADER_ROW + 1:  # the rows, two header rows
        errors = file_error(
            _("A sheet holds at most %(rows)s rows, one per unit.") % {"rows": max_rows}
        )
    return ([] if errors else rows), errors


def _xlsx_rows(file, max_rows: int) -> tuple[list[tuple], list[SheetError]]:
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises whatever its zip and XML readers meet
        return [], file_error(_("This is not an XLSX file."))
    try:
        return list(book.active.iter_rows(values_only=True, max_row=max_rows + 3)), []
    finally:
        book.close()


def _csv_rows(file, max_rows: int) -> tuple[list[tuple], list[SheetError]]:
    data = file.read()
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], file_error(_("This is neither an XLSX file nor a CSV file."))
    if "\x00" in text:  # binary content that happened to decode
        return [], file_error(_("This is neither an XLSX file nor a CSV file."))
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = [tuple(row) for _number, row in zip(range(max_rows + 3), reader, strict=False)]
    except csv.Error:
        return [], file_error(_("This is neither an XLSX file nor a CSV file."))
    return rows, []


def text(value) -> str:
    """A cell as text: a number keeps its shortest form (1234.56, not the float's binary
    expansion; a code Excel took for a number, 1001.0, reads 1001)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _kpi_columns(header, kpis: dict[str, Kpi], errors: list) -> dict[int, Kpi]:
    """Column index -> KPI, from the codes of the header row."""
    columns, seen = {}, {}
    for index, value in enumerate(header[FIRST_KPI_COLUMN - 1 :], start=FIRST_KPI_COLUMN):
        code = text(value)
        if not code:
            continue
        letter = get_column_letter(index)
        if code not in kpis:
            message = _("“%(code)s” is no KPI code of this cycle.") % {"code": code}
            errors.append(SheetError(None, letter, message))
        elif code in seen:
            message = _("KPI %(code)s is also in column %(first)s.") % {
                "code": code,
                "first": seen[code],
            }
            errors.append(SheetError(None, letter, message))
        else:
            seen[code] = letter
            columns[index] = kpis[code]
    return columns


def read_figures(
    rows: list[tuple],
    *,
    kpis: Iterable[Kpi],
    units: Callable[[set[str]], dict[str, Unit]],
    refuse: Callable[[Unit], str],
    field: forms.DecimalField,
) -> tuple[list[Entry], list[SheetError], int]:
    """The entries of the rows ``read_rows`` gave (an empty cell: None), every problem
    in them by row and column, and how many unit rows there were. ``units`` gives the
    units of a set of codes (by code); ``refuse`` why a unit may not be on the sheet ("":
    it may); ``field`` cleans a cell's figure, which must then suit its KPI
    (``figure_error``). Entries count only when there is no error."""
    errors: list[SheetError] = []
    columns = _kpi_columns(rows[0] if rows else (), {kpi.code: kpi for kpi in kpis}, errors)
    if not columns and not errors:
        errors.append(SheetError(HEADER_ROW, "C", _("No KPI codes in the header row.")))
    numbered = [
        (number, row, text(row[CODE_COLUMN - 1]) if row else "")
        for number, row in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1)
    ]
    numbered = [(number, row, code) for number, row, code in numbered if code]
    found = units({code for _number, _row, code in numbered})
    letters = {index: get_column_letter(index) for index in columns}
    entries, first_row = [], {}
    for number, row, code in numbered:
        unit = found.get(code)
        if unit is None:
            message = _("No unit has the code “%(code)s”.") % {"code": code}
            errors.append(SheetError(number, "A", message))
            continue
        if code in first_row:
            message = _("%(code)s is also on row %(first)s.") % {
                "code": code,
                "first": first_row[code],
            }
            errors.append(SheetError(number, "A", message))
            continue
        first_row[code] = number
        if message := refuse(unit):
            errors.append(SheetError(number, "A", message))
            continue
        for index, kpi in columns.items():
            value = row[index - 1] if index <= len(row) else None
            try:
                figure = _cell_figure(field, kpi, value)
            except ValidationError as error:
                errors += [SheetError(number, letters[index], m, kpi.code) for m in error.messages]
                continue
            entries.append((unit, kpi, figure))
    return ([] if errors else entries), errors, len(numbered)


def _cell_figure(field: forms.DecimalField, kpi: Kpi, value) -> Decimal | None:
    """The figure a cell gives (None: empty); ValidationError for what the screens would
    refuse too (not a number, too many places, negative, not whole, over 100%)."""
    figure = field.clean(text(value))
    if figure is not None and (error := figure_error(kpi, figure)):
        raise error
    return figure
