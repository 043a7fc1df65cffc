"""The demo bank that `make run` loads: complete where it says so, usable, and with
something for every screen of head office, a reviewer and a manager to show."""

import json
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from bankplan.documents.rendering import render_version_pdf
from bankplan.headoffice.deadlines import deadline_of
from bankplan.headoffice.models import Allocation, DeadlineExtension, KpiFigure
from bankplan.organisation.models import Membership, Unit
from bankplan.organisation.scope import scope_of
from bankplan.plans.models import Cycle, Kpi, Plan, Status
from bankplan.plans.progress import load_plan, section_states
from bankplan.reviews import tasks
from bankplan.reviews.models import AuditEntry, Version, VersionPdf

NOT_STARTED = "not started"


@pytest.fixture
def bank(db):
    """The fixture alone, written by loaddata as it is (no model's save() runs)."""
    call_command("loaddata", "demo", verbosity=0)


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", verbosity=0)


def region_of(unit: Unit) -> Unit | None:
    """The region above ``unit``, found by walking up the tree."""
    above = unit.parent
    while above is not None and above.kind != Unit.Kind.REGION:
        above = above.parent
    return above


def states_by_region() -> dict[str, Counter]:
    """Region code -> how many of its branches' plans are in each state."""
    plans = dict(Plan.objects.values_list("branch_id", "status"))
    counts = {}
    for branch in Unit.objects.filter(kind=Unit.Kind.BRANCH).select_related("region"):
        counts.setdefault(branch.region.code, Counter())[plans.get(branch.pk, NOT_STARTED)] += 1
    return counts


def test_two_regions_one_with_a_second_tier_branch_of_three(bank):
    assert Unit.objects.filter(kind="region").count() == 2
    sub_branch = Unit.objects.get(kind="sub_branch")
    assert sub_branch.parent.code == "R01"
    assert sub_branch.children.filter(kind="branch").count() == 3
    per_region = Counter(Unit.objects.filter(kind="branch").values_list("region__code", flat=True))
    assert per_region == {"R01": 8, "R02": 8}


def test_every_unit_below_a_region_names_it(bank):
    for unit in Unit.objects.select_related("parent__parent__parent"):
        assert unit.region == region_of(unit), unit.code


def test_the_npl_ratio_rolls_up_weighted_by_total_loans(bank):
    npl = Kpi.objects.get(code="npl_ratio")
    assert npl.aggregation == Kpi.Aggregation.WEIGHTED and npl.base.code == "loans_total"
    assert not Kpi.objects.exclude(pk=npl.pk).exclude(aggregation="sum").exists()


@pytest.mark.parametrize(
    "username", ["admin", "reviewer", "reviewer3", "manager", "manager2", "manager16", "staff"]
)
def test_demo_users_log_in_with_demo(bank, username):
    assert authenticate(username=username, password="demo") is not None


def test_reviewer3_oversees_the_second_tier_branch_only(bank):
    reviewer3 = Membership.objects.get(user__username="reviewer3").user
    scope = scope_of(reviewer3)
    below = Unit.objects.filter(parent__code="R01-S1")
    assert {unit.code for unit in below.filter(scope.unit_filter())} == {
        "R01-S1-01",
        "R01-S1-02",
        "R01-S1-03",
    }
    assert not scope.covers(Unit.objects.get(code="R01-01"))


def test_one_branch_has_a_later_deadline(bank):
    extension = DeadlineExtension.objects.get()
    cycle = Cycle.objects.get()
    assert deadline_of(cycle, extension.unit) == extension.deadline > cycle.deadline
    assert extension.reason


def test_each_region_has_plans_in_every_state_made_by_the_review_services(demo):
    for region, states in states_by_region().items():
        for state in (NOT_STARTED, Status.DRAFT, Status.SUBMITTED, Status.RETURNED):
            assert states[state] >= 1, (region, state)
        assert states[Status.APPROVED] >= 2, region
    # reviewer3's second-tier branch has its own to review
    below = Plan.objects.filter(branch__parent__code="R01-S1")
    assert set(below.values_list("status", flat=True)) >= {"submitted", "returned", "approved"}
    for plan in Plan.objects.exclude(status=Status.DRAFT).prefetch_related("versions"):
        versions = list(plan.versions.all())
        assert versions, plan.branch.code
        trail = list(plan.audit_entries.order_by("pk").values_list("action", "reason"))
        assert trail[0][0] == AuditEntry.Action.SUBMITTED
        # what the roll-ups add up: the figures of the latest version, every KPI
        assert KpiFigure.objects.filter(plan=plan, target__isnull=False).count() == 13
        if plan.status == Status.APPROVED:
            assert versions[-1].approved_at and versions[-1].approved_by
            assert trail[-1][0] == AuditEntry.Action.APPROVED
        if plan.status == Status.RETURNED:
            assert trail[-1][0] == AuditEntry.Action.RETURNED and trail[-1][1]
    # some were returned, revised and submitted again: two versions to compare
    revised = Plan.objects.filter(versions__number=2)
    assert {plan.status for plan in revised} >= {Status.SUBMITTED, Status.APPROVED}


