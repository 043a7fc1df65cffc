"""API tokens: issued once and stored as a digest; refused when expired, revoked, or their
user deactivated; issued with the command and in the admin, both on record."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bankplan.api.models import ApiToken, digest_of
from bankplan.audit.models import Action, Event

from .conftest import client_with, issue

PLANS = reverse("api:plans")


def issued_by_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_the_command_prints_the_token_once_and_stores_only_its_digest(author):
    raw, note = issued_by_command("author", "--days", "30", "--name", "BI report")

    token = ApiToken.objects.get()
    assert re.fullmatch(r"bp_[A-Za-z0-9_-]{43}", raw)
    assert token.digest == digest_of(raw) and token.prefix == raw[:11]
    assert raw not in {str(value) for value in vars(token).values()}
    assert (token.user, token.name) == (author, "BI report")
    assert token.expires_at - timezone.now() > datetime.timedelta(days=29, hours=23)
    assert token.prefix in note and raw not in note
    event = Event.objects.get()
    assert event.action == Action.ADMIN_ADDED and token.prefix in event.subject
    assert raw not in event.subject + event.detail

    assert client_with(raw).get(PLANS).status_code == 200


def test_the_command_refuses_an_unknown_or_deactivated_user_and_odd_days(author, head_office):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        issued_by_command("nobody")
    author.is_active = False
    author.save()
    with pytest.raises(CommandError, match="deactivated"):
        issued_by_command("author")
    with pytest.raises(CommandError, match="--days"):
        issued_by_command("planner", "--days", "0")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda t: setattr(t, "expires_at", timezone.now()), id="expired"),
        pytest.param(lambda t: setattr(t, "revoked_at", timezone.now()), id="revoked"),
        pytest.param(lambda t: setattr(t.user, "is_active", False), id="user-deactivated"),
    ],
)
def test_a_token_stops_working_when_expired_revoked_or_its_user_deactivated(author, spoil):
    raw = issue(author)
    client = client_with(raw)
    assert client.get(PLANS).status_code == 200

    token = ApiToken.objects.get()
    spoil(token)
    token.save()
    token.user.save()

    refused = client.get(PLANS)
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'
    assert refused.json()["detail"]


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer bp_made-up", "Bearer two words", "Bearer 令牌"]
)
def test_a_malformed_or_unknown_token_is_401_not_the_log_in_page(db, header):
    refused = Client(headers={"Authorization": header}).get(PLANS)
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/json"


def test_without_a_token_the_api_answers_401_in_json(db):
    refused = Client().get(PLANS)
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_last_use_is_written_at_most_once_a_minute(author):
    client = client_with(issue(author))
    client.get(PLANS)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get(PLANS)
    assert ApiToken.objects.get().last_used_at == first

    ApiToken.objects.update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get(PLANS)
    assert ApiToken.objects.get().last_used_at > first


def test_an_address_guessing_tokens_is_throttled_even_with_a_good_one(author, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    guesser = Client(headers={"Authorization": "Bearer bp_guess"})
    answers = [guesser.get(PLANS).status_code for _ in range(5)]
    assert answers == [401, 401, 401, 429, 429]
    assert client_with(issue(author)).get(PLANS).status_code == 429
    other_address = client_with(issue(author))
    assert other_address.get(PLANS, REMOTE_ADDR="10.0.0.8").status_code == 200


def test_the_admin_issues_a_token_shown_once_and_records_it(admin_client, author):
    answer = admin_client.post(
        reverse("admin:api_apitoken_add"),
        {"user": author.pk, "name": "BI", "expires_at_0": "2030-01-01", "expires_at_1": "00:00"},
        follow=True,
    )
    shown = [str(message) for message in answer.context["messages"]]
    raw = next(re.search(r"bp_[A-Za-z0-9_-]+", text)[0] for text in shown if "bp_" in text)
    token = ApiToken.objects.get()
    assert token.digest == digest_of(raw)
    assert token.created_by.username == "admin"
    assert Event.objects.filter(action=Action.ADMIN_ADDED, subject__contains=token.prefix)
    assert client_with(raw).get(PLANS).status_code == 200

    again = admin_client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert again.status_code == 200
    assert token.prefix in again.content.decode() and raw not in again.content.decode()


def test_the_admin_revokes_tokens_on_record(admin_client, author):
    raw = issue(author)
    token = ApiToken.objects.get()
    admin_client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Event.objects.filter(action=Action.ADMIN_CHANGED, subject__contains=token.prefix)
    assert client_with(raw).get(PLANS).status_code == 401


def test_the_admin_refuses_a_token_that_would_be_expired_at_issue(admin_client, author):
    answer = admin_client.post(
        reverse("admin:api_apitoken_add"),
        {"user": author.pk, "expires_at_0": "2020-01-01", "expires_at_1": "00:00"},
    )
    assert answer.status_code == 200
    assert "expires_at" in answer.context["adminform"].form.errors
    assert not ApiToken.objects.exists()
