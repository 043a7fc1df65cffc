"""Head office rolls forward a region or the whole bank: a background run that creates
the plans of the branches waiting, skips the others with a reason, and may run again."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bankplan.plans.models import Plan
from bankplan.plans.services import start_plan
from bankplan.rollforward.models import Run, RunBranch
from bankplan.rollforward.runs import request_run

from .conftest import write_plan


@pytest.fixture
def page(cycle):
    return reverse("rollforward:cycle", args=[cycle.pk])


@pytest.fixture
def approved_c(last_cycle, bank, approve):
    """Branch C (region 2) approved last year too."""
    from tests.conftest import make_user

    manager = make_user("manager_c", bank["c"], "branch_manager")
    plan = start_plan(cycle=last_cycle, branch=bank["c"], by=manager)
    write_plan(plan)
    return approve(plan)


def outcomes(run: Run) -> dict[str, tuple[str, str]]:
    return {
        row.branch.code: (row.outcome, row.reason)
        for row in RunBranch.objects.filter(run=run).select_related("branch")
    }


def test_a_regions_run_rolls_the_waiting_branches_and_skips_the_others(
    last_year, approved_c, cycle, bank, head_office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = request_run(cycle=cycle, unit=bank["r1"], by=head_office)
    run.refresh_from_db()
    assert (run.state, run.total) == (Run.State.DONE, 2)
    assert outcomes(run) == {"A": ("created", ""), "B": ("skipped", "nothing")}
    plan = Plan.objects.get(cycle=cycle, branch=bank["a"])
    assert plan.created_by == head_office and plan.products.lines.count() == 2
    assert not Plan.objects.filter(cycle=cycle, branch=bank["c"]).exists()  # region 2

    with django_capture_on_commit_callbacks(execute=True):
        again = request_run(cycle=cycle, unit=None, by=head_office)
    assert outcomes(again) == {
        "A": ("skipped", "started"),
        "B": ("skipped", "nothing"),
        "C": ("created", ""),
    }
    assert Plan.objects.filter(cycle=cycle).count() == 2


def test_the_page_counts_the_waiting_branches_and_starts_a_run(
    client,
    page,
    last_year,
    approved_c,
    cycle,
    bank,
    head_office,
    django_capture_on_commit_callbacks,
):
    start_plan(cycle=cycle, branch=bank["c"], by=approved_c.created_by)  # C is not waiting
    client.force_login(head_office)
    response = client.get(page)
    assert response.context["whole_bank"] == 1
    assert dict((region.code, n) for region, n in response.context["regions"]) == {"R1": 1, "R2": 0}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"unit": bank["r1"].pk})
    run = Run.objects.get()
    assert response.url == reverse("rollforward:run", args=[run.pk])
    shown = client.get(response.url)
    assert shown.context["created"] == 1 and shown.context["skipped"] == 1
    progress = client.get(reverse("rollforward:run_progress", args=[run.pk]))
    assert "data-poll" not in progress.content.decode()  # done: nothing to poll


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("author", 404)])
def test_the_page_is_head_offices_alone(client, request, page, who, status, cycle, head_office):
    run = Run.objects.create(cycle=cycle, requested_by=head_office)
    client.force_login(request.getfixturevalue(who))
    assert client.get(page).status_code == status
    assert client.post(page, {"unit": ""}).status_code == status
    assert client.get(reverse("rollforward:run", args=[run.pk])).status_code == status
    assert Run.objects.count() == 1


def test_a_branch_that_fails_is_reported_and_the_run_goes_on(
    last_year, approved_c, cycle, head_office, monkeypatch, django_capture_on_commit_callbacks
):
    from bankplan.rollforward import runs

    real = runs.roll_forward_plan

    def failing(*, cycle, branch, by):
        if branch.code == "A":
            raise RuntimeError("disk full")
        return real(cycle=cycle, branch=branch, by=by)

    monkeypatch.setattr(runs, "roll_forward_plan", failing)
    with django_capture_on_commit_callbacks(execute=True):
        run = request_run(cycle=cycle, unit=None, by=head_office)
    row = RunBranch.objects.get(run=run, branch__code="A")
    assert row.outcome == "failed" and "disk full" in row.error
    assert outcomes(run)["C"] == ("created", "")
    assert not Plan.objects.filter(cycle=cycle, branch__code="A").exists()


def test_a_run_a_killed_worker_left_is_taken_up_where_it_stopped(
    last_year, approved_c, cycle, bank, head_office
):
    # Never enqueued (the on-commit callbacks are not run): as if its worker died at once,
    # after deciding branch B.
    stuck = request_run(cycle=cycle, unit=None, by=head_office)
    RunBranch.objects.create(
        run=stuck, branch=bank["b"], outcome=RunBranch.Outcome.SKIPPED, reason="nothing"
    )
    Run.objects.filter(pk=stuck.pk).update(requested_at=timezone.now() - timedelta(days=2))
    recent = request_run(cycle=cycle, unit=bank["r1"], by=head_office)

    call_command("requeue_runs", verbosity=0)

    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.state == Run.State.DONE
    assert outcomes(stuck) == {
        "A": ("created", ""),
        "B": ("skipped", "nothing"),
        "C": ("created", ""),
    }
    assert RunBranch.objects.filter(run=stuck).count() == 3  # B was not done again
    assert (recent.state, outcomes(recent)) == (Run.State.RUNNING, {})  # maybe still queued

    said = io.StringIO()
    call_command("requeue_runs", older_than=0, stdout=said)
    recent.refresh_from_db()
    assert said.getvalue() == "1 roll-forward run(s) enqueued.\n"
    assert recent.state == Run.State.DONE
