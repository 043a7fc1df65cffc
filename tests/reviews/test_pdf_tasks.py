"""A version's PDFs are made by a task after the transition commits, never inside it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from bankplan.plans.models import Plan, Status
from bankplan.reviews import services, tasks
from bankplan.reviews.models import VersionPdf


@pytest.fixture
def renders(monkeypatch):
    """Stand-in renders, recording what was asked for."""
    calls = []

    def render(version, *, approved, language):
        calls.append((version.number, approved, language))
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(tasks, "render_version_pdf", render)
    return calls


@pytest.fixture
def failing(monkeypatch):
    def render(version, **kwargs):
        raise RuntimeError("WeasyPrint gave up")

    monkeypatch.setattr(tasks, "render_version_pdf", render)


def test_submitting_records_the_pdf_as_pending_and_renders_it_after_commit(
    demo, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        version = services.submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
        assert not renders  # nothing is rendered while the plan row is locked
        assert version.pdfs.get().state == VersionPdf.State.PENDING
    for callback in callbacks:
        callback()
    pdf = version.pdfs.get()
    assert pdf.state == VersionPdf.State.READY and pdf.kind == VersionPdf.Kind.SUBMITTED
    assert pdf.file.read().startswith(b"%PDF") and pdf.rendered_at


def test_the_pdf_is_in_the_banks_language_whoever_clicks(demo, renders, committed):
    with translation.override("en"):
        committed(services.submit_plan, plan_id=demo["plan"].pk, by=demo["manager"])
    assert renders == [(1, False, "zh-hans")]


def test_approving_adds_the_approved_pdf_and_keeps_the_submitted_one(demo, renders, committed):
    committed(services.submit_plan, plan_id=demo["plan"].pk, by=demo["manager"])
    version = committed(services.approve_plan, plan_id=demo["plan"].pk, by=demo["reviewer"])
    assert [(pdf.kind, pdf.state) for pdf in version.pdfs.all()] == [
        ("approved", "ready"),
        ("submitted", "ready"),
    ]
    assert renders == [(1, False, "zh-hans"), (1, True, "zh-hans")]


def test_a_failing_render_is_retried_a_bounded_number_of_times_and_never_blocks_the_submission(
    demo, failing, committed, settings
):
    settings.PDF_ATTEMPTS = 3
    version = committed(services.submit_plan, plan_id=demo["plan"].pk, by=demo["manager"])
    assert Plan.objects.get(pk=demo["plan"].pk).status == Status.SUBMITTED
    pdf = version.pdfs.get()
    assert pdf.state == VersionPdf.State.FAILED and pdf.attempts == 3
    assert "WeasyPrint gave up" in pdf.error


def test_the_version_page_tells_the_reader_how_the_pdf_is_coming_on(
    client, demo, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
    plan = demo["plan"]
    client.force_login(demo["reviewer"])
    page = client.get(reverse("reviews:version", args=[plan.pk, 1])).content.decode()
    status_url = reverse("reviews:version_pdfs", args=[plan.pk, 1])
    assert "PDF 正在生成" in page and f'data-poll="{status_url}"' in page

    for callback in callbacks:
        callback()
    fragment = client.get(status_url).content.decode()
    assert "data-poll" not in fragment
    assert reverse("reviews:version_pdf", args=[plan.pk, 1, "submitted"]) in fragment
    client.force_login(demo["reviewer2"])  # another region's reviewer
    assert client.get(status_url).status_code == 404


@pytest.fixture
def requeue(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("requeue_pdfs", verbosity=0)

    return run


def test_the_daily_command_enqueues_missing_failed_and_stuck_pdfs_only(
    demo, renders, committed, requeue
):
    version = committed(services.submit_plan, plan_id=demo["plan"].pk, by=demo["manager"])
    submitted = version.pdfs.get()
    long_ago = timezone.now() - timedelta(hours=3)
    VersionPdf.objects.filter(pk=submitted.pk).update(
        state=VersionPdf.State.PENDING, file="", attempts=1, requested_at=long_ago
    )  # a worker was killed while rendering it
    version.approved_at = timezone.now()
    version.save()  # approved, and its approved PDF never recorded
    renders.clear()

    requeue()
    assert sorted(renders) == [(1, False, "zh-hans"), (1, True, "zh-hans")]
    assert all(pdf.state == VersionPdf.State.READY for pdf in version.pdfs.all())

    renders.clear()
    requeue()
    assert renders == []  # nothing left to do: safe to run again


def test_a_recent_pending_pdf_is_left_to_the_worker_that_has_it(demo, renders, requeue):
    version = services.submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
    requeue()
    assert renders == []
    assert version.pdfs.get().state == VersionPdf.State.PENDING


def test_with_the_database_backend_a_failed_attempt_is_retried_later_not_at_once(
    demo, failing, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    version = services.submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
    pdf = version.pdfs.get()
    assert tasks.make_version_pdf.call(pdf.pk) == "will retry"
    pdf.refresh_from_db()
    assert (pdf.state, pdf.attempts) == (VersionPdf.State.PENDING, 1)
    (retry,) = DBTaskResult.objects.all()
    assert retry.args_kwargs["args"] == [pdf.pk]
    assert retry.run_after >= timezone.now() + tasks.RETRY_DELAY - timedelta(seconds=5)
