"""The synthetic bank of `manage.py seed_bank`: the numbers asked for, plans in every
state with figures that hold together, and versions the app shows like its own."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse
from pypdf import PdfReader

from bankplan.headoffice.models import Allocation, KpiFigure
from bankplan.headoffice.seeding import seed_bank
from bankplan.organisation.models import Membership, Role, Unit, UnitKind, User
from bankplan.plans.models import Cycle, Plan, Status
from bankplan.plans.progress import load_plan, section_states
from bankplan.plans.sections.background import LastYearResult
from bankplan.plans.sections.products import KpiTarget
from bankplan.reviews import tasks
from bankplan.reviews.models import AuditEntry, Version, VersionPdf

STAND_IN = b"%PDF-1.7 stand-in"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def quick_pdf(monkeypatch, media):
    """The one render of a seeding, stood in for; one test below renders for real."""
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: STAND_IN)


@pytest.fixture
def seeded(db, quick_pdf):
    return seed_bank(regions=3, branches=40)


def planner() -> User:
    return User.objects.get(memberships__role=Role.HEAD_OFFICE_PLANNER)


def test_the_bank_has_the_units_and_people_asked_for(seeded):
    head = Unit.objects.get(kind=UnitKind.HEAD_OFFICE)
    regions = Unit.objects.filter(kind=UnitKind.REGION)
    subs = Unit.objects.filter(kind=UnitKind.SUB_BRANCH)
    assert regions.count() == 3 and all(region.parent == head for region in regions)
    assert Unit.objects.filter(kind=UnitKind.BRANCH).count() == 40
    assert subs.exists()
    assert Unit.objects.filter(kind=UnitKind.BRANCH, parent__in=subs).exists()
    assert Unit.objects.filter(kind=UnitKind.BRANCH, parent__in=regions).exists()
    roles = Counter(Membership.objects.values_list("role", flat=True))
    assert roles == {
        Role.BRANCH_MANAGER: 40,
        Role.REGIONAL_REVIEWER: 3 + subs.count(),
        Role.HEAD_OFFICE_PLANNER: 1,
    }
    assert Unit.objects.filter(kind=UnitKind.BRANCH).annotate(n=Count("memberships")).filter(
        n=1
    ).count() == 40  # fmt: skip
    assert planner().check_password("demo")
    assert seeded.made["branches"] == 40 and seeded.made["plans"] == 36


def test_each_unit_below_a_region_knows_its_region(seeded):
    for unit in Unit.objects.select_related("parent"):
        if unit.kind in (UnitKind.HEAD_OFFICE, UnitKind.REGION):
            assert unit.region_id is None
        elif unit.parent.kind == UnitKind.REGION:
            assert unit.region_id == unit.parent_id
        else:
            assert unit.region_id == unit.parent.region_id is not None


def test_plans_stand_in_every_state_in_their_share(seeded):
    states = Counter(Plan.objects.values_list("status", flat=True))
    assert states == {
        Status.DRAFT: 10,
        Status.SUBMITTED: 10,
        Status.RETURNED: 4,
        Status.APPROVED: 12,
    }  # and 4 of the 40 branches have not started
    for plan in Plan.objects.all():
        states = section_states(load_plan(plan))
        assert len(states) == 7  # a row for every section, as start_plan makes them


def test_figures_are_a_plans_own_and_hold_together(seeded):
    submitted = Plan.objects.exclude(status=Status.DRAFT)
    targets = KpiTarget.objects.filter(products__plan__in=submitted).select_related("kpi")
    actuals = {
        (row.background.plan_id, row.kpi_id): row.last_actual
        for row in LastYearResult.objects.select_related("background")
    }
    assert targets.count() == submitted.count() * 13
    for row in targets:
        last = actuals[row.products.plan_id, row.kpi_id]
        if row.kpi.measure == "percent":  # the NPL ratio: lower than last year's
            assert Decimal("0.3") <= row.target < last <= Decimal("2.5")
            continue
        half = Decimal("0.5")  # targets are whole numbers
        assert last * Decimal("1.03") - half <= row.target <= last * Decimal("1.12") + half
        assert sum(row.quarters) == (row.target - last if row.kpi.is_balance else row.target)
        if row.kpi.measure in ("customers", "cards"):
            assert all(value == value.to_integral_value() for value in [row.target, *row.quarters])
    by_code = {
        (row.products.plan_id, row.kpi.code): row.target
        for row in targets.select_related("products")
    }
    for plan in submitted:
        parts = by_code[plan.pk, "deposits_retail"] + by_code[plan.pk, "deposits_corporate"]
        assert by_code[plan.pk, "deposits_total"] == parts
    assert len({target for target in by_code.values()}) > 300  # branches differ


def test_submitted_plans_have_versions_history_pdfs_and_counted_figures(seeded):
    for plan in Plan.objects.prefetch_related("versions__pdfs", "audit_entries"):
        versions = list(plan.versions.all())
        if plan.status == Status.DRAFT:
            assert not versions
            continue
        latest = versions[-1]
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        assert (latest.approved_at is not None) == (plan.status == Status.APPROVED)
        assert latest.snapshot["plan"]["branch_code"] == plan.branch.code
        entries = list(plan.audit_entries.all())
        assert entries[-1].to_status == plan.status
        assert [e.from_status for e in entries[1:]] == [e.to_status for e in entries[:-1]]
        for version in versions:
            kinds = {pdf.kind for pdf in version.pdfs.all() if pdf.is_ready}
            wanted = {"submitted", "approved"} if version.approved_at else {"submitted"}
            assert kinds == wanted
        # The roll-ups count the latest version's figures, which are the plan's own.
        figures = KpiFigure.objects.filter(plan=plan)
        targets = dict(KpiTarget.objects.filter(products__plan=plan).values_list("kpi", "target"))
        assert dict(figures.values_list("kpi", "target")) == targets
        npl = figures.get(kpi__code="npl_ratio")
        assert npl.base_target == targets[npl.kpi.base_id]
    assert Version.objects.count() == seeded.made["versions"] > 26
    assert AuditEntry.objects.filter(action="returned").exclude(reason="").exists()


def test_a_seeded_version_shows_and_downloads_like_the_apps_own(client, seeded):
    client.force_login(planner())
    for plan in Plan.objects.filter(status__in=[Status.SUBMITTED, Status.APPROVED])[:6]:
        latest = plan.versions.last()
        page = client.get(reverse("reviews:version", args=[plan.pk, latest.number]))
        assert page.status_code == 200
        html = page.content.decode()
        assert plan.branch.name in html
        target = latest.snapshot["sections"]["products"]["tables"]["targets"][0]
        assert f"{Decimal(target['values']['target']):,.0f}" in html
        download = client.get(
            reverse("reviews:version_pdf", args=[plan.pk, latest.number, "submitted"])
        )
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == STAND_IN
    assert client.get(reverse("plans:overview", args=[plan.pk])).status_code == 200


def test_targets_are_cascaded_down_the_tree_with_gaps(seeded):
    units = Unit.objects.exclude(kind=UnitKind.HEAD_OFFICE).count() + 1
    assert Allocation.objects.count() == units * 13
    deposits = dict(
        Allocation.objects.filter(kpi__code="deposits_total").values_list("unit", "target")
    )
    for unit in Unit.objects.exclude(kind=UnitKind.BRANCH):
        below = sum(deposits[child.pk] for child in unit.children.all())
        assert below * Decimal("0.97") - 1 <= deposits[unit.pk] <= below * Decimal("1.03") + 1
    planned = dict(
        KpiTarget.objects.filter(kpi__code="deposits_total").values_list(
            "products__plan__branch", "target"
        )
    )
    gaps = [deposits[branch] - target for branch, target in planned.items()]
    assert min(gaps) < 0 < max(gaps)  # some plans fall short of what they were given


def test_a_second_seeding_grows_the_same_bank(seeded):
    again = seed_bank(regions=2, branches=10)
    assert Unit.objects.filter(kind=UnitKind.HEAD_OFFICE).count() == 1
    assert Unit.objects.filter(kind=UnitKind.REGION).count() == 5
    assert Cycle.objects.count() == 1 and again.made["cycles"] == 0
    assert User.objects.filter(memberships__role=Role.HEAD_OFFICE_PLANNER).count() == 1
    regions = Allocation.objects.filter(unit__kind=UnitKind.REGION, kpi__code="deposits_total")
    whole_bank = Allocation.objects.get(unit__kind=UnitKind.HEAD_OFFICE, kpi__code="deposits_total")
    total = regions.aggregate(total=Sum("target"))["total"]
    assert total * Decimal("0.97") - 1 <= whole_bank.target <= total * Decimal("1.03") + 1


def test_an_existing_cycle_keeps_its_own_catalogue(cycle, quick_pdf):
    seed_bank(regions=1, branches=8, year=2027)
    assert Cycle.objects.get() == cycle
    plan = Plan.objects.filter(status=Status.APPROVED).first()
    assert KpiTarget.objects.filter(products__plan=plan).count() == 3
    codes = [row["key"] for row in plan.versions.last().snapshot["sections"]["products"][
        "tables"]["targets"]]  # fmt: skip
    assert codes == ["deposits", "new_customers", "npl"]


def test_the_command_says_what_it_made(db, quick_pdf):
    out = io.StringIO()
    call_command("seed_bank", regions=2, branches=10, stdout=out)
    assert "branches: 10" in out.getvalue() and "plans: 9" in out.getvalue()


def test_the_one_pdf_is_rendered_for_real(db, media):
    seed_bank(regions=1, branches=6)
    stored = VersionPdf.objects.filter(state="ready")
    assert stored.values("file").distinct().count() == 1
    pages = PdfReader(io.BytesIO(stored.first().file.read())).pages
    assert len(pages) > 3 and "草稿" in pages[0].extract_text()
