"""A PDF of a plan downloaded by someone outside its branch (its reviewer, head office)
carries the reader's name and the time on every page, laid over the stored or rendered
bytes as an artifact; the branch's own people get the PDF as it is, and the stored file
never changes."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bankplan.documents import stamp
from bankplan.documents import views as document_views
from bankplan.reviews import tasks
from bankplan.reviews.services import submit_plan
from tests.documents.test_tagged_pdf import TITLE, assert_plan_structure, assert_tagged

_rendered = {}


@pytest.fixture
def submitted(demo, django_capture_on_commit_callbacks, monkeypatch):
    """The demo plan submitted, with its stored PDF: rendered for real once, the same
    demo plan's bytes reused by the next tests."""
    render = tasks.render_version_pdf

    def render_once(version, **kwargs):
        key = tuple(sorted(kwargs.items()))
        if key not in _rendered:
            _rendered[key] = render(version, **kwargs)
        return _rendered[key]

    monkeypatch.setattr(tasks, "render_version_pdf", render_once)
    with django_capture_on_commit_callbacks(execute=True):
        version = submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
    stored = version.pdfs.get(kind="submitted")
    with stored.file.open("rb") as file:
        original = file.read()
    return {"stored": stored, "original": original, **demo}


def _download(client, user, url) -> tuple[bytes, list[str]]:
    """The PDF ``user`` gets, and the times (bank's local, to the minute) it may carry."""
    client.force_login(user)
    before = timezone.localtime(timezone.now(), timezone.get_default_timezone())
    response = client.get(url)
    after = timezone.localtime(timezone.now(), timezone.get_default_timezone())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    minutes = {before.replace(second=0, microsecond=0)}
    while max(minutes) < after.replace(second=0, microsecond=0):
        minutes.add(max(minutes) + timedelta(minutes=1))
    return b"".join(response), [minute.strftime("%Y-%m-%d %H:%M") for minute in minutes]


def _version_url(submitted) -> str:
    stored = submitted["stored"]
    return reverse("reviews:version_pdf", args=[submitted["plan"].pk, 1, stored.kind])


def _stamped_everywhere(pdf: bytes, name: str, times: list[str]) -> None:
    """Tagged as the original is; on every page the name and the time, as an artifact."""
    tagged = assert_tagged(pdf, language="zh-hans", title=TITLE)
    assert_plan_structure(tagged)
    for number in range(len(tagged.pages)):
        footer = tagged.artifact_text(number)
        assert name in footer, f"page {number + 1}"
        assert any(time in footer for time in times), f"page {number + 1}: {footer[-80:]}"
        assert name not in tagged.tagged_text(number), f"page {number + 1}"


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_a_reviewers_or_head_offices_download_carries_their_name_and_the_time(
    client, submitted, who
):
    reader = submitted[who]
    pdf, times = _download(client, reader, _version_url(submitted))
    assert pdf != submitted["original"]
    _stamped_everywhere(pdf, reader.full_name, times)
    assert reader.full_name and not reader.full_name.isascii()  # a Chinese name


def test_the_stamped_pdf_keeps_the_documents_structure_language_and_metadata(client, submitted):
    pdf, _ = _download(client, submitted["reviewer"], _version_url(submitted))
    stamped, original = PdfReader(io.BytesIO(pdf)), PdfReader(io.BytesIO(submitted["original"]))
    assert stamped.pdf_header == original.pdf_header == "%PDF-1.7"
    assert len(stamped.pages) == len(original.pages)
    catalog, before = stamped.trailer["/Root"], original.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == before["/Lang"]
    assert catalog["/MarkInfo"] == before["/MarkInfo"]
    assert stamped.metadata == original.metadata
    # The XMP metadata (with its PDF/UA identification) is carried over as it was.
    xmp = catalog["/Metadata"].get_object().get_data()
    assert xmp == before["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp


def test_the_stamp_is_set_in_the_apps_cjk_font(client, submitted):
    pdf, _ = _download(client, submitted["reviewer"], _version_url(submitted))
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    form = page["/Resources"]["/XObject"][stamp.XOBJECT_NAME].get_object()
    fonts = [str(font.get_object()["/BaseFont"]) for font in form["/Resources"]["/Font"].values()]
    assert fonts and all("Noto-Sans-CJK-SC" in font for font in fonts), fonts
    # Its drawing is bracketed as an artifact after the page's own content.
    drawn = page["/Contents"][-1].get_object().get_data()
    assert (
        drawn.index(b"/Artifact BMC")
        < drawn.index(stamp.XOBJECT_NAME.encode())
        < (drawn.index(b"EMC"))
    )


def test_the_branch_managers_download_of_their_own_plan_is_not_stamped(client, submitted):
    pdf, _ = _download(client, submitted["manager"], _version_url(submitted))
    assert pdf == submitted["original"]


def test_the_stored_file_is_unchanged_by_a_stamped_download(client, submitted):
    stored = submitted["stored"]
    _download(client, submitted["reviewer"], _version_url(submitted))
    stored.refresh_from_db()
    with stored.file.open("rb") as file:
        assert file.read() == submitted["original"]


def test_the_live_draft_is_stamped_for_head_office_but_not_for_the_branch(
    client, submitted, monkeypatch
):
    # The rendering itself is tests/documents/test_tagged_pdf.py's: here the same bytes
    # each time, to tell what the view adds.
    monkeypatch.setattr(document_views, "render_plan_pdf", lambda plan, **kw: submitted["original"])
    url = reverse("documents:plan_pdf", args=[submitted["plan"].pk])
    own, _ = _download(client, submitted["manager"], url)
    assert own == submitted["original"]
    admin = submitted["admin"]
    pdf, times = _download(client, admin, url)
    _stamped_everywhere(pdf, admin.full_name, times)


def test_a_name_is_text_in_the_stamp_never_markup(demo):
    reader = demo["reviewer"]
    reader.full_name = '<b style="color:red">王芳</b>'
    html = stamp.stamp_text_html(reader=reader, at=timezone.now())
    assert "&lt;b style=" in html and "<b " not in html


def test_the_time_is_the_banks_local_time(demo, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    at = datetime(2026, 11, 29, 2, 32, tzinfo=UTC)
    assert "2026-11-29 10:32" in stamp.stamp_text_html(reader=demo["reviewer"], at=at)


def test_a_file_pypdf_cannot_read_goes_out_as_it_is_with_an_error_logged(
    client, demo, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    stand_in = b"%PDF-1.7 stand-in"
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: stand_in)
    with django_capture_on_commit_callbacks(execute=True):
        submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
    url = reverse("reviews:version_pdf", args=[demo["plan"].pk, 1, "submitted"])
    pdf, _ = _download(client, demo["reviewer"], url)
    assert pdf == stand_in
    assert "not stamped" in caplog.text
