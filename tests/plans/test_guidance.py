"""The guidance panel of a section page opens on a user's first visit to the section and
stays collapsed from then on, unless the user left it open: each user's choice is kept per
section on the server, and costs a page view one query, the first one too."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bankplan.plans.guidance import shown_open
from bankplan.plans.models import GuidancePreference


def section_url(plan, key):
    return reverse("plans:section", args=[plan.pk, key])


def panel_open(client, plan, key) -> bool:
    html = client.get(section_url(plan, key)).content.decode()
    panel = re.search(r"<details class=\"guidance[^>]*>", html).group(0)
    assert f'data-remember="{reverse("plans:guidance", args=[key])}"' in panel
    return bool(re.search(r"\sopen(\s|>|=)", panel))


def remember(client, key, value):
    return client.post(reverse("plans:guidance", args=[key]), {"open": value})


def test_open_on_the_first_visit_to_a_section_then_collapsed(client, author, plan):
    client.force_login(author)
    assert panel_open(client, plan, "swot")
    assert not panel_open(client, plan, "swot")
    assert not panel_open(client, plan, "swot")
    assert panel_open(client, plan, "products")  # another section: its own first visit


def test_a_panel_left_open_stays_open_until_closed(client, author, plan):
    client.force_login(author)
    panel_open(client, plan, "swot")
    assert remember(client, "swot", "1").json() == {"open": True}
    assert panel_open(client, plan, "swot")
    assert panel_open(client, plan, "swot")
    assert remember(client, "swot", "0").json() == {"open": False}
    assert not panel_open(client, plan, "swot")


def test_each_user_has_their_own_panels(client, author, colleague, plan):
    client.force_login(author)
    panel_open(client, plan, "swot")
    remember(client, "swot", "0")
    client.force_login(colleague)
    assert panel_open(client, plan, "swot")  # the colleague's first visit
    assert GuidancePreference.objects.filter(section="swot").count() == 2


def test_a_choice_made_before_the_first_visit_is_kept(client, author, plan):
    client.force_login(author)
    remember(client, "channels", "0")
    assert not panel_open(client, plan, "channels")


@pytest.mark.parametrize(
    ("key", "data", "status"),
    [
        ("nonsense", {"open": "1"}, 404),
        ("swot", {"open": "yes"}, 400),
        ("swot", {}, 400),
    ],
)
def test_only_a_section_and_open_or_closed_are_accepted(client, author, key, data, status):
    client.force_login(author)
    response = client.post(reverse("plans:guidance", args=[key]), data)
    assert response.status_code == status
    assert not GuidancePreference.objects.exists()


def test_the_preference_is_set_by_post_and_by_a_signed_in_user_only(client, author):
    url = reverse("plans:guidance", args=["swot"])
    response = client.post(url, {"open": "1"}, headers={"accept": "application/json"})
    assert response.status_code == 401  # the page's own request, signed out
    assert client.post(url, {"open": "1"}).status_code == 302  # to the log-in page
    client.force_login(author)
    assert client.get(url).status_code == 405
    assert not GuidancePreference.objects.exists()


def test_the_csrf_token_is_required(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert remember(client, "swot", "1").status_code == 403


def test_a_page_view_costs_one_query_the_first_visit_too(author):
    counted = []
    for expected in (True, False, False):
        with CaptureQueriesContext(connection) as queries:
            assert shown_open(author, "swot") is expected
        counted.append(len(queries))
    assert counted == [1, 1, 1]
