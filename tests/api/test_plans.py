"""The plan list: filters, cursor pages that miss and repeat nothing, and a number of
queries that does not grow with the plans."""

import base64
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bankplan.organisation.models import Unit, UnitKind
from bankplan.plans.models import Cycle, Plan
from bankplan.reviews.models import Version

PLANS = reverse("api:plans")


def many_plans(cycle, region, count, by, start=0):
    """``count`` more branches of ``region`` with a plan each, every plan with a version."""
    made = []
    for number in range(start, start + count):
        branch = Unit.objects.create(
            code=f"{region.code}-{number:03}",
            name=f"支行{number}",
            kind=UnitKind.BRANCH,
            parent=region,
        )
        plan = Plan.objects.create(cycle=cycle, branch=branch, created_by=by)
        Version.objects.create(plan=plan, number=1, snapshot={}, submitted_by=by)
        made.append(plan)
    return made


def listed(client, **query):
    answer = client.get(PLANS, query)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_the_filters_choose_by_cycle_year_region_and_state(plans, cycle, head_office, api):
    earlier = Cycle.objects.create(
        year=2026,
        name="2026 年度营销计划",
        opens_on=datetime.date(2025, 10, 1),
        deadline=datetime.date(2025, 12, 31),
    )
    old = Plan.objects.create(cycle=earlier, branch=plans["a"].branch, created_by=head_office)
    client = api(head_office)

    def ids(**query):
        return {plan["id"] for plan in listed(client, **query)["results"]}

    this_year = {plan.pk for plan in plans.values()}
    assert ids() == this_year | {old.pk}
    assert ids(cycle=cycle.pk) == ids(year=2027) == this_year
    assert ids(year=2026) == {old.pk}
    assert ids(region="R1") == {plans["a"].pk, plans["b"].pk, old.pk}
    assert ids(region="R1", year=2027, state="submitted") == {plans["b"].pk}
    assert ids(region="nowhere") == set()


@pytest.mark.parametrize(
    "query",
    [
        {"cycle": "x"},
        {"cycle": "0"},
        {"cycle": "9" * 30},
        {"year": "1e3"},
        {"state": "lost"},
        {"region": "R" * 21},
        {"region": "a\x00b"},
    ],
)
def test_a_filter_the_api_does_not_know_is_a_400_naming_it(plans, head_office, api, query):
    answer = api(head_office).get(PLANS, query)
    assert answer.status_code == 400
    assert set(answer.json()) == set(query)


def test_walking_the_pages_sees_every_plan_once_even_as_plans_are_added(
    bank, cycle, head_office, api
):
    made = many_plans(cycle, bank["r1"], 25, head_office)
    client = api(head_office)
    seen, url, added = [], f"{PLANS}?page_size=7", False
    while url:
        page = client.get(url).json()
        seen += [plan["id"] for plan in page["results"]]
        if not added:  # a plan started meanwhile comes last, on a later page
            made += many_plans(cycle, bank["r2"], 1, head_office, start=100)
            added = True
        url = page["next"]
    assert seen == sorted(plan.pk for plan in made)


@pytest.mark.parametrize("position", ["", "abc", "²", "9" * 30, "-1"])
def test_a_forged_cursor_is_a_404_not_an_error(plans, head_office, api, position):
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    assert api(head_office).get(PLANS, {"cursor": cursor}).status_code == 404
    assert api(head_office).get(PLANS, {"cursor": "not base64!"}).status_code == 404


def test_the_list_costs_the_same_queries_for_few_plans_as_for_many(bank, cycle, head_office, api):
    client = api(head_office)
    client.get(PLANS)  # the token's first use is written once a minute: not in the count

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert len(listed(client)["results"]) in (3, 40)
        return len(captured)

    many_plans(cycle, bank["r1"], 3, head_office)
    few = queries()
    many_plans(cycle, bank["r2"], 37, head_office, start=3)
    assert queries() == few <= 5
