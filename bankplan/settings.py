"""Settings for bankplan, read from the environment.

Every setting that differs between a laptop and the bank's servers comes from an
environment variable. Production (DEBUG off) gets no default SECRET_KEY: the app then
refuses to start serving (Django will not run with an empty key), because a guessable
default would let anyone forge sessions. Commands that need no key (migrations, checks)
still run.
"""

import datetime
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from bankplan.directory.config import directory_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key"
# Without DEBUG an empty key stays empty, and loading the WSGI/ASGI application fails.

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# With DEBUG on, pages opened from this machine get the `debug` template flag (demo log-ins).
INTERNAL_IPS = ["127.0.0.1", "::1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bankplan.organisation",
    "bankplan.plans",
    "bankplan.documents",
    "bankplan.reviews",
    "bankplan.plancheck",
    "bankplan.audit",
    "bankplan.headoffice",
    "bankplan.actuals",
    "bankplan.rollforward",
    "bankplan.directory",
    "bankplan.api",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's own files, served like every other static file (no CDN).
    "drf_spectacular_sidecar",
    # Before django_tasks_db: our db_worker command (with its heartbeat) takes precedence.
    "bankplan.operations",
    "django_tasks_db",
    # Log-in throttling; its admin lists the attempts and unlocks (organisation/throttling.py).
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bankplan.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Log-in is required everywhere; the few public views opt out with @login_not_required.
    "bankplan.middleware.SessionLifetimeMiddleware",
    "bankplan.middleware.LoginRequiredMiddleware",
    "bankplan.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, so that it sees the lock-out that authenticate() flagged on the request.
    "axes.middleware.AxesMiddleware",
]

# Everything the pages use is served by the app itself, so the browser may load nothing
# from anywhere else, and no inline script or style runs: injected markup stays inert.
# data: images are Bootstrap's own (the select arrow, check marks) inside its CSS.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

ROOT_URLCONF = "bankplan.urls"
WSGI_APPLICATION = "bankplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bankplan.plans.context_processors.navigation",
            ],
        },
    },
    {
        # Plain-text mail: what a user typed goes out as typed ("R&D <b>", not "R&amp;D
        # &lt;b&gt;"). Only bankplan.reviews.notifications renders with it.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Production names its database; only development uses the embedded SQLite file. Without
# DEBUG and DATABASE_URL the database is Django's "dummy" one: the settings still load, so
# that what needs no database runs (`makemigrations --check`), but anything that touches it
# fails loudly instead of writing to a stray file, and the server refuses to start
# (startup.py).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL or DEBUG:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            # Kept connections spare each request a new PostgreSQL backend: at 100 managers
            # in benchmarks/load.py the save p95 fell from 0.72-0.74 s to 0.22-0.43 s. A kept
            # connection is checked before reuse, so a restarted database costs no request.
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker write the same file. WAL lets readers go on
    # while one writes; IMMEDIATE takes the write lock when a transaction starts, and the
    # timeout makes a second writer wait for it instead of failing "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not memory, so that a test's worker process opens the same test database;
    # one per test run, so that runs side by side do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"bankplan-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisation.User"
LOGIN_URL = "login"
# Head office and reviewers land on the dashboard, branch people on their plans.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "bankplan.organisation.throttling.ThrottlingBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in with the bank's directory, when LDAP_SERVER_URI is set (the variables are listed
# in bankplan/directory/__init__.py; a half configuration stops the start-up): the
# AUTH_LDAP_* settings, and its backend after the local accounts' (theirs never wait on
# the directory) and behind the throttling.
DIRECTORY = directory_settings(os.environ)
if DIRECTORY:
    globals().update(DIRECTORY)
    AUTHENTICATION_BACKENDS.append("bankplan.directory.backend.DirectoryBackend")
# After this many failures within the cool-off, log-ins (and password reset requests) are
# refused until the cool-off has passed or head office unlocks in the admin.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_COOLOFF_MINUTES = int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15"))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# Per username from one address, and per address whatever the usernames; never per
# username alone, which would let anyone lock a manager out by guessing at their name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bankplan.organisation.throttling.locked_out"
AXES_CLIENT_IP_CALLABLE = "bankplan.organisation.throttling.client_address"
# Lock-outs are logged as warnings; axes' INFO line per start-up and log-in is noise.
AXES_VERBOSE = False
# How many proxies stand between the users and the app (each adding to X-Forwarded-For):
# without it, behind a proxy every user would share the proxy's address.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Simplified Chinese first; English is selectable from the page header.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    # Version PDFs (and later exports) go through the storage API: MEDIA_ROOT on a
    # filesystem every web and worker machine mounts.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names from the manifest that `collectstatic` writes (`make setup` runs it
    # too, so operator commands work without DEBUG); with DEBUG the plain names are used.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Mail: printed to the console unless an SMTP server is configured.
if os.environ.get("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["SMTP_HOST"],
                "port": int(os.environ.get("SMTP_PORT", "25")),
                "username": os.environ.get("SMTP_USER", ""),
                "password": os.environ.get("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_TLS"),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bankplan@localhost")
# Links in mail point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# PDF rendering: how many worker processes render at once (per web or task-worker
# process), and how long a render may take before it is stopped (documents/workers.py).
PDF_WORKERS = int(os.environ.get("PDF_WORKERS", "2"))
PDF_TIMEOUT = float(os.environ.get("PDF_TIMEOUT", "60"))
# A version's PDF is rendered by a background task, tried at most this many times.
PDF_ATTEMPTS = int(os.environ.get("PDF_ATTEMPTS", "3"))

# Background work: tasks are rows in the database, run by `manage.py db_worker`
# processes (any number, on any machine sharing the database).
TASKS = {
    # "packs" has workers of its own (Procfile): a bank-wide pack of PDFs never delays
    # the PDF of a plan just submitted.
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "packs"]},
}
CACHES = {
    # Kept by each process: what can be worked out again (the roll-ups' sums).
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every process, in the database: the password-reset counters must add up
    # across gunicorn workers, or each worker would allow the limit again. Its table is
    # made by a migration (operations/0003).
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shared_cache",
    },
}

