"""Settings come from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = (
    "import django, json; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps([settings.DEBUG, settings.ALLOWED_HOSTS, db['ENGINE'], db['NAME'], "
    "settings.SECRET_KEY]))"
)


def load_settings(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="bankplan.settings")
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_key_does_not_start():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_reads_its_settings_from_the_environment():
    import json

    result = load_settings(
        DEBUG="false",
        SECRET_KEY="s3cret-from-env",
        ALLOWED_HOSTS="plans.bank.local, 10.1.2.3",
        DATABASE_URL="postgres://planner@db.bank.local:5432/bankplan",
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


def test_a_mistyped_boolean_is_an_error_not_a_guess():
    result = load_settings(DEBUG="maybe", SECRET_KEY="x")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
