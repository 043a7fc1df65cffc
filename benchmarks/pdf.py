"""How fast the demo complete plan becomes a PDF, against bare WeasyPrint.

Run: DEBUG=1 .venv/bin/python benchmarks/pdf.py [N]
Renders the demo plan of `manager` N times through the app (context, HTML, tagged PDF)
and N times with bare WeasyPrint on the same HTML, tagged as the app tags (the same
PDF variant) and untagged, taking turns so that a busy machine slows all three alike;
prints the medians, the page count and the size; then submits the plan and times the
task that makes the version's PDF from its snapshot, and downloads of the stored file.
Uses a throw-away SQLite database with the demo bank.

Targets (issue 3, on the 2-core machine): the complete demo plan (at least 10 pages)
under 1.5 s median; the app's overhead under 10% of bare WeasyPrint's time on the same
HTML with the same variant; a stored version's PDF download under 50 ms.
"""

import io
import statistics
import sys
import time

import throwaway  # sets Django up: before the imports below

# isort: split
from django.test import Client
from pypdf import PdfReader
from weasyprint import HTML

from bankplan.documents.fetcher import BASE_URL, StaticFilesFetcher
from bankplan.documents.rendering import render_plan_html, render_plan_pdf
from bankplan.documents.tagging import VARIANT
from bankplan.organisation.models import User
from bankplan.plans.models import Plan
from bankplan.reviews.models import VersionPdf
from bankplan.reviews.services import submit_plan
from bankplan.reviews.tasks import make_version_pdf


def median_seconds(function, runs: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


def interleaved_medians(functions: dict, runs: int) -> dict[str, tuple[float, object]]:
    """Each function's median time and last result, the functions taking turns."""
    timings = {name: [] for name in functions}
    results = {}
    for _ in range(runs):
        for name, function in functions.items():
            start = time.perf_counter()
            results[name] = function()
            timings[name].append(time.perf_counter() - start)
    return {name: (statistics.median(timings[name]), results[name]) for name in functions}


def version_pdf(plan, runs: int) -> tuple[float, float]:
    """Median times of the background task that makes a submitted version's PDF from its
    snapshot, and of downloading that PDF, which is served from storage."""
    version = submit_plan(plan_id=plan.pk, by=User.objects.get(username="manager"))
    pdf = version.pdfs.get()

    def make():
        VersionPdf.objects.filter(pk=pdf.pk).update(state=VersionPdf.State.PENDING, attempts=0)
        make_version_pdf.call(pdf.pk)

    task, _ = median_seconds(make, runs)
    client = Client()
    client.force_login(User.objects.get(username="reviewer"))
    url = f"/plans/{plan.pk}/versions/{version.number}/pdf/submitted/"

    def download():
        response = client.get(url)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    seconds, _ = median_seconds(download, runs * 4)
    return task, seconds


def main(runs: int) -> None:
    throwaway.load_demo()
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    render_plan_pdf(plan)  # warm-up: fonts, caches
    html = render_plan_html(plan, language="zh-hans")

    def bare(**options):
        return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf(
            **options
        )

    timed = interleaved_medians(
        {
            "app": lambda: render_plan_pdf(plan, language="zh-hans"),
            "tagged": lambda: bare(pdf_variant=VARIANT),
            "untagged": bare,
        },
        runs,
    )
    (app, pdf), (tagged, tagged_pdf), (untagged, untagged_pdf) = timed.values()
    html_only, _ = median_seconds(lambda: render_plan_html(plan, language="zh-hans"), runs)
    english, english_pdf = median_seconds(lambda: render_plan_pdf(plan, language="en"), runs)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    english_pages = len(PdfReader(io.BytesIO(english_pdf)).pages)

    def kib(document: bytes) -> str:
        return f"{len(document) / 1024:.0f} KiB"

    def row(label: str, figures: str) -> None:
        print(f"  {label:<40}{figures}")

    print(f"demo complete plan, {runs} runs each, medians:")
    row("app (context + HTML + PDF), zh-hans", f"{app:.3f} s   {pages} pages  {kib(pdf)}")
    row("app, English", f"{english:.3f} s   {english_pages} pages")
    row("context + HTML only", f"{html_only * 1000:.1f} ms")
    row(f"bare WeasyPrint, tagged ({VARIANT})", f"{tagged:.3f} s   {kib(tagged_pdf)}")
    row("bare WeasyPrint, untagged", f"{untagged:.3f} s   {kib(untagged_pdf)}")
    row("tagging's cost in bare WeasyPrint", f"{(tagged - untagged) / untagged * 100:+.1f}%")
    row("app overhead over bare, same variant", f"{(app - tagged) / tagged * 100:+.1f}%")
    task, download = version_pdf(plan, runs)
    row("version PDF task (from the snapshot)", f"{task:.3f} s")
    row("stored version PDF download", f"{download * 1000:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
