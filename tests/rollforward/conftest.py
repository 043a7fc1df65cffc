"""Last year's cycle and an approved plan of it, written with a row of every table and
the links between them, for branch A to roll forward into the 2027 cycle."""

from decimal import Decimal

import pytest
from django.utils import timezone

from bankplan.plans.models import Kpi, Plan, Status
from bankplan.plans.sections.background import Competitor, LastYearResult
from bankplan.plans.sections.channels import Channel, ChannelActivity
from bankplan.plans.sections.incentives import (
    Deduction,
    PortfolioTarget,
    Reward,
    ScorecardLine,
)
from bankplan.plans.sections.products import KpiTarget, ProductLine
from bankplan.plans.sections.staffing import Portfolio, RoleDuty, TaskForceTarget, Training
from bankplan.plans.sections.swot import SwotItem, SwotStrategy
from bankplan.plans.sections.target_market import KeyAccount, Segment
from bankplan.plans.services import start_plan
from bankplan.reviews.models import Version
from bankplan.reviews.snapshots import snapshot_plan
from tests.conftest import make_cycle

QUEUES = ["default", "packs"]


@pytest.fixture(autouse=True)
def packs_queue(settings):
    """Runs go on the packs queue; tasks run as they are enqueued."""
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
    }


@pytest.fixture
def last_cycle(db):
    """2026: the 2027 catalogue's KPIs and one more (ETC sign-ups) that 2027 dropped."""
    cycle = make_cycle(2026)
    Kpi.objects.create(
        cycle=cycle,
        code="etc_users",
        name="ETC 新增签约",
        name_en="New ETC users",
        measure=Kpi.Measure.CUSTOMERS,
        position=4,
    )
    return cycle


TARGETS = {"deposits": "1000", "new_customers": "500", "npl": "1.20", "etc_users": "300"}


def write_plan(plan: Plan, *, lines: int = 2) -> None:
    """A row in every table of ``plan``, linked to each other as an author would;
    ``lines`` product lines (the first aimed at the affluent, the second at ETC users)."""
    kpis = {kpi.code: kpi for kpi in plan.cycle.kpis.all()}
    background = plan.background
    background.location = "城关镇"
    background.branch_type = "urban"
    background.save()
    LastYearResult.objects.create(
        background=background, kpi=kpis["deposits"], last_target=Decimal(900), last_actual=950
    )
    Competitor.objects.create(background=background, name="工商银行", type="state_owned")
    swot = plan.swot
    strength = SwotItem.objects.create(swot=swot, kind="S", text="网点多")
    chance = SwotItem.objects.create(swot=swot, kind="O", text="新区开发")
    strategy = SwotStrategy.objects.create(swot=swot, kind="SO", text="借网点抢新区客户")
    strategy.items.set([strength, chance])
    market = plan.targetmarket
    affluent = Segment.objects.create(target_market=market, segment_type="affluent", chosen=True)
    account = KeyAccount.objects.create(target_market=market, name="城关中学", segment=affluent)
    products = plan.products
    for code, target in TARGETS.items():
        if code in kpis:
            KpiTarget.objects.create(products=products, kpi=kpis[code], target=Decimal(target))
    made = []
    for number in range(lines):
        etc = number % 2 == 1 and "etc_users" in kpis
        line = ProductLine.objects.create(
            products=products,
            name=f"ETC 卡 {number}" if etc else f"大额存单 {number}",
            category="card" if etc else "deposit",
            segment=affluent,
            kpi=kpis["etc_users"] if etc else kpis["deposits"],
            promotion="tailored",
        )
        line.strategies.set([strategy])
        made.append(line)
    channels = plan.channels
    channel = Channel.objects.create(channels=channels, channel_type="outlet", role="主阵地")
    channel.segments.set([affluent])
    activity = ChannelActivity.objects.create(
        channels=channels, month=3, channel_type="outreach", activity="进社区"
    )
    activity.strategies.set([strategy])
    staffing = plan.staffing
    RoleDuty.objects.create(staffing=staffing, role="retail_cm", headcount=3)
    Portfolio.objects.create(staffing=staffing, client_manager="王明", role="retail_cm")
    task = TaskForceTarget.objects.create(
        staffing=staffing, month=2, key_account=account, client_manager="王明"
    )
    task.strategies.set([strategy])
    training = Training.objects.create(staffing=staffing, topic="大额存单", month=1, hours=2)
    training.products.set(made[:1])
    training.strategies.set([strategy])
    incentives = plan.incentives
    for code, weight in (("deposits", 60), ("etc_users", 40)):
        if code in kpis:
            ScorecardLine.objects.create(
                incentives=incentives, kpi=kpis[code], weight=weight, scoring_rule="按完成率"
            )
            PortfolioTarget.objects.create(
                incentives=incentives, client_manager="王明", kpi=kpis[code], target=100
            )
    Deduction.objects.create(incentives=incentives, kind="npl", rule="超限扣分", deduction="5 分")
    Reward.objects.create(incentives=incentives, name="营销之星", criterion="完成率第一")


@pytest.fixture
def approve(reviewer):
    """approve(plan): its version 1, approved, and the plan approved."""

    def approved(plan: Plan) -> Plan:
        Version.objects.create(
            plan=plan,
            number=1,
            snapshot=snapshot_plan(plan),
            submitted_by=plan.created_by,
            approved_by=reviewer,
            approved_at=timezone.now(),
        )
        Plan.objects.filter(pk=plan.pk).update(status=Status.APPROVED)
        plan.refresh_from_db()
        return plan

    return approved


@pytest.fixture
def last_year(last_cycle, bank, author, approve):
    """Branch A's approved plan of 2026, with a row in every table."""
    plan = start_plan(cycle=last_cycle, branch=bank["a"], by=author)
    write_plan(plan)
    return approve(plan)
