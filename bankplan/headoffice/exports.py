"""A dashboard table as a download: CSV streamed row by row, XLSX written into a temporary
file and sent from there. Neither holds the table in memory: rows are pulled from
``table.rows`` (a generator reading the database in chunks) and written out at once.
"""

import csv
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from itertools import batched

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header

from .tables import Column, ColumnKind, Table
from .xlsx import write_sheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel reads a CSV as the local ANSI code page (GBK on Chinese Windows) unless it starts
# with a byte-order mark.
BOM = "\ufeff"

# Text a spreadsheet would take for a formula (CSV injection): a branch name typed as
# "=HYPERLINK(...)" must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# A figure in a CSV reads as the XLSX shows it: 120 customers, 12,345.60 万元, 1.25 %.
PLACES = {
    ColumnKind.INTEGER: Decimal(1),
    ColumnKind.AMOUNT: Decimal("0.01"),
    ColumnKind.PERCENT: Decimal("0.01"),
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
        if column.kind in PLACES:
            value = value.quantize(PLACES[column.kind], rounding=ROUND_HALF_UP)
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


def xlsx_response(table: Table) -> FileResponse:
    # The response closes the file once it is sent.
    file = tempfile.SpooledTemporaryFile(max_size=XLSX_IN_MEMORY)  # noqa: SIM115
    write_sheet(file, table.title, table.columns, table.rows)
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=f"{table.filename}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
