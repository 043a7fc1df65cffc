"""The API reads what the pages let each role read: a branch's people their branch, a
reviewer their region, head office everything; anything else is 404 and absent from
lists."""

import pytest
from django.urls import reverse

from bankplan.organisation.models import Role, Unit, UnitKind
from tests.conftest import make_user

# Whose plans each role reads, by branch (the plans fixture: A draft, B submitted, C
# approved).
READS = {
    "author": {"A"},
    "colleague": {"A"},
    "other_manager": {"B"},
    "reviewer": {"A", "B"},
    "other_reviewer": {"C"},
    "head_office": {"A", "B", "C"},
}


def plan_codes(client, **query):
    answer = client.get(reverse("api:plans"), query)
    assert answer.status_code == 200
    return {plan["branch"]["code"] for plan in answer.json()["results"]}


@pytest.mark.parametrize("role", READS)
def test_each_role_lists_and_opens_exactly_the_plans_it_may_read(role, request, plans, api):
    client = api(request.getfixturevalue(role))
    assert plan_codes(client) == READS[role]
    for code, plan in plans.items():
        detail = client.get(reverse("api:plan", args=[plan.pk]))
        if code.upper() in READS[role]:
            assert detail.status_code == 200
            assert detail.json()["branch"]["code"] == code.upper()
        else:
            assert detail.status_code == 404
            assert detail.json() == {"detail": client.get("/api/plans/0/").json()["detail"]}


def test_a_version_of_another_branch_is_404_like_one_that_does_not_exist(
    version, other_manager, author, api
):
    url = reverse("api:version", args=[version.plan_id, 1])
    assert api(author).get(url).status_code == 200
    stranger = api(other_manager)
    assert stranger.get(url).status_code == 404
    assert (
        stranger.get(reverse("api:version_pdf", args=[version.plan_id, 1, "submitted"])).status_code
        == 404
    )
    assert api(author).get(reverse("api:version", args=[version.plan_id, 2])).status_code == 404


# Whose roll-ups each role reads, by unit; branches are read through their plans.
ROLLUPS = {
    "author": set(),
    "colleague": set(),
    "other_manager": set(),
    "reviewer": {"r1"},
    "other_reviewer": {"r2"},
    "head_office": {"head", "r1", "r2"},
}


@pytest.mark.parametrize("role", ROLLUPS)
def test_roll_ups_are_read_by_those_who_oversee_the_unit(role, request, plans, bank, cycle, api):
    client = api(request.getfixturevalue(role))
    for name in ("head", "r1", "r2", "a"):
        answer = client.get(reverse("api:rollup", args=[cycle.pk, bank[name].pk]))
        expected = 200 if name in ROLLUPS[role] else 404
        assert answer.status_code == expected, name
    units = client.get(reverse("api:units")).json()["results"]
    assert {unit["id"] for unit in units} == {bank[name].pk for name in ROLLUPS[role]}


def test_a_reviewer_of_a_second_tier_branch_reads_its_roll_up_not_the_region(
    bank, cycle, plans, api
):
    s1 = Unit.objects.create(
        code="S1", name="二级分行", kind=UnitKind.SUB_BRANCH, parent=bank["r1"]
    )
    client = api(make_user("subreviewer", s1, Role.REGIONAL_REVIEWER))
    assert client.get(reverse("api:rollup", args=[cycle.pk, s1.pk])).status_code == 200
    assert client.get(reverse("api:rollup", args=[cycle.pk, bank["r1"].pk])).status_code == 404
    assert plan_codes(client) == set()


def test_the_roll_up_of_the_bank_groups_by_region(plans, bank, cycle, head_office, api):
    rolled = api(head_office).get(reverse("api:rollup", args=[cycle.pk, bank["head"].pk])).json()
    assert rolled["unit"]["code"] == "HO"
    assert [kpi["code"] for kpi in rolled["catalogue"]] == ["deposits", "new_customers", "npl"]
    assert [group["unit"]["code"] for group in rolled["groups"]] == ["R1", "R2"]
    r1 = rolled["groups"][0]["progress"]
    assert (r1["total"], r1["counts"]["draft"], r1["counts"]["submitted"]) == (2, 1, 1)
    assert rolled["progress"]["counts"]["approved"] == 1
    assert [line["kpi"] for line in rolled["kpis"]] == ["deposits", "new_customers", "npl"]


def test_cycles_and_their_catalogue_are_read_by_everyone_signed_in(cycle, colleague, api):
    client = api(colleague)
    assert [c["year"] for c in client.get(reverse("api:cycles")).json()] == [2027]
    kpis = client.get(reverse("api:kpis", args=[cycle.pk])).json()
    assert [(k["code"], k["base"]) for k in kpis] == [
        ("deposits", None),
        ("new_customers", None),
        ("npl", "deposits"),
    ]
    assert client.get(reverse("api:cycle", args=[cycle.pk + 1])).status_code == 404
    assert client.get(reverse("api:kpis", args=[cycle.pk + 1])).status_code == 404


def test_answers_for_a_signed_in_reader_are_kept_by_no_cache(plans, author, api):
    answer = api(author).get(reverse("api:plans"))
    assert answer["Cache-Control"] == "private, no-store"


def test_a_session_signs_in_too_and_anything_but_a_read_is_405(client, plans, author):
    client.force_login(author)
    assert plan_codes(client) == {"A"}
    assert client.post(reverse("api:plans")).status_code == 405
    assert client.delete(reverse("api:plan", args=[plans["a"].pk])).status_code == 405
