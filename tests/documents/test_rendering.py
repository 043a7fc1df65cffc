"""The plan as a document: the HTML, the download, and real renders read back."""

import io
import re
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from bankplan.documents import fetcher, rendering
from bankplan.documents.rendering import render_plan_html, render_plan_pdf
from bankplan.plans.models import Plan, Status
from bankplan.plans.sections.background import Competitor
from bankplan.plans.sections.registry import SECTIONS

INJECTIONS = [
    '<img src="file:///etc/passwd">',
    '<link rel=attachment href="file:///etc/passwd">',
    '<style>@import url("http://example.com/x.css");</style>',
]


@pytest.fixture
def demo_plan(db):
    call_command("load_demo", verbosity=0)
    return Plan.objects.get(branch__memberships__user__username="manager")


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name -> whether its program is embedded, for every font in the PDF."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return fonts


def test_the_html_names_the_language_and_every_section(demo_plan):
    html = render_plan_html(demo_plan, language="zh-hans")
    assert '<html lang="zh-hans">' in html
    for number, section in enumerate(SECTIONS, start=1):
        assert f"{number}. " in html and str(section.title) in html
    assert 'href="/static/css/pdf.css"' in html


def test_user_text_is_escaped_in_the_html(plan):
    background = plan.background
    background.local_economy = INJECTIONS[0]
    background.save()
    Competitor.objects.create(
        background=background, name=INJECTIONS[1], type="rural", strengths=INJECTIONS[2]
    )
    html = render_plan_html(plan, language="zh-hans")
    for text in INJECTIONS:
        assert text not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html


def test_the_complete_demo_plan_renders_as_the_banks_document(demo_plan):
    pdf = render_plan_pdf(demo_plan, language="zh-hans")
    assert pdf.startswith(b"%PDF")
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "zh-hans"
    pages = pdf_text(pdf)
    assert 10 <= len(pages) <= 30
    text = "\n".join(pages)
    for section in SECTIONS:
        assert str(section.title) in text
    # a sentence the manager wrote, given back by text extraction
    assert "模拟利润" in text and "丰河县支行" in text
    assert re.search(r"第 \d+ 页 / 共 \d+ 页", pages[1])
    assert all("草稿" in page for page in pages)  # the DRAFT mark on every page
    fonts = embedded_fonts(pdf)
    assert fonts and all(fonts.values())
    cjk = [name for name in fonts if "CJK" in name]
    assert cjk and all("SC" in name for name in cjk)
    assert not any("JP" in name for name in fonts)


def test_an_approved_plan_has_no_draft_mark(demo_plan):
    Plan.objects.filter(pk=demo_plan.pk).update(status=Status.APPROVED)
    text = "\n".join(pdf_text(render_plan_pdf(demo_plan, language="zh-hans")))
    assert "草稿" not in text
    assert "已批准" in text


def test_an_english_plan_has_the_same_layout(plan):
    pages = pdf_text(render_plan_pdf(plan, language="en"))
    text = "\n".join(pages)
    assert "Background and current position" in text and "DRAFT" in text
    assert re.search(r"Page \d+ of \d+", text)


def test_injected_markup_reads_no_file_and_calls_no_server(plan, monkeypatch):
    fetched = []
    real_fetch = fetcher.StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(fetcher.StaticFilesFetcher, "fetch", spy)
    background = plan.background
    background.location = INJECTIONS[0]
    background.local_economy = "\n".join(INJECTIONS)
    background.save()
    # in this process, so the spy sees every fetch (the app runs the same in its workers)
    pdf = rendering.html_to_pdf(render_plan_html(plan, language="zh-hans"))
    text = "\n".join(pdf_text(pdf))
    assert fetched == [fetcher.BASE_URL + "static/css/pdf.css"]
    assert 'src="file:///etc/passwd"' in text.replace("\n", "")


def test_the_download_is_a_pdf_for_readers_and_404_for_others(
    client, plan, author, reviewer, other_manager
):
    url = reverse("documents:plan_pdf", args=[plan.pk])
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # saved under a name a person can file: cycle, branch, state (RFC 5987 for the Chinese)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert quote("2027 年度营销计划-城关支行-草稿.pdf") in disposition


def test_the_overview_offers_the_download(client, plan, author):
    client.force_login(author)
    html = client.get(reverse("plans:overview", args=[plan.pk])).content.decode()
    assert reverse("documents:plan_pdf", args=[plan.pk]) in html


def test_a_render_that_takes_too_long_is_stopped_with_a_clear_page(client, plan, author, settings):
    client.force_login(author)
    url = reverse("documents:plan_pdf", args=[plan.pk])
    settings.PDF_TIMEOUT = 0.05  # far less than any real render
    response = client.get(url)
    assert response.status_code == 503
    assert "PDF 生成失败" in response.content.decode()
    settings.PDF_TIMEOUT = 60
    assert client.get(url).status_code == 200  # the next one renders


def test_the_command_writes_a_pdf_or_the_html(plan, tmp_path):
    call_command("render_plan", plan.pk, output=tmp_path / "plan.pdf", verbosity=0)
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF")
    call_command("render_plan", plan.pk, output=tmp_path / "plan.html", html=True, verbosity=0)
    assert (tmp_path / "plan.html").read_text().startswith("<!doctype html>")
