"""Background work through a real `db_worker` process, on the test database itself."""

import signal
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from bankplan.operations.models import WorkerHeartbeat
from bankplan.organisation.models import User
from bankplan.plans.models import Plan
from bankplan.reviews import services
from bankplan.reviews.models import VersionPdf

from .processes import start_worker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture
def demo_bank(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = DATABASE_TASKS
    # The fixture alone: load_demo's versions would queue their PDFs ahead of this test's.
    call_command("loaddata", "demo", verbosity=0)
    return {user.username: user for user in User.objects.all()}


def test_a_worker_process_renders_a_submitted_versions_pdf_and_reports_in(
    demo_bank, client, tmp_path
):
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    version = services.submit_plan(plan_id=plan.pk, by=demo_bank["manager"])
    pdf = VersionPdf.objects.get(version=version)
    assert pdf.state == VersionPdf.State.PENDING  # nothing rendered in the request

    worker = start_worker(tmp_path)
    try:
        made = wait_for(
            lambda: VersionPdf.objects.get(pk=pdf.pk).state == VersionPdf.State.READY, 120
        )
        assert made, worker.stdout.read() if worker.poll() is not None else "still pending"
        assert WorkerHeartbeat.objects.exists()
        health = client.get(reverse("healthz"))
        assert health.status_code == 200
        assert health.json() == {"database": "ok", "worker": "ok", "storage": "ok"}
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert worker.returncode == 0  # stopped cleanly between tasks
    stored = VersionPdf.objects.get(pk=pdf.pk)
    assert (tmp_path / stored.file.name).read_bytes().startswith(b"%PDF")


def test_workers_side_by_side_share_the_queue_and_run_each_task_once(transactional_db, settings):
    from django_tasks_db.models import DBTaskResult

    from .tasks import echo

    settings.TASKS = DATABASE_TASKS
    for number in range(20):
        echo.enqueue(number)
    workers = [start_worker(settings.MEDIA_ROOT, "--batch") for _ in range(2)]
    for worker in workers:
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output
    results = list(DBTaskResult.objects.all())
    assert sorted(result.return_value for result in results) == list(range(20))
    assert all(len(result.worker_ids) == 1 for result in results)  # claimed once each
