"""A dashboard table as a download: CSV streamed row by row, XLSX built in a temporary
file. Neither holds the table in memory: rows are pulled from ``table.rows`` (a generator
reading the database in chunks) and written out at once.
"""

import csv
import re
import tempfile
import unicodedata
from decimal import Decimal
from itertools import batched

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .tables import Column, ColumnKind, Table

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel reads a CSV as the local ANSI code page (GBK on Chinese Windows) unless it starts
# with a byte-order mark.
BOM = "\ufeff"

# Text a spreadsheet would take for a formula (CSV injection): a branch name typed as
# "=HYPERLINK(...)" must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

NUMBER_FORMATS = {
    ColumnKind.INTEGER: "#,##0",
    ColumnKind.AMOUNT: "#,##0.00",
    # The figure is already a percentage (1.25 means 1.25 %): Excel's "0.00%" would
    # multiply it by a hundred.
    ColumnKind.PERCENT: '0.00"%"',
}

CSV_ROWS_PER_CHUNK = 500
# An XLSX this size or smaller is built in memory; a larger one goes to disk.
XLSX_IN_MEMORY = 8 * 1024 * 1024


def export_response(table: Table, fmt: str):
    """The table as ``fmt`` ("csv" or "xlsx"); any other format is a page that does not
    exist."""
    if fmt == "csv":
        return csv_response(table)
    if fmt == "xlsx":
        return xlsx_response(table)
    raise Http404


# CSV


class _Echo:
    """A file for ``csv.writer`` that hands each written line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def _csv_value(value, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if column.kind == ColumnKind.INTEGER and value == value.to_integral_value():
            value = value.to_integral_value()  # 120 customers, not 120.00
        # Plain digits: str() would write a large or rounded figure as 1.2E+5.
        return format(value, "f")
    if column.kind == ColumnKind.TEXT and str(value).startswith(FORMULA_START):
        return f"'{value}"
    return str(value)


def _csv_chunks(table: Table):
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([str(column.label) for column in table.columns])
    for rows in batched(table.rows, CSV_ROWS_PER_CHUNK):
        yield "".join(
            writer.writerow(
                [
                    _csv_value(value, column)
                    for value, column in zip(row, table.columns, strict=True)
                ]
            )
            for row in rows
        )


def csv_response(table: Table) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_chunks(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{table.filename}.csv")
    return response


# XLSX


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character is two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _column_width(column: Column) -> int:
    # Rows are written as they come, so widths follow the header and the kind of figure:
    # room for a 10-character Chinese branch name, or for 9,999,999,999.99.
    least = 20 if column.kind == ColumnKind.TEXT else 16
    return min(max(_display_width(str(column.label)) + 2, least), 50)


def _sheet_title(title: str) -> str:
    """Excel refuses some characters in a sheet's name and cuts it at 31."""
    return re.sub(r"[\\/*?:\[\]]", " ", title).strip()[:31] or "Sheet1"


class _RowWriter:
    """Turns a row's values into cells for a write-only sheet. Each column has one cell,
    styled once and reused row after row: openpyxl writes a row out as it is appended,
    and styling a fresh cell for each of hundreds of thousands of figures would double
    the time an export takes."""

    def __init__(self, sheet, columns: list[Column]):
        self.cells = []
        for column in columns:
            cell = WriteOnlyCell(sheet)
            cell.number_format = NUMBER_FORMATS.get(column.kind, "@")
            self.cells.append(cell)

    def row(self, values) -> list:
        row = []
        for cell, value in zip(self.cells, values, strict=True):
            if value is None:
                row.append(None)
            else:
                _fill(cell, value)
                row.append(cell)
        return row


def _fill(cell, value) -> None:
    if isinstance(value, str):
        # Control characters (pasted from elsewhere) would make openpyxl refuse the file.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if cell.data_type == "f":
        cell.data_type = "s"  # text, never a formula


def xlsx_response(table: Table) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(table.title))
    # A write-only sheet takes its view and column widths before the first row.
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = _column_width(column)
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet)
        _fill(cell, str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    cells = _RowWriter(sheet, table.columns)
    for values in table.rows:
        sheet.append(cells.row(values))

    # The response closes the file once it is sent.
    file = tempfile.SpooledTemporaryFile(max_size=XLSX_IN_MEMORY)  # noqa: SIM115
    workbook.save(file)
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=f"{table.filename}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
