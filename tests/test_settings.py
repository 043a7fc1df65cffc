"""Settings come from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = (
    "import django, json; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps([settings.DEBUG, settings.ALLOWED_HOSTS, db['ENGINE'], db['NAME'], "
    "settings.SECRET_KEY]))"
)


def run_python(code, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="bankplan.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(**env):
    return run_python(PRINT_SETTINGS, **env)


def start_server(**env):
    """Import the WSGI application as a server does at start-up."""
    return run_python("import bankplan.wsgi", **env)


PRODUCTION_DB = "postgres://planner@db.bank.local:5432/bankplan"


def test_production_without_a_secret_key_does_not_start():
    result = start_server(DEBUG="0", DATABASE_URL=PRODUCTION_DB)
    assert result.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in result.stderr


def test_production_with_a_secret_key_starts():
    result = start_server(
        DEBUG="0", SECRET_KEY="s3cret", ALLOWED_HOSTS="plans.bank.local", DATABASE_URL=PRODUCTION_DB
    )
    assert result.returncode == 0, result.stderr


def test_production_names_its_database_instead_of_falling_back_to_sqlite():
    result = start_server(DEBUG="0", SECRET_KEY="s3cret", ALLOWED_HOSTS="plans.bank.local")
    assert result.returncode != 0
    assert "DATABASE_URL is required" in result.stderr


def test_a_command_without_its_database_fails_instead_of_using_a_stray_file():
    result = run_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('requeue_pdfs')",
        DEBUG="0",
    )
    assert result.returncode != 0
    # Django's dummy database, not the development SQLite file
    assert "DATABASES is improperly configured" in result.stderr


def test_migrations_can_be_checked_without_a_secret_key_or_a_database():
    result = run_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('makemigrations', '--check', '--dry-run', verbosity=0)",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stderr


def test_production_reads_its_settings_from_the_environment():
    import json

    result = load_settings(
        DEBUG="false",
        SECRET_KEY="s3cret-from-env",
        ALLOWED_HOSTS="plans.bank.local, 10.1.2.3",
        DATABASE_URL=PRODUCTION_DB,
    )
    assert result.returncode == 0, result.stderr
    debug, hosts, engine, name, key = json.loads(result.stdout)
    assert debug is False
    assert hosts == ["plans.bank.local", "10.1.2.3"]
    assert engine == "django.db.backends.postgresql" and name == "bankplan"
    assert key == "s3cret-from-env"


def test_development_defaults_to_sqlite():
    import json

    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    debug, _hosts, engine, name, _key = json.loads(result.stdout)
    assert debug is True
    assert engine == "django.db.backends.sqlite3" and name.endswith("db.sqlite3")


def test_the_embedded_sqlite_takes_a_server_and_a_worker_writing_at_once(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "30000"]


def test_a_mistyped_boolean_is_an_error_not_a_guess():
    result = load_settings(DEBUG="maybe", SECRET_KEY="x")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_pages_carry_a_content_security_policy_of_their_own_origin(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy


def test_the_favicon_is_our_own_for_pages_that_name_none(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")
