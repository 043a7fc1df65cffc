"""Guessing passwords is throttled per username and address and per address, never per
username alone; password reset requests likewise; head office unlocks in the admin."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from django.utils import timezone

ATTACKER = "10.0.0.66"
OFFICE = "10.0.0.7"


@pytest.fixture(autouse=True)
def in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def log_in(client, username, password, address=ATTACKER):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(response):
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_thirty_wrong_passwords_lock_the_account_for_the_cool_off(client, author):
    answers = [log_in(client, "author", f"guess{i}") for i in range(30)]
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert {a.status_code for a in answers[5:]} == {429}

    refused = log_in(client, "author", "pw")
    assert refused.status_code == 429
    assert not refused.wsgi_request.user.is_authenticated
    assert "Too many failed log-ins" in refused.content.decode()
    # The log-in form is still there, not a bare error page.
    assert 'name="username"' in refused.content.decode()

    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert signed_in(log_in(client, "author", "pw"))


def test_another_address_still_logs_in_as_the_guessed_user(client, author):
    for i in range(30):
        log_in(client, "author", f"guess{i}")
    assert signed_in(log_in(client, "author", "pw", address=OFFICE))


def test_many_usernames_from_one_address_are_throttled_too(client, author):
    for i in range(5):
        log_in(client, f"someone{i}", "guess")
    assert log_in(client, "author", "pw").status_code == 429


def test_the_limit_and_cool_off_come_from_the_settings(client, author, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.LOGIN_COOLOFF_MINUTES = 60
    log_in(client, "author", "guess")
    refused = log_in(client, "author", "guess")
    assert refused.status_code == 429
    assert "60 minutes" in refused.content.decode()


def test_the_sign_in_again_dialog_is_throttled_and_answers_in_json(client, author):
    url = reverse("sign_in_again")
    for i in range(5):
        client.post(url, {"username": "author", "password": f"guess{i}"}, REMOTE_ADDR=ATTACKER)
    refused = client.post(url, {"username": "author", "password": "pw"}, REMOTE_ADDR=ATTACKER)
    assert refused.status_code == 429
    assert refused.json()["state"] == "refused"
    assert "Too many failed log-ins" in refused.json()["message"]
    assert not refused.wsgi_request.user.is_authenticated


def test_head_office_unlocks_in_the_admin(client, author, head_office):
    for i in range(5):
        log_in(client, "author", f"guess{i}")
    assert AccessAttempt.objects.exists()
    head_office.is_staff = head_office.is_superuser = True
    head_office.save()
    admin = client.__class__()
    admin.force_login(head_office)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert admin.get(changelist).status_code == 200
    attempt = AccessAttempt.objects.get()
    admin.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert signed_in(log_in(client, "author", "pw"))


@pytest.fixture
def author_with_mail(author):
    author.email = "author@bank.local"
    author.save()
    return author


def ask_for_reset(client, email, address=ATTACKER):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_requests_are_limited_per_email(client, author_with_mail):
    answers = [ask_for_reset(client, "author@bank.local", f"10.0.1.{i}") for i in range(8)]
    assert [a.status_code for a in answers] == [302] * 5 + [429] * 3
    assert len(mail.outbox) == 5
    assert "Too many password reset requests" in answers[-1].content.decode()


def test_password_reset_requests_are_limited_per_address(client, author_with_mail):
    answers = [ask_for_reset(client, f"nobody{i}@bank.local") for i in range(5)]
    assert {a.status_code for a in answers} == {302}
    assert ask_for_reset(client, "author@bank.local").status_code == 429
    assert mail.outbox == []
    # Another address asking for the same mailbox is not affected.
    assert ask_for_reset(client, "author@bank.local", OFFICE).status_code == 302
    assert len(mail.outbox) == 1


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_saw(client, author, settings):
    settings.PROXY_COUNT = 1
    for i in range(5):
        # What the client claims (left) is ignored; the proxy appended the real address.
        client.post(
            reverse("login"),
            {"username": "author", "password": f"guess{i}"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, {ATTACKER}",
        )
    # The proxy itself (a request that came without the header) is not the one locked out.
    assert signed_in(log_in(client, "author", "pw", address="10.9.9.9"))
    client.logout()
    locked = client.post(
        reverse("login"),
        {"username": "author", "password": "pw"},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )
    assert locked.status_code == 429


def test_reset_counts_are_kept_where_every_process_reads_them(client, author_with_mail):
    """Each gunicorn worker has its own memory: counts kept there would let every worker
    allow the limit again. They are in the database, which the workers share."""
    for i in range(5):
        ask_for_reset(client, "author@bank.local", f"10.0.2.{i}")
    caches["default"].clear()  # what another process's memory holds: nothing of this
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM shared_cache")
        assert cursor.fetchone()[0] > 0
    assert ask_for_reset(client, "author@bank.local", "10.0.2.9").status_code == 429
