"""How long the largest plan the form limits allow takes to become a PDF.

Run: DEBUG=1 .venv/bin/python benchmarks/worst_case_pdf.py [rows] [language]
Takes the demo complete plan of `manager` and fills it to every limit: each narrative
LONG_TEXT characters, each table MAX_ROWS rows (or ``rows``, to see how the time grows;
or as many as the table's uniqueness allows),
each text in a row ROW_TEXT characters (a CharField its max_length). Prints the time of
the HTML and of the PDF (in this process, without the worker pool's time limit), the
pages and the size, against the PDF_TIMEOUT a download has.

Target (issue 11): the worst case renders within PDF_TIMEOUT (60 s) on the 2-core machine.
"""

import io
import sys
import time

import throwaway  # sets Django up: before the imports below

# isort: split
from django.conf import settings
from django.db import IntegrityError, models, transaction
from pypdf import PdfReader

from bankplan.documents.rendering import MAX_CHARACTERS, html_to_pdf, render_plan_html, text_length
from bankplan.plans.models import Plan
from bankplan.plans.sections.base import LONG_TEXT, MAX_ROWS, ROW_TEXT
from bankplan.plans.sections.registry import SECTIONS

# Chinese prose with some Latin and digits, as an author pastes it: breakable anywhere,
# the worst case for line breaking is long runs a line must be measured across.
PROSE = "县城网点密集，老客户信任度高；Mobile banking 月活 12,345 户。"


def text(length: int) -> str:
    return (PROSE * (length // len(PROSE) + 1))[:length]


def fill_texts(instance: models.Model, *, text_length: int) -> None:
    """Every text the author types, at its longest."""
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.choices or not field.editable:
            continue
        if isinstance(field, models.TextField):
            setattr(instance, field.attname, text(field.max_length or text_length))
        elif isinstance(field, models.CharField) and field.max_length:
            setattr(instance, field.attname, text(field.max_length))


def fill_table(content, table, limit: int) -> int:
    rows = table.rows(content)
    for row in rows:
        fill_texts(row, text_length=ROW_TEXT)
        row.save()
    if table.fixed or not rows:
        return len(rows)
    count = len(rows)
    while count < limit:
        clone = rows[count % len(rows)]
        clone.pk = None
        clone._state.adding = True
        try:
            with transaction.atomic():
                clone.save()
        except IntegrityError:  # a table with one row per choice (the staff roles)
            break
        count += 1
    return count


def fill_plan(plan: Plan, rows: int) -> dict[str, int]:
    """The plan at every limit; the number of rows of each table."""
    counts = {}
    for section in SECTIONS:
        content = section.content_of(plan)
        fill_texts(content, text_length=LONG_TEXT)
        content.save()
        for table in section.tables:
            counts[f"{section.key}.{table.name}"] = fill_table(content, table, rows)
    return counts


def main(rows: int, language: str) -> None:
    throwaway.load_demo()
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    counts = fill_plan(plan, rows)
    plan = Plan.objects.get(pk=plan.pk)
    print(f"rows: {sum(counts.values())} in {len(counts)} tables, at most {rows} each;")
    print(f"  narratives {LONG_TEXT} characters, row texts {ROW_TEXT} (the limit: {MAX_ROWS} rows)")
    start = time.perf_counter()
    html = render_plan_html(plan, language=language)
    html_seconds = time.perf_counter() - start
    start = time.perf_counter()
    pdf = html_to_pdf(html)
    pdf_seconds = time.perf_counter() - start
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"worst-case plan, {language}:")
    print(f"  HTML  {html_seconds:7.2f} s   {len(html) / 1024 / 1024:.1f} MiB")
    length = text_length(html)
    refused = "refused" if length > MAX_CHARACTERS else "accepted"
    print(f"  text  {length:,} characters: {refused} by the app (at most {MAX_CHARACTERS:,})")
    print(f"  PDF   {pdf_seconds:7.2f} s   {pages} pages   {len(pdf) / 1024 / 1024:.1f} MiB")
    verdict = "within" if html_seconds + pdf_seconds <= settings.PDF_TIMEOUT else "OVER"
    print(f"  {verdict} PDF_TIMEOUT ({settings.PDF_TIMEOUT:.0f} s)")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(int(arguments[0]) if arguments else MAX_ROWS, arguments[1] if arguments[1:] else "zh-hans")
