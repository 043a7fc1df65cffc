"""On the embedded SQLite database, requests that write at the same time wait for each
other instead of failing "database is locked": two section saves, and a submission racing
a save either way round. Each request runs in a thread of its own, with its own
connection to the test database's file, and the first one holds its transaction open
for a moment (a slow save or snapshot) while the second arrives."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from bankplan.plans import services as plan_services
from bankplan.plans.models import Status
from bankplan.reviews import services as review_services
from tests.htmlform import form_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking"),
]

HOLD = 1.5  # seconds the first request keeps its write transaction open


@pytest.fixture
def quick_pdf(monkeypatch):
    from bankplan.reviews import tasks

    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: b"%PDF-1.7")


def slowed(monkeypatch, module, name: str, entered: threading.Event) -> None:
    """``module.name``, called inside a write transaction, holds it for HOLD seconds."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        entered.set()
        time.sleep(HOLD)
        return result

    monkeypatch.setattr(module, name, slow)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section_post(client, plan, key: str, field: str, value: str):
    url = reverse("plans:section", args=[plan.pk, key])
    return lambda: client.post(url, form_data(client.get(url)) | {field: value})


def race(first, second, entered: threading.Event) -> tuple:
    """Run ``first`` in a thread, ``second`` once ``first`` holds its transaction; both
    responses, and how long ``second`` took."""
    answers = {}

    def run_first():
        try:
            answers["first"] = first()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run_first)
    thread.start()
    assert entered.wait(30)
    start = time.monotonic()
    answers["second"] = second()
    waited = time.monotonic() - start
    thread.join(30)
    return answers["first"], answers["second"], waited


def assert_no_error(*responses):
    assert [r.status_code for r in responses if r.status_code >= 500] == []


def test_two_saves_at_once_both_land(demo, monkeypatch):
    plan, manager = demo["plan"], demo["manager"]
    entered = threading.Event()
    swot = section_post(logged_in(manager), plan, "swot", "summary", "先存的")
    market = section_post(logged_in(manager), plan, "target_market", "positioning", "后存的")
    slowed(monkeypatch, plan_services, "_check_row_limit", entered)
    first, second, waited = race(swot, market, entered)
    assert_no_error(first, second)
    assert waited > HOLD / 2  # it waited for the first to commit
    plan.refresh_from_db()
    assert (plan.swot.summary, plan.targetmarket.positioning) == ("先存的", "后存的")


def test_a_save_racing_a_submission_waits_and_is_refused(demo, monkeypatch, quick_pdf):
    plan, manager = demo["plan"], demo["manager"]
    entered = threading.Event()
    submitter = logged_in(manager)
    url = reverse("reviews:submit", args=[plan.pk])
    submit = lambda: submitter.post(url, {"status": plan.status})  # noqa: E731
    save = section_post(logged_in(manager), plan, "swot", "summary", "提交后才到")
    slowed(monkeypatch, review_services, "snapshot_plan", entered)
    first, second, waited = race(submit, save, entered)
    assert_no_error(first, second)
    assert waited > HOLD / 2
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED and plan.swot.summary != "提交后才到"
    assert plan.versions.get().snapshot["sections"]["swot"]["fields"]["summary"] != "提交后才到"


def test_a_submission_racing_a_save_waits_and_takes_it_in(demo, monkeypatch, quick_pdf):
    plan, manager = demo["plan"], demo["manager"]
    entered = threading.Event()
    save = section_post(logged_in(manager), plan, "swot", "summary", "提交前存好")
    submitter = logged_in(manager)
    url = reverse("reviews:submit", args=[plan.pk])
    submit = lambda: submitter.post(url, {"status": plan.status})  # noqa: E731
    slowed(monkeypatch, plan_services, "_check_row_limit", entered)
    first, second, waited = race(save, submit, entered)
    assert_no_error(first, second)
    assert waited > HOLD / 2
    assert second.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED
    assert plan.versions.get().snapshot["sections"]["swot"]["fields"]["summary"] == "提交前存好"
