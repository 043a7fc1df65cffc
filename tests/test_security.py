"""Deploy-safe settings: HTTPS from the environment, `check --deploy` clean, private pages
kept by no cache, sessions that end after inactivity and at an absolute limit."""

import datetime
import json
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from bankplan.middleware import RENEWED_AT, SIGNED_IN_AT, PrivatePagesMiddleware
from tests.test_settings import PRODUCTION_DB, run_python

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough-0123456789abcdef",
    "ALLOWED_HOSTS": "plans.bank.local",
    "DATABASE_URL": PRODUCTION_DB,
}
PRINT_SECURITY = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT, "
    "getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), settings.SESSION_COOKIE_AGE, "
    "settings.SESSION_MAX_AGE]))"
)


def test_check_deploy_passes_with_production_settings_and_console_mail():
    result = run_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        **PRODUCTION,
        SMTP_HOST="",
    )
    assert result.returncode == 0, result.stderr


def test_production_defaults_to_https_and_short_sessions():
    result = run_python(PRINT_SECURITY, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [31_536_000, True, None, 30 * 60, 12 * 3600]


def test_https_and_session_limits_come_from_the_environment():
    result = run_python(
        PRINT_SECURITY,
        **PRODUCTION,
        SECURE_HSTS_SECONDS="3600",
        SECURE_SSL_REDIRECT="0",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        SESSION_IDLE_MINUTES="10",
        SESSION_MAX_HOURS="8",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        3600,
        False,
        ["HTTP_X_FORWARDED_PROTO", "https"],
        600,
        8 * 3600,
    ]


def test_plan_pages_exports_and_pdfs_are_not_cached(client, bank, plan, author, head_office):
    client.force_login(author)
    for url in (
        reverse("plans:overview", args=[plan.pk]),
        reverse("documents:plan_pdf", args=[plan.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url
    client.force_login(head_office)
    export = reverse(
        "headoffice:export_table", args=[plan.cycle.pk, bank["r1"].pk, "progress", "csv"]
    )
    response = client.get(export)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_view_that_chooses_its_caching_keeps_it(rf, author):
    request = rf.get("/")
    request.user = author
    chosen = HttpResponse(headers={"Cache-Control": "max-age=60"})
    assert PrivatePagesMiddleware(lambda request: chosen)(request)["Cache-Control"] == "max-age=60"


def test_pages_for_nobody_in_particular_are_left_alone(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    assert "Cache-Control" not in PrivatePagesMiddleware(lambda request: HttpResponse())(request)


def test_activity_renews_the_inactivity_limit_at_most_once_a_minute(client, plan, author):
    client.force_login(author)
    overview = reverse("plans:overview", args=[plan.pk])
    # Just signed in: the session was saved then, and is not written again yet.
    assert settings.SESSION_COOKIE_NAME not in client.get(overview).cookies
    session = client.session
    session[RENEWED_AT] -= 2 * 60
    session.save()
    renewed = client.get(overview).cookies[settings.SESSION_COOKIE_NAME]
    assert renewed["max-age"] == 30 * 60
    # The stored session ends thirty minutes from now unless renewed again.
    stored = Session.objects.get(session_key=renewed.value)
    left = stored.expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < left <= datetime.timedelta(minutes=30)


def sign_in_hours_ago(client, user, hours):
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - hours * 3600
    session.save()


def test_a_session_ends_at_the_absolute_limit_however_active(client, plan, author):
    overview = reverse("plans:overview", args=[plan.pk])
    sign_in_hours_ago(client, author, 11)
    assert client.get(overview).status_code == 200

    sign_in_hours_ago(client, author, 13)
    response = client.get(overview)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # Signed out for good, not only for this request.
    assert client.get(overview).status_code == 302


def test_an_autosave_past_the_absolute_limit_gets_the_sign_in_again_answer(client, plan, author):
    sign_in_hours_ago(client, author, 13)
    response = client.post(
        reverse("plans:section", args=[plan.pk, "overview"]),
        {},
        HTTP_X_AUTOSAVE="1",
        HTTP_ACCEPT="application/json",
    )
    assert (response.status_code, response.json()) == (401, {"state": "signed_out"})


def test_the_log_in_time_is_noted_at_log_in(client, author):
    before = time.time()
    response = client.post(reverse("login"), {"username": "author", "password": "pw"})
    assert response.status_code == 302
    assert client.session[SIGNED_IN_AT] >= before