# The health endpoint counts a worker as alive when it reported within this many seconds.
WORKER_HEARTBEAT_SECONDS = 30

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The read-only REST API (bankplan/api): JSON only, for a token (or the signed-in
# session of the documentation page), scoped like the pages.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: its header is the one a 401 names (WWW-Authenticate: Bearer).
        "bankplan.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "bankplan.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bankplan.api.errors.handle",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bankplan API",
    "DESCRIPTION": "Read-only access to planning cycles, plans, their versions and roll-ups.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI's files from drf_spectacular_sidecar, served as our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Two fields are called "state": a plan's and a PDF's.
    "ENUM_NAME_OVERRIDES": {
        "PlanStateEnum": "bankplan.plans.models.Status",
        "PdfStateEnum": "bankplan.reviews.models.PdfState",
    },
}

# A section page posts all its tables at once. At the row limits the largest is the SWOT
# (100 items, 100 strategies each combining up to all 100 items): 11,109 values; the
# staffing page 2,817, the others 1,300 to 2,000. Django's default of 1,000 refused full
# pages, losing what the author had typed. tests/plans/test_limits.py keeps this in step.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 15_000

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Production is HTTPS only (the cookies above already require it): plain HTTP is
# redirected, and browsers are told to use HTTPS for a year. The health probe of a load
# balancer may stay on plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Behind a proxy that ends TLS: the header it sets on HTTPS requests, e.g. X-Forwarded-Proto.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].upper().replace("-", "_"),
        "https",
    )
SILENCED_SYSTEM_CHECKS = [
    # An intranet host is never submitted to the browsers' HSTS preload list.
    "security.W021",
    # Mail on the console without SMTP_HOST is a documented choice (README.md), not an
    # error that should stop `check --deploy`.
    *([] if os.environ.get("SMTP_HOST") else ["mail.E001"]),
]

# A session ends after this much inactivity, and in any case this long after the log-in,
# whatever the activity (SessionLifetimeMiddleware renews the first, enforces the second).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_MAX_AGE = int(os.environ.get("SESSION_MAX_HOURS", "12")) * 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO; keep its warnings only.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
