"""The start page, the notice of what was not carried over, and who may see them."""

import pytest
from django.urls import reverse

from bankplan.plans.models import Plan
from bankplan.rollforward.models import RolledPlan


@pytest.fixture
def start_url(cycle, bank):
    return reverse("rollforward:start", args=[cycle.pk, bank["a"].pk])


def test_the_plan_list_offers_last_years_plan(client, author, last_year, start_url):
    client.force_login(author)
    html = client.get(reverse("plans:list")).content.decode()
    assert start_url in html and "2026 年度营销计划" in html


def test_the_start_page_says_what_is_carried_and_what_is_not(client, author, last_year, start_url):
    client.force_login(author)
    response = client.get(start_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ETC 新增签约" in html  # not in the 2027 catalogue


def test_starting_from_last_year_opens_the_plan_with_the_notice_in_both_languages(
    client, author, last_year, start_url, cycle
):
    client.force_login(author)
    response = client.post(start_url)
    plan = Plan.objects.get(cycle=cycle, branch=last_year.branch)
    assert response.url == reverse("plans:overview", args=[plan.pk])
    chinese = client.get(response.url, headers={"accept-language": "zh-hans"})
    assert "ETC 新增签约" in chinese.content.decode()
    assert "ETC 卡 1" in chinese.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("plans:section", args=[plan.pk, "background"]))
    html = english.content.decode()
    assert "New ETC users" in html and "not in this cycle" in html


def test_the_notice_goes_once_dismissed(client, author, last_year, start_url, cycle):
    client.force_login(author)
    client.post(start_url)
    plan = Plan.objects.get(cycle=cycle, branch=last_year.branch)
    overview = reverse("plans:overview", args=[plan.pk])
    assert "rolled-forward-notice" in client.get(overview).content.decode()
    response = client.post(reverse("rollforward:dismiss", args=[plan.pk]), {"next": overview})
    assert response.url == overview
    assert RolledPlan.objects.get(plan=plan).dismissed_at is not None
    assert "rolled-forward-notice" not in client.get(overview).content.decode()


@pytest.mark.parametrize("who", ["other_manager", "colleague", "reviewer", "head_office"])
def test_only_the_branchs_manager_starts_its_plan(client, request, who, last_year, start_url):
    client.force_login(request.getfixturevalue(who))
    assert client.get(start_url).status_code == 404
    assert client.post(start_url).status_code == 404
    assert not Plan.objects.filter(cycle__year=2027).exists()


def test_a_started_plan_sends_the_manager_to_it(client, author, last_year, start_url, cycle):
    client.force_login(author)
    client.post(start_url)
    plan = Plan.objects.get(cycle=cycle, branch=last_year.branch)
    assert client.get(start_url).url == reverse("plans:overview", args=[plan.pk])


def test_another_branch_cannot_dismiss_the_notice(
    client, author, other_manager, last_year, start_url, cycle
):
    client.force_login(author)
    client.post(start_url)
    plan = Plan.objects.get(cycle=cycle, branch=last_year.branch)
    client.force_login(other_manager)
    assert client.post(reverse("rollforward:dismiss", args=[plan.pk])).status_code == 404
    assert RolledPlan.objects.get(plan=plan).dismissed_at is None