def test_a_copy_is_a_document_of_its_own_branch(demo):
    plan = Plan.objects.get(branch__code="R02-05")
    version = plan.versions.get()
    snapshot = json.dumps(version.snapshot, ensure_ascii=False)
    assert "澜港市清川县" in plan.background.location
    assert "丰河" not in snapshot and "清川" in snapshot
    source = Plan.objects.get(branch__code="R01-01").products.targets.get(kpi__code="loans_total")
    assert plan.products.targets.get(kpi__code="loans_total").target != source.target
    assert render_version_pdf(version, approved=False, language="zh-hans").startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_approved_plans_have_their_pdfs_stored_and_nobody_was_mailed(
    settings, tmp_path, monkeypatch, mailoutbox
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: b"%PDF-1.7 stand-in")
    # The PDFs are asked for when load_demo's transaction commits (and made at once here).
    call_command("load_demo", verbosity=0)
    assert mailoutbox == []  # the demo's made-up history notifies no one
    approved = Version.objects.filter(plan__status=Status.APPROVED, approved_at__isnull=False)
    assert approved.count() == Plan.objects.filter(status=Status.APPROVED).count() >= 4
    for version in approved:
        pdfs = {pdf.kind: pdf for pdf in version.pdfs.all()}
        assert set(pdfs) == {VersionPdf.Kind.SUBMITTED, VersionPdf.Kind.APPROVED}
        for pdf in pdfs.values():
            assert pdf.state == VersionPdf.State.READY
            assert (tmp_path / pdf.file.name).read_bytes().startswith(b"%PDF")
    assert not VersionPdf.objects.exclude(state=VersionPdf.State.READY).exists()


def test_allocations_for_head_office_every_region_second_tier_branch_and_branch(demo):
    # 2027's: the closed 2026 cycle (bankplan/rollforward/demo.py) has no allocations.
    kpis = list(Kpi.objects.filter(cycle__year=2027))
    units = list(Unit.objects.all())
    targets = {
        (unit, kpi): target
        for unit, kpi, target in Allocation.objects.values_list("unit__code", "kpi__code", "target")
    }
    assert set(targets) == {(unit.code, kpi.code) for unit in units for kpi in kpis}
    assert set(Allocation.objects.values_list("set_by__username", flat=True)) == {"admin"}
    for unit in units:
        own = {kpi.code: targets[unit.code, kpi.code] for kpi in kpis}
        assert own["deposits_total"] == own["deposits_retail"] + own["deposits_corporate"]
        below = [child.code for child in units if child.parent_id == unit.pk]
        if below:  # a unit holds at least what it hands down, and a little more at most
            handed = sum(targets[code, "deposits_total"] for code in below)
            assert handed <= own["deposits_total"] <= handed + 200, unit.code
    # the dashboard's gap column: plans short of their allocation, over it, over a ratio
    gaps = {"deposits_total": [], "npl_ratio": []}
    counted = KpiFigure.objects.filter(kpi__code__in=gaps, kpi__cycle__year=2027)
    for branch, kpi, target in counted.values_list("plan__branch__code", "kpi__code", "target"):
        gaps[kpi].append(target - targets[branch, kpi])
    assert min(gaps["deposits_total"]) < 0 < max(gaps["deposits_total"])
    assert max(gaps["npl_ratio"]) > 0  # a branch over the NPL ratio it is allowed


def test_loading_again_changes_nothing(demo):
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    plan.background.location = "改过的地址"
    plan.background.save()
    models = (Unit, Plan, Version, VersionPdf, AuditEntry, KpiFigure, Allocation)
    before = [model.objects.count() for model in models]
    call_command("load_demo", verbosity=0)
    assert [model.objects.count() for model in models] == before
    plan.background.refresh_from_db()
    assert plan.background.location == "改过的地址"


def test_the_managers_plan_is_a_complete_draft_and_the_other_half_done(client, demo):
    client.login(username="manager", password="demo")
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    response = client.get(reverse("plans:overview", args=[plan.pk]))
    assert response.context["percent"] == 100
    html = response.content.decode()
    assert "丰河县支行" in html and "工商银行" in html
    assert plan.status == Status.DRAFT
    half = Plan.objects.get(branch__memberships__user__username="manager2")
    states = section_states(load_plan(half))
    assert any(state.complete for state in states) and not all(s.complete for s in states)
