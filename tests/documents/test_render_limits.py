"""A live render costs each user one render worker at most, and a failed render is a page
that says so, never a 500: in the download, and in the submission whose PDF fails."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bankplan.documents import rendering, views
from bankplan.documents.workers import RenderTimeout
from bankplan.operations.models import RenderSlot
from bankplan.plans.models import Status
from bankplan.reviews.models import VersionPdf

PDF = b"%PDF-1.7 stand-in"


def pdf_url(plan) -> str:
    return reverse("documents:plan_pdf", args=[plan.pk])


def templates(response) -> list[str]:
    return [template.name for template in response.templates]


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(views, "render_plan_pdf", lambda plan: PDF)


def hold_slot(user, *, expires_in: timedelta) -> None:
    RenderSlot.objects.create(user=user, token="0" * 32, expires_at=timezone.now() + expires_in)


def test_a_second_render_of_one_user_is_refused_at_once(client, plan, author, reviewer, quick):
    hold_slot(author, expires_in=timedelta(seconds=60))
    client.force_login(author)
    response = client.get(pdf_url(plan))
    assert response.status_code == 429 and response["Retry-After"] == "5"
    assert "documents/pdf_busy.html" in templates(response)
    other = Client()
    other.force_login(reviewer)  # someone else's render is not held up by it
    assert other.get(pdf_url(plan)).content == PDF


def test_the_slot_is_freed_after_a_render_and_taken_over_once_expired(client, plan, author, quick):
    client.force_login(author)
    assert client.get(pdf_url(plan)).content == PDF
    assert client.get(pdf_url(plan)).content == PDF  # the first one let go
    hold_slot(author, expires_in=timedelta(seconds=-1))  # its process died mid-render
    assert client.get(pdf_url(plan)).content == PDF
    assert not RenderSlot.objects.exists()


def test_a_render_that_times_out_is_a_page_and_frees_the_slot(client, plan, author, monkeypatch):
    def overrun(html, timeout):
        raise RenderTimeout

    monkeypatch.setattr(rendering._workers, "render", overrun)
    client.force_login(author)
    response = client.get(pdf_url(plan))
    assert response.status_code == 503
    assert "documents/pdf_failed.html" in templates(response)
    assert not RenderSlot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_downloads_of_one_user_render_once(plan, author, monkeypatch):
    started, finish = threading.Event(), threading.Event()

    def slow(plan):
        started.set()
        finish.wait(30)
        return PDF

    monkeypatch.setattr(views, "render_plan_pdf", slow)
    first, second = Client(), Client()
    for client in (first, second):
        client.force_login(author)
    results = []

    def download():
        try:
            results.append(first.get(pdf_url(plan)))
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=download)
    thread.start()
    try:
        assert started.wait(30)
        assert second.get(pdf_url(plan)).status_code == 429
    finally:
        finish.set()
        thread.join(30)
    assert results[0].content == PDF


def test_a_submission_whose_pdf_times_out_still_goes_through(
    client, demo, monkeypatch, django_capture_on_commit_callbacks
):
    def overrun(html, timeout):
        raise RenderTimeout

    monkeypatch.setattr(rendering._workers, "render", overrun)
    plan = demo["plan"]
    client.force_login(demo["manager"])
    with django_capture_on_commit_callbacks(execute=True):  # the PDF task runs at once
        response = client.post(reverse("reviews:submit", args=[plan.pk]), {"status": plan.status})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED
    pdf = plan.versions.get().pdfs.get()
    assert pdf.state == VersionPdf.State.FAILED and "RenderError" in pdf.error


def test_a_document_too_long_to_render_in_time_is_refused_without_a_render(
    client, plan, author, monkeypatch
):
    def never(html, timeout):
        raise AssertionError("rendered")

    monkeypatch.setattr(rendering._workers, "render", never)
    html = rendering.render_plan_html(plan)
    monkeypatch.setattr(rendering, "MAX_CHARACTERS", rendering.text_length(html) - 1)
    client.force_login(author)
    response = client.get(pdf_url(plan))
    assert response.status_code == 503 and response.context["too_long"]
    assert not RenderSlot.objects.exists()


def test_the_text_is_counted_without_markup_or_styles():
    html = "<html><head><style>p { color: red }</style></head><body><p>丰河 县</p>\n</body></html>"
    assert rendering.text_length(html) == 3
