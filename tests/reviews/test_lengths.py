"""Comments and return/reopen reasons are as long as a section's narrative at most: a
longer one is refused with a message next to the field (the text kept in the page, not
cut by the browser), and nothing is stored."""

import pytest
from django.conf import settings
from django.urls import reverse

from bankplan.plans.models import Plan
from bankplan.plans.sections.base import LONG_TEXT
from bankplan.reviews import services
from bankplan.reviews.models import AuditEntry, Comment

pytestmark = pytest.mark.usefixtures("quick_pdf")

TOO_LONG = "意" * (LONG_TEXT + 1)


@pytest.fixture
def submitted(demo):
    services.submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
    return demo


def signed_in(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    ("page", "who", "status"),
    [("reviews:return", "reviewer", "submitted"), ("reviews:reopen", "admin", "approved")],
)
def test_a_reason_too_long_is_refused_next_to_the_field(client, submitted, page, who, status):
    plan = submitted["plan"]
    if status == "approved":
        services.approve_plan(plan_id=plan.pk, by=submitted["admin"])
    signed_in(client, submitted[who])
    url = reverse(page, args=[plan.pk])
    response = client.post(url, {"status": status, "reason": TOO_LONG})
    assert response.status_code == 200
    assert response.context["form"].has_error("reason", code="max_length")
    html = response.content.decode()
    assert f"at most {LONG_TEXT} characters" in html
    assert TOO_LONG in html and "maxlength" not in html  # kept whole, to be shortened
    assert Plan.objects.get(pk=plan.pk).status == status
    reason = "意" * LONG_TEXT
    assert client.post(url, {"status": status, "reason": reason}).status_code == 302
    assert AuditEntry.objects.filter(plan=plan).latest("pk").reason == reason


def test_a_comment_too_long_is_not_stored(client, submitted):
    signed_in(client, submitted["reviewer"])
    url = reverse("reviews:comment", args=[submitted["plan"].pk])
    client.post(url, {"section": "swot", "body": TOO_LONG})
    assert not Comment.objects.exists()
    client.post(url, {"section": "swot", "body": "意" * LONG_TEXT})
    assert len(Comment.objects.get().body) == LONG_TEXT


def test_a_comment_over_the_limit_is_told_why(client, submitted):
    signed_in(client, submitted["reviewer"])
    url = reverse("reviews:comment", args=[submitted["plan"].pk])
    response = client.post(url, {"section": "swot", "body": TOO_LONG}, follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert len(said) == 1 and f"at most {LONG_TEXT} characters" in said[0]
