"""Database constraints hold whatever the forms do."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bankplan.lib import figures
from bankplan.plans.models import Cycle, Direction, Kpi, Plan
from bankplan.plans.sections.background import achievement
from bankplan.plans.sections.incentives import ScorecardLine
from bankplan.plans.sections.swot import SwotItem


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_a_branch_has_at_most_one_plan_per_cycle(plan, author):
    refused(lambda: Plan.objects.create(cycle=plan.cycle, branch=plan.branch, created_by=author))


def test_a_plan_status_is_one_of_the_four(plan):
    refused(lambda: Plan.objects.filter(pk=plan.pk).update(status="lost"))


def test_a_deadline_falls_after_the_opening(db):
    refused(
        lambda: Cycle.objects.create(
            year=2030,
            name="x",
            opens_on=datetime.date(2030, 2, 1),
            deadline=datetime.date(2030, 1, 1),
        )
    )


def test_kpi_codes_are_unique_within_a_cycle(cycle):
    refused(
        lambda: Kpi.objects.create(cycle=cycle, code="deposits", name="重复", measure="wan_yuan")
    )


def test_a_kpi_unit_is_a_known_one(cycle):
    refused(lambda: Kpi.objects.create(cycle=cycle, code="x", name="x", measure="litres"))


def test_each_plan_section_exists_once(plan):
    from bankplan.plans.sections.swot import Swot

    refused(lambda: Swot.objects.create(plan=plan))


def test_a_swot_item_kind_is_s_w_o_or_t(plan):
    refused(lambda: SwotItem.objects.create(swot=plan.swot, kind="X", text="?"))


def test_a_scorecard_weight_lies_within_0_and_100(plan):
    refused(
        lambda: ScorecardLine.objects.create(
            incentives=plan.incentives, name="x", weight=150, scoring_rule="?"
        )
    )
    refused(
        lambda: ScorecardLine.objects.create(
            incentives=plan.incentives, weight=10, scoring_rule="no measure named"
        )
    )


def test_kpi_names_follow_the_language(kpis):
    from django.utils import translation

    with translation.override("en"):
        assert kpis["deposits"].display_name == "Total deposits"
    with translation.override("zh-hans"):
        assert kpis["deposits"].display_name == "各项存款余额"


def test_achievement_is_a_decimal_share_of_last_years_target():
    achieved = achievement(Decimal("54000"), Decimal("53200"), Direction.HIGHER)
    assert isinstance(achieved, Decimal) and figures.percent(achieved) == "98.5%"
    assert achievement(None, Decimal("1"), Direction.HIGHER) is None
    assert achievement(Decimal("1"), None, Direction.HIGHER) is None
    # beating an NPL target means a smaller figure: a share of it would mislead
    assert achievement(Decimal("1.5"), Decimal("1.32"), Direction.LOWER) is None


def test_a_product_line_target_reads_in_the_unit_typed():
    assert figures.in_unit(Decimal("1200.00"), "户") == "1,200 户"
    assert figures.in_unit(Decimal("1200.00"), "万元") == "1,200.00 万元"
    assert figures.in_unit(Decimal("12.5"), "笔") == "12.50 笔"
    assert figures.in_unit(None, "万元") == ""
