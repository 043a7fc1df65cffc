"""Who sees and edits which plan. Another branch's plan is a 404 on every URL."""

import pytest
from django.urls import reverse

from bankplan.plans.models import Plan, Status
from bankplan.plans.sections.registry import SECTIONS


def plan_urls(plan):
    yield reverse("plans:overview", args=[plan.pk])
    for section in SECTIONS:
        yield reverse("plans:section", args=[plan.pk, section.key])


@pytest.mark.parametrize("who", ["other_manager", "other_reviewer"])
def test_people_outside_the_branch_and_region_get_404_on_every_plan_url(client, plan, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in plan_urls(plan):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code in {404, 405}, url


def test_a_guessed_id_is_a_404(client, plan, author):
    client.force_login(author)
    assert client.get(reverse("plans:overview", args=[plan.pk + 1000])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, plan):
    for url in plan_urls(plan):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "overview", "edit"),
    [
        ("author", 200, 200),
        ("colleague", 200, 200),
        ("reviewer", 200, 403),
        ("head_office", 200, 403),
    ],
)
def test_reading_and_editing_by_role(client, plan, who, overview, edit, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("plans:overview", args=[plan.pk])).status_code == overview
    assert client.get(reverse("plans:section", args=[plan.pk, "swot"])).status_code == edit


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED])
def test_a_submitted_or_approved_plan_is_read_only(client, plan, author, status):
    Plan.objects.filter(pk=plan.pk).update(status=status)
    client.force_login(author)
    assert client.get(reverse("plans:section", args=[plan.pk, "swot"])).status_code == 403
    overview = client.get(reverse("plans:overview", args=[plan.pk]))
    assert reverse("plans:section", args=[plan.pk, "swot"]) not in overview.content.decode()


def test_a_returned_plan_is_edited_again(client, plan, author):
    Plan.objects.filter(pk=plan.pk).update(status=Status.RETURNED)
    client.force_login(author)
    assert client.get(reverse("plans:section", args=[plan.pk, "swot"])).status_code == 200


def test_unknown_section_is_a_404(client, plan, author):
    client.force_login(author)
    assert client.get(f"/plans/{plan.pk}/sections/nonsense/").status_code == 404


def test_the_plan_list_shows_only_visible_plans(
    client, plan, cycle, bank, author, other_manager, reviewer, other_reviewer, head_office
):
    from bankplan.plans.services import start_plan

    other_plan = start_plan(cycle=cycle, branch=bank["b"], by=other_manager)
    expected = {
        author: {plan},
        other_manager: {other_plan},
        reviewer: {plan, other_plan},
        other_reviewer: set(),
        head_office: {plan, other_plan},
    }
    for user, plans in expected.items():
        client.force_login(user)
        response = client.get(reverse("plans:list"))
        assert set(response.context["page"].items) == plans, user


def test_a_manager_starts_the_plan_once(client, cycle, bank, author):
    client.force_login(author)
    listing = client.get(reverse("plans:list"))
    assert listing.context["to_start"] == [(cycle, bank["a"])]
    response = client.post(reverse("plans:start", args=[cycle.pk]), {"branch": bank["a"].pk})
    plan = Plan.objects.get(branch=bank["a"], cycle=cycle)
    assert response["Location"] == reverse("plans:section", args=[plan.pk, "background"])
    assert plan.status == Status.DRAFT and plan.created_by == author
    for section in SECTIONS:
        assert section.content_of(plan).revision == 0
    # A second click opens the same plan instead of failing.
    client.post(reverse("plans:start", args=[cycle.pk]), {"branch": bank["a"].pk})
    assert Plan.objects.filter(branch=bank["a"]).count() == 1
    assert client.get(reverse("plans:list")).context["to_start"] == []


def test_nobody_starts_another_branchs_plan(client, cycle, bank, author, reviewer):
    for user in (author, reviewer):
        client.force_login(user)
        response = client.post(reverse("plans:start", args=[cycle.pk]), {"branch": bank["b"].pk})
        assert response.status_code == 404
    assert not Plan.objects.exists()
