"""Completeness per section (the plan check's blocking findings), the progress bar, and
pages at a fixed number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bankplan.plans.progress import load_plan, percent_complete, section_states
from bankplan.plans.sections.background import Competitor, LastYearResult
from bankplan.plans.sections.incentives import ScorecardLine
from bankplan.plans.sections.products import ProductLine
from bankplan.plans.sections.registry import SECTIONS
from bankplan.plans.sections.swot import SwotItem, SwotStrategy
from bankplan.plans.sections.target_market import Segment


def states_of(plan):
    return {state.section.key: state for state in section_states(load_plan(plan))}


def test_a_new_plan_has_nothing_complete(plan):
    states = states_of(plan)
    assert not any(state.complete for state in states.values())
    assert percent_complete(list(states.values())) == 0


def test_background_is_complete_with_profile_results_economy_and_a_competitor(plan, kpis):
    background = plan.background
    background.location, background.branch_type, background.headcount = "人民路", "urban", 20
    background.local_economy = "制造业为主"
    background.save()
    Competitor.objects.create(background=background, name="建行", type="state_owned")
    for kpi in kpis.values():
        LastYearResult.objects.create(background=background, kpi=kpi, last_actual=Decimal(1))
    assert states_of(plan)["background"].complete
    LastYearResult.objects.filter(kpi=kpis["npl"]).update(last_actual=None)
    blocking = states_of(plan)["background"].blocking
    assert [(finding.code, finding.anchor) for finding in blocking] == [("BKG-002", "results")]


def test_swot_needs_all_four_kinds_and_a_strategy(plan):
    swot = plan.swot
    for kind in "SWO":
        SwotItem.objects.create(swot=swot, kind=kind, text=kind)
    blocking = states_of(plan)["swot"].blocking
    assert [finding.code for finding in blocking] == [
        "SWOT-001",
        "SWOT-004",
    ]  # no threat, no strategy
    SwotItem.objects.create(swot=swot, kind="T", text="T")
    SwotStrategy.objects.create(swot=swot, kind="SO", text="SO")
    assert states_of(plan)["swot"].complete


def test_incentives_need_weights_summing_to_100(plan):
    incentives = plan.incentives
    ScorecardLine.objects.create(incentives=incentives, name="a", weight=60, scoring_rule="r")
    messages = [f.message for f in states_of(plan)["incentives"].blocking if f.code == "INC-001"]
    assert len(messages) == 1 and "60" in messages[0]
    ScorecardLine.objects.create(incentives=incentives, name="b", weight=40, scoring_rule="r")
    assert not any(f.code == "INC-001" for f in states_of(plan)["incentives"].findings)


def test_the_overview_shows_every_section_with_edit_links(client, plan, author):
    client.force_login(author)
    response = client.get(reverse("plans:overview", args=[plan.pk]))
    html = response.content.decode()
    for state in response.context["states"]:
        assert str(state.section.title) in html
        assert reverse("plans:section", args=[plan.pk, state.section.key]) in html


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_rows(plan, n):
    segment = Segment.objects.create(
        target_market=plan.targetmarket, segment_type="farmer", chosen=True
    )
    for i in range(n):
        Competitor.objects.create(background=plan.background, name=f"c{i}", type="rural")
        item = SwotItem.objects.create(swot=plan.swot, kind="S", text=f"s{i}")
        SwotStrategy.objects.create(swot=plan.swot, kind="SO", text=f"so{i}").items.add(item)
        ProductLine.objects.create(
            products=plan.products, name=f"p{i}", category="loan", segment=segment
        )
        ScorecardLine.objects.create(
            incentives=plan.incentives, name=f"k{i}", weight=1, scoring_rule="r"
        )


def test_the_overview_costs_the_same_queries_however_long_the_plan(client, plan, author):
    client.force_login(author)
    url = reverse("plans:overview", args=[plan.pk])
    add_rows(plan, 1)
    client.get(url)  # a session's first request may renew it (SessionLifetimeMiddleware)
    few = count_queries(client, url)
    add_rows(plan, 20)
    assert count_queries(client, url) == few
    # 30 until the plan check read its cycle's settings; a query more for client
    # managers' targets, a table of its own, one for the branch's official actuals, and
    # one for the notice of a plan rolled forward from last year's
    assert few <= 34


@pytest.mark.parametrize("key", [section.key for section in SECTIONS])
def test_a_section_page_costs_the_same_queries_however_many_rows(client, plan, author, key):
    client.force_login(author)
    url = reverse("plans:section", args=[plan.pk, key])
    add_rows(plan, 1)
    client.get(url)  # a session's first request may renew it (SessionLifetimeMiddleware)
    few = count_queries(client, url)
    add_rows(plan, 20)
    assert count_queries(client, url) == few


def test_the_plan_list_costs_the_same_queries_however_many_plans(
    client, cycle, bank, head_office, author, other_manager
):
    from bankplan.plans.services import start_plan

    client.force_login(head_office)
    start_plan(cycle=cycle, branch=bank["a"], by=author)
    one = count_queries(client, reverse("plans:list"))
    start_plan(cycle=cycle, branch=bank["b"], by=other_manager)
    assert count_queries(client, reverse("plans:list")) == one
