"""How fast the demo complete plan becomes a PDF, against bare WeasyPrint.

Run: DEBUG=1 .venv/bin/python benchmarks/pdf.py [N]
Renders the demo plan of `manager` N times through the app (context, HTML, PDF) and N
times with bare WeasyPrint on the same HTML, and prints the medians, the page count and
the size; then submits the plan and times the task that makes the version's PDF from
its snapshot, and downloads of the stored file. Uses a throw-away SQLite database with
the demo bank.
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

    app, pdf = median_seconds(lambda: render_plan_pdf(plan, language="zh-hans"), runs)
    html = render_plan_html(plan, language="zh-hans")
    html_only, _ = median_seconds(lambda: render_plan_html(plan, language="zh-hans"), runs)
    bare, _ = median_seconds(
        lambda: HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf(),
        runs,
    )
    english, english_pdf = median_seconds(lambda: render_plan_pdf(plan, language="en"), runs)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    english_pages = len(PdfReader(io.BytesIO(english_pdf)).pages)
    size = len(pdf) / 1024
    print(f"demo complete plan, {runs} runs each, medians:")
    print(f"  app (context + HTML + PDF), zh-hans  {app:.3f} s   {pages} pages  {size:.0f} KiB")
    print(f"  app, English                         {english:.3f} s   {english_pages} pages")
    print(f"  context + HTML only                  {html_only * 1000:.1f} ms")
    print(f"  bare WeasyPrint on the same HTML     {bare:.3f} s")
    print(f"  app overhead over bare WeasyPrint    {(app - bare) / bare * 100:+.1f}%")
    task, download = version_pdf(plan, runs)
    print(f"  version PDF task (from the snapshot) {task:.3f} s")
    print(f"  stored version PDF download          {download * 1000:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
