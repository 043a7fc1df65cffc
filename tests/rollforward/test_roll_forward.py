"""Rolling one plan forward: every section copied, links to the new rows, KPIs by code,
last year's targets as the baseline, what no longer fits dropped and listed, and last
year's plan untouched."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bankplan.audit.models import Action, Event
from bankplan.plans.models import Kpi, Plan, Status
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.background import Competitor
from bankplan.plans.sections.base import MAX_ROWS
from bankplan.plans.sections.products import ProductLine
from bankplan.plans.sections.registry import SECTIONS
from bankplan.plans.services import start_plan
from bankplan.reviews.models import Version
from bankplan.reviews.snapshots import snapshot_plan
from bankplan.rollforward.carry import Why
from bankplan.rollforward.models import RolledPlan
from bankplan.rollforward.services import AlreadyStarted, NothingToRoll, roll_forward_plan

from .conftest import write_plan


@pytest.fixture
def rolled(last_year, cycle, bank, author):
    return load_plan(roll_forward_plan(cycle=cycle, branch=bank["a"], by=author))


def row_counts(plan: Plan) -> dict[str, int]:
    plan = load_plan(plan)
    return {
        f"{section.key}.{table.name}": len(table.rows(section.content_of(plan)))
        for section in SECTIONS
        for table in section.tables
    }


def test_every_link_points_at_the_new_plans_rows(rolled):
    strategy = rolled.swot.strategies.get()
    segment = rolled.targetmarket.segments.get()
    account = rolled.targetmarket.key_accounts.get()
    line = rolled.products.lines.get(name="大额存单 0")
    assert set(strategy.items.all()) == set(rolled.swot.items.all())
    assert account.segment == segment
    assert line.segment == segment and list(line.strategies.all()) == [strategy]
    assert list(rolled.channels.rows.get().segments.all()) == [segment]
    assert list(rolled.channels.activities.get().strategies.all()) == [strategy]
    task = rolled.staffing.task_force.get()
    assert task.key_account == account and list(task.strategies.all()) == [strategy]
    training = rolled.staffing.trainings.get()
    assert list(training.products.all()) == [line]
    assert list(training.strategies.all()) == [strategy]


def test_text_and_rows_are_copied_and_kpis_are_the_new_catalogues(rolled, cycle):
    assert rolled.background.location == "城关镇" and rolled.background.branch_type == "urban"
    assert rolled.background.competitors.get().name == "工商银行"
    assert rolled.staffing.portfolios.get().client_manager == "王明"
    assert rolled.incentives.deductions.count() == rolled.incentives.rewards.count() == 1
    line = rolled.products.lines.get(name="大额存单 0")
    assert line.kpi.cycle == cycle and line.kpi.code == "deposits"
    assert rolled.incentives.scorecard.get().kpi.cycle == cycle
    assert rolled.incentives.portfolio_targets.get().kpi.cycle == cycle


def test_last_years_targets_are_the_baseline(rolled):
    results = {row.kpi.code: row for row in rolled.background.results.all()}
    targets = {row.kpi.code: row for row in rolled.products.targets.all()}
    assert set(results) == set(targets) == {"deposits", "new_customers", "npl"}
    assert results["deposits"].last_target == Decimal(1000)  # last year's target, not 900
    assert results["deposits"].last_actual is None  # for the author or the official figures
    assert targets["npl"].target == Decimal("1.20")
    assert targets["deposits"].quarters == [None] * 4


def test_kpis_no_longer_in_the_catalogue_are_dropped_and_listed(rolled):
    etc = rolled.products.lines.get(name="ETC 卡 1")
    assert etc.kpi is None  # the line stays, without its KPI
    assert rolled.incentives.scorecard.count() == 1  # its ETC line could not stay
    dropped = RolledPlan.objects.get(plan=rolled).dropped
    listed = {(item["section"], item["table"], item["column"]) for item in dropped}
    assert listed == {
        ("background", "results", ""),
        ("products", "targets", ""),
        ("products", "lines", "kpi"),
        ("incentives", "scorecard", ""),
        ("incentives", "portfolio_targets", ""),
    }
    assert all(item["why"] == Why.KPI for item in dropped)
    line = next(item for item in dropped if item["column"] == "kpi")
    assert line["row"]["zh-hans"] == "ETC 卡 1"
    assert line["value"] == {"zh-hans": "ETC 新增签约", "en": "New ETC users"}


def test_a_kpi_that_took_the_place_of_last_years_carries_its_rows(last_year, cycle, bank, author):
    etc = Kpi.objects.create(
        cycle=cycle,
        code="etc_signups",
        previous_code="etc_users",
        name="ETC 签约",
        measure=Kpi.Measure.CUSTOMERS,
        position=4,
    )
    plan = roll_forward_plan(cycle=cycle, branch=bank["a"], by=author)
    assert plan.products.lines.get(name="ETC 卡 1").kpi == etc
    assert plan.products.targets.filter(kpi=etc).exists()
    assert plan.background.results.filter(kpi=etc).exists()
    assert plan.incentives.scorecard.count() == 2
    assert RolledPlan.objects.get(plan=plan).dropped == []


def test_a_choice_that_no_longer_exists_is_dropped_and_listed(
    last_year, cycle, bank, author, monkeypatch
):
    promotion = ProductLine._meta.get_field("promotion")
    kept = [choice for choice in promotion.choices if choice[0] != "tailored"]
    monkeypatch.setattr(promotion, "choices", kept)
    plan = roll_forward_plan(cycle=cycle, branch=bank["a"], by=author)
    assert set(plan.products.lines.values_list("promotion", flat=True)) == {""}
    dropped = RolledPlan.objects.get(plan=plan).dropped
    choices = [item for item in dropped if item["why"] == Why.CHOICE]
    assert [(item["column"], item["value"]["en"]) for item in choices] == [
        ("promotion", "tailored"),
        ("promotion", "tailored"),
    ]


def test_last_years_plan_and_its_version_do_not_change(last_year, cycle, bank, author):
    before = snapshot_plan(last_year), row_counts(last_year), last_year.updated_at
    version = Version.objects.get(plan=last_year).snapshot
    roll_forward_plan(cycle=cycle, branch=bank["a"], by=author)
    last_year.refresh_from_db()
    assert (snapshot_plan(last_year), row_counts(last_year), last_year.updated_at) == before
    assert last_year.status == Status.APPROVED
    assert Version.objects.get(plan=last_year).snapshot == version


def test_the_new_plan_is_a_draft_with_nothing_of_the_old_cycle(rolled, author):
    assert rolled.status == Status.DRAFT and rolled.created_by == author
    assert not rolled.versions.exists() and not rolled.threads.exists()
    assert not rolled.audit_entries.exists()
    assert {section.content_of(rolled).revision for section in SECTIONS} == {0}
    events = Event.objects.filter(plan=rolled)
    assert events.count() == len(SECTIONS)
    assert set(events.values_list("action", flat=True)) == {Action.SECTION_SAVED}
    assert all("2026 年度营销计划" in event.detail for event in events)


def test_a_branch_without_an_approved_plan_has_nothing_to_roll(
    last_cycle, cycle, bank, author, last_year
):
    Plan.objects.filter(pk=last_year.pk).update(status=Status.DRAFT)
    with pytest.raises(NothingToRoll):
        roll_forward_plan(cycle=cycle, branch=bank["a"], by=author)
    assert not Plan.objects.filter(cycle=cycle).exists()


def test_a_started_plan_is_not_rolled_again(last_year, cycle, bank, author):
    started = start_plan(cycle=cycle, branch=bank["a"], by=author)
    with pytest.raises(AlreadyStarted) as refused:
        roll_forward_plan(cycle=cycle, branch=bank["a"], by=author)
    assert refused.value.plan == started
    assert not RolledPlan.objects.exists()


def test_only_the_branchs_manager_or_head_office_rolls_it(
    last_year, cycle, bank, other_manager, colleague, reviewer, head_office
):
    for user in (other_manager, colleague, reviewer):
        with pytest.raises(PermissionDenied):
            roll_forward_plan(cycle=cycle, branch=bank["a"], by=user)
    assert (
        roll_forward_plan(cycle=cycle, branch=bank["a"], by=head_office).created_by == head_office
    )


def test_the_queries_do_not_grow_with_the_rows(
    last_cycle, cycle, bank, author, other_manager, approve
):
    small = start_plan(cycle=last_cycle, branch=bank["a"], by=author)
    write_plan(small, lines=1)
    large = start_plan(cycle=last_cycle, branch=bank["b"], by=other_manager)
    write_plan(large, lines=40)
    approve(small), approve(large)
    counted = []
    for branch, user in ((bank["a"], author), (bank["b"], other_manager)):
        with CaptureQueriesContext(connection) as queries:
            roll_forward_plan(cycle=cycle, branch=branch, by=user)
        counted.append(len(queries))
    assert counted[0] == counted[1]
    assert ProductLine.objects.filter(products__plan__cycle=cycle).count() == 41


def test_a_table_stored_over_its_row_limit_is_carried_up_to_the_limit(
    last_year, cycle, bank, author
):
    Competitor.objects.bulk_create(
        Competitor(background=last_year.background, name=f"银行 {n}", type="joint_stock")
        for n in range(MAX_ROWS)  # 51 with the one written already
    )
    plan = roll_forward_plan(cycle=cycle, branch=bank["a"], by=author)
    assert plan.background.competitors.count() == MAX_ROWS
    dropped = RolledPlan.objects.get(plan=plan).dropped
    limited = [item for item in dropped if item["why"] == Why.LIMIT]
    assert [item["row"]["zh-hans"] for item in limited] == [f"银行 {MAX_ROWS - 1}"]
