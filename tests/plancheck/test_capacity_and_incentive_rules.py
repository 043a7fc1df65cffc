"""The capacity family (new customers within what the client managers can serve) and the
incentives family (every target scored, counts with a quality condition, deductions for
bad loans and breaches)."""

from decimal import Decimal as D

import pytest

from bankplan.plancheck.config import CAPACITY_KPIS, CUSTOMERS_PER_MANAGER
from bankplan.plancheck.engine import check_plan
from bankplan.plans.models import Kpi
from bankplan.plans.sections.background import LastYearResult
from bankplan.plans.sections.incentives import Deduction, ScorecardLine
from bankplan.plans.sections.products import KpiTarget
from bankplan.plans.sections.staffing import Portfolio


def found(plan, code, **thresholds):
    options = {"overrides": {}, "thresholds": thresholds}
    return [f for f in check_plan(plan, language="en", **options) if f.code == code]


@pytest.fixture
def managers(plan):
    def add(*customers):
        for i, count in enumerate(customers):
            Portfolio.objects.create(
                staffing=plan.staffing, client_manager=f"经理{i}", role="retail_cm", customers=count
            )

    return add


def target(plan, kpi, value):
    KpiTarget.objects.update_or_create(products=plan.products, kpi=kpi, defaults={"target": value})


def test_new_customers_beyond_the_managers_capacity_are_flagged(plan, kpis, managers):
    managers(300, 350)  # two managers serve 650 today
    per = {CUSTOMERS_PER_MANAGER: 400}  # and could serve 800
    target(plan, kpis["new_customers"], D(150))
    assert found(plan, "CAP-001", **per) == []  # 800: just within
    target(plan, kpis["new_customers"], D(151))
    [finding] = found(plan, "CAP-001", **per)
    assert (finding.section, finding.anchor) == ("staffing", "portfolios")
    assert "801 customers (650 today and 151 new)" in finding.message
    assert "2 managers can at 400 each (800)" in finding.message
    # Head office's figure decides: at 450 a manager, the same plan fits.
    assert found(plan, "CAP-001", **{CUSTOMERS_PER_MANAGER: 450}) == []


def test_a_balance_of_customers_adds_its_growth_only(plan, cycle, managers):
    held = Kpi.objects.create(
        cycle=cycle, code="vip", name="中高端客户数", measure="customers", is_balance=True
    )
    managers(700)
    LastYearResult.objects.create(background=plan.background, kpi=held, last_actual=D(700))
    target(plan, held, D(800))  # 100 more than held: 800 in all, over one manager's 400
    [finding] = found(plan, "CAP-001", **{CUSTOMERS_PER_MANAGER: 400})
    assert "(700 today and 100 new)" in finding.message


def test_only_the_kpis_head_office_names_bring_managers_customers(plan, cycle, kpis, managers):
    signups = Kpi.objects.create(
        cycle=cycle, code="mobile", name="手机银行新增签约", measure="customers"
    )
    managers(350)
    target(plan, kpis["new_customers"], D(40))
    target(plan, signups, D(3000))  # mostly customers the branch has already
    per = {CUSTOMERS_PER_MANAGER: 400}
    assert found(plan, "CAP-001", **per)  # every customer KPI counts by default
    assert found(plan, "CAP-001", **per, **{CAPACITY_KPIS: frozenset({"new_customers"})}) == []


def line(plan, kpi=None, **fields):
    fields = {"weight": D(50), "scoring_rule": "按完成率计分", **fields}
    return ScorecardLine.objects.create(incentives=plan.incentives, kpi=kpi, **fields)


def test_kpis_with_a_target_and_no_scorecard_line_are_flagged(plan, kpis):
    target(plan, kpis["deposits"], D(50000))
    target(plan, kpis["new_customers"], D(1000))
    target(plan, kpis["npl"], D("1.2"))
    line(plan, kpis["deposits"])
    [finding] = found(plan, "INC-005")
    assert finding.anchor == "scorecard"
    assert "No scorecard line pays for New active customers and NPL ratio" in finding.message
    line(plan, kpis["new_customers"], quality_condition="开户三个月内日均资产不低于 1000 元")
    line(plan, kpis["npl"])
    assert found(plan, "INC-005") == []


def test_a_line_paying_on_counts_without_a_quality_condition_is_a_conduct_risk(plan, kpis):
    counted = line(plan, kpis["new_customers"])
    line(plan, kpis["deposits"])  # a balance: what is held counts already
    line(plan, name="客户满意度")  # not a catalogue count
    [finding] = found(plan, "INC-006")
    assert (finding.anchor, finding.row) == ("scorecard", str(counted.pk))
    assert "New active customers" in finding.message and "mis-selling" in finding.message
    counted.quality_condition = "有效户：开户后三个月日均资产不低于 1000 元"
    counted.save()
    assert found(plan, "INC-006") == []


def test_deductions_for_bad_loans_and_breaches_are_required(plan):
    assert found(plan, "INC-007") == []  # no deductions at all: INC-003 says so
    Deduction.objects.create(incentives=plan.incentives, kind="npl", rule="r", deduction="d")
    [finding] = found(plan, "INC-007")
    assert finding.blocks and "“Compliance breach”" in finding.message
    assert "Non-performing" not in finding.message
    Deduction.objects.create(incentives=plan.incentives, kind="compliance", rule="r", deduction="d")
    assert found(plan, "INC-007") == []
