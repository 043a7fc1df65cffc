"""Hostile query parameters and form values on every URL of the URLconf answer 400 (or the
page with a message), never a 500, and a refused POST writes nothing.

The endpoints come from the URLconf: a URL added without an entry in ``FUZZ`` (or in
``NOT_FUZZED``, with the reason) fails ``test_every_url_is_fuzzed``. Each endpoint is
fuzzed as the roles that can use it, in a plan state where they can (the demo bank taken
there, see tests/urlconf_world.py). What it is sent is what its pages show: the query
parameters of its links and GET forms, and the fields of the forms that post to it (read
from the pages the role can see), plus the parameters the views read and a few unknown
ones. Hypothesis draws the hostile values; it is derandomized with a fixed number of
examples per endpoint, so a CI run is repeatable. Each example runs in a savepoint that
is rolled back: nothing one example saves is seen by the next.

An example fails on a 5xx answer, on an exception leaving the view, and on a POST that was
refused (4xx, the form shown again, a redirect with an error message) yet changed the
database.
"""

import hashlib
import re
from collections import defaultdict
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bankplan.plans.models import GuidancePreference, Status
from bankplan.plans.sections.registry import SECTIONS

from .htmlform import page_form_targets
from .urlconf_world import USERNAMES, build_world, full_routes, url_of

DRAFT, SUBMITTED, APPROVED = Status.DRAFT, Status.SUBMITTED, Status.APPROVED
OVERSEERS = ("reviewer", "head_office")
# Who is fuzzed on each endpoint, by the plan state of the bank. Plan pages: the roles
# that may use them, in a state where they may (the branch manager on the draft, the
# region's reviewer and head office on the submitted plan, head office reopening the
# approved one); the pages outside plans in the submitted bank.
FUZZ = {
    "plans:overview": {DRAFT: ("manager", "staff"), SUBMITTED: OVERSEERS},
    "plans:section": {DRAFT: ("manager",)},
    "plans:findings": {DRAFT: ("manager",)},
    "documents:plan_pdf": {DRAFT: ("manager",), SUBMITTED: ("reviewer",)},
    "reviews:submit": {DRAFT: ("manager",)},
    "reviews:return": {SUBMITTED: OVERSEERS},
    "reviews:approve": {SUBMITTED: OVERSEERS},
    "reviews:reopen": {APPROVED: ("head_office",)},
    "reviews:version": {SUBMITTED: ("manager", "reviewer")},
    "reviews:version_pdfs": {SUBMITTED: ("manager", "reviewer")},
    "reviews:version_pdf": {SUBMITTED: ("reviewer",)},
    "reviews:compare": {SUBMITTED: ("manager", "reviewer")},
    "reviews:comment": {DRAFT: ("manager",), SUBMITTED: OVERSEERS},
    "reviews:resolve": {SUBMITTED: OVERSEERS},
    "audit:plan_history": {SUBMITTED: OVERSEERS},
    "audit:log": {SUBMITTED: ("head_office",)},
    "audit:log_csv": {SUBMITTED: ("head_office",)},
    "audit:log_xlsx": {SUBMITTED: ("head_office",)},
    "actuals:page": {SUBMITTED: ("head_office",)},
    "actuals:template": {SUBMITTED: ("head_office",)},
    "actuals:upload": {SUBMITTED: ("head_office",)},
    "actuals:confirm": {SUBMITTED: ("head_office",)},
    "actuals:discard": {SUBMITTED: ("head_office",)},
    "home": {SUBMITTED: ("manager",)},
    "plans:list": {SUBMITTED: ("manager", *OVERSEERS)},
    "plans:start": {SUBMITTED: ("manager",)},
    "plans:guidance": {SUBMITTED: ("manager",)},
    "reviews:queue": {SUBMITTED: ("manager", *OVERSEERS)},
    "headoffice:dashboard": {SUBMITTED: OVERSEERS},
    "headoffice:unit": {SUBMITTED: OVERSEERS},
    "headoffice:branches": {SUBMITTED: OVERSEERS},
    "headoffice:export_table": {SUBMITTED: OVERSEERS},
    "headoffice:allocations": {SUBMITTED: OVERSEERS},
    "headoffice:allocations_template": {SUBMITTED: OVERSEERS},
    "headoffice:allocations_upload": {SUBMITTED: OVERSEERS},
    "headoffice:remind_late": {SUBMITTED: OVERSEERS},
    "headoffice:extensions": {SUBMITTED: ("head_office",)},
    "headoffice:close_cycle": {SUBMITTED: ("head_office",)},
    "headoffice:branch_targets": {SUBMITTED: OVERSEERS},
    "headoffice:branch_targets_csv": {SUBMITTED: OVERSEERS},
    "headoffice:packs": {SUBMITTED: OVERSEERS},
    "headoffice:pack_request": {SUBMITTED: OVERSEERS},
    "headoffice:pack": {SUBMITTED: OVERSEERS},
    "headoffice:pack_progress": {SUBMITTED: OVERSEERS},
    "headoffice:pack_download": {SUBMITTED: OVERSEERS},
    "rollforward:start": {SUBMITTED: ("manager",)},
    "rollforward:dismiss": {DRAFT: ("manager",)},
    "rollforward:cycle": {SUBMITTED: ("head_office",)},
    "rollforward:run": {SUBMITTED: ("head_office",)},
    "rollforward:run_progress": {SUBMITTED: ("head_office",)},
    "api:schema": {SUBMITTED: ("manager",)},
    "api:docs": {SUBMITTED: ("manager",)},
    "api:cycles": {SUBMITTED: ("manager",)},
    "api:cycle": {SUBMITTED: ("manager",)},
    "api:kpis": {SUBMITTED: ("manager",)},
    "api:units": {SUBMITTED: ("head_office",)},
    "api:rollup": {SUBMITTED: ("reviewer",)},
    "api:plans": {SUBMITTED: ("head_office",)},
    "api:plan": {SUBMITTED: ("reviewer",)},
    "api:version": {SUBMITTED: ("reviewer",)},
    "api:version_pdf": {SUBMITTED: ("reviewer",)},
    # The project's own views among the log-in pages (throttled, JSON re-sign-in).
    "sign_in_again": {SUBMITTED: ("anonymous", "manager")},
    "login": {SUBMITTED: ("anonymous",)},
    "password_reset": {SUBMITTED: ("anonymous",)},
    "favicon.ico": {SUBMITTED: ("anonymous",)},
    "healthz": {SUBMITTED: ("anonymous",)},
}
NOT_FUZZED = {
    "admin:": "Django's admin: its own forms and lookups, tested by Django; head office only",
    # Django's auth views as they come, with no code of ours behind them.
    "logout": "auth plumbing: takes no input, and would sign the client out",
    "password_change": "auth plumbing: Django's own form view",
    "password_change_done": "auth plumbing: a static page",
    "password_reset_done": "auth plumbing: a static page",
    "password_reset_confirm": "auth plumbing: Django's token check and form",
    "password_reset_complete": "auth plumbing: a static page",
    "set_language": "i18n plumbing: Django's view, which only sets a cookie and redirects",
}
# One URL of a route per value of one keyword: every section's form, every table.
VARIANTS = {
    "plans:section": {"key": [section.key for section in SECTIONS]},
    "plans:findings": {"key": [section.key for section in SECTIONS]},
    "headoffice:export_table": {"table": ["kpis", "kpi", "branches", "progress"]},
}
# The query parameters the views read (grep request.GET), sent to every page besides
# those its own links and forms name; and names no page uses.
READ_BY_VIEWS = (
    "cycle", "q", "status", "after", "before", "unit", "page", "kpi", "state", "direct",
    "from", "to", "row", "next",
    # The API's (its lists' filters and pages, the schema's format, the docs' script).
    "year", "region", "cursor", "page_size", "format", "script", "lang",
)  # fmt: skip
UNKNOWN = ("zz", "page[]", "cycle[]", "__proto__", "", "a\x00b")
# Fields of POST-only views whose form the demo bank may not show (nothing left to start)
# or shows only to others; and the file an upload takes.
FIELDS = {
    "plans:start": ("branch",),
    "plans:guidance": ("open",),
    "reviews:comment": ("section", "row", "thread", "body", "next"),
    "reviews:resolve": ("next",),
    "headoffice:allocations_upload": ("token",),
    "actuals:confirm": ("upload",),
    "headoffice:pack_request": ("cycle", "unit", "status", "search", "format", "next"),
    "headoffice:remind_late": ("next",),
    "rollforward:dismiss": ("next",),
    "rollforward:cycle": ("unit",),
    "sign_in_again": ("username", "password"),
    "login": ("username", "password", "next"),
    "password_reset": ("email",),
}
FILES = {"headoffice:allocations_upload": "sheet", "actuals:upload": "file"}
# The health check's job is to say 503 when no task worker runs (none runs beside tests).
MAY_ANSWER_503 = {"healthz"}
# Written on a refused POST by design: sessions (messages, a pending upload), the log-in
# throttle's record of failed attempts, and a section page's record of the user's visit
# (its guidance panel opens on the first only), which the page shown again makes.
UNWATCHED_TABLES = re.compile(
    rf"django_session|axes_.*|{re.escape(GuidancePreference._meta.db_table)}"
)
FORM_PLUMBING = {"csrfmiddlewaretoken"}
EXAMPLES = 6

OVERLONG = "长" * 5_000
HOSTILE = [
    "", " ", "\t\r\n", "²", "١٢٣", "𝟙𝟚", "1e999", "-1e999", "NaN", "Infinity", "-0", "0",
    "-1", "-99999", "1.5", "1,5", "1_000", "0x1F", "99999999999999999999",
    "-99999999999999999999", "9" * 400, "\x00", "1\x00", "\ud800", "a\udfffb",
    b"\xff\xfe", b"\xc0\x80", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
    "' OR '1'='1", "1; DROP TABLE plans_plan; --", "%", "%00", "{{ 7|add:7 }}", "2026-02-30",
    "2026-13-01", "0000-00-00", "9999-12-31T23:59:60", "on", "true", "None", "null", "[]",
    "../../etc/passwd", "http://evil.example/", "//evil.example", "javascript:alert(1)",
    OVERLONG, "x" * 70_000,
]  # fmt: skip
value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.integers(-(10**22), 10**22).map(str),
    st.dates().map(str),
)
# A list where one value is expected: the field sent twice or more.
values = st.one_of(value.map(lambda v: [v]), st.lists(value, min_size=2, max_size=3))


@st.composite
def hostile_query(draw, names):
    chosen = draw(st.lists(st.sampled_from(sorted(names)), max_size=4, unique=True))
    return [(name, v) for name in chosen for v in draw(values)]


@st.composite
def hostile_form(draw, fields):
    """The page's own values, some of them (or all) hostile, sent twice or left out; and
    maybe a field the form does not have."""
    names = sorted(fields)
    if names and draw(st.booleans()):
        changed = set(names)
    else:
        changed = set(draw(st.lists(st.sampled_from(names), max_size=4))) if names else set()
    pairs = []
    for name in names:
        if name not in changed:
            pairs.extend((name, v) for v in fields[name])
        elif draw(st.integers(0, 4)):  # else left out
            pairs.extend((name, v) for v in draw(values))
    for name in draw(st.lists(st.sampled_from(UNKNOWN), max_size=2, unique=True)):
        pairs.append((name, draw(value)))
    return pairs


def encoded(pairs):
    """What a hostile client can send: lone surrogates and bytes that are not UTF-8
    percent-encoded as they are (the test client would refuse to encode them itself)."""

    def q(text):
        raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        return quote(raw, safe="")

    return "&".join(f"{q(name)}={q(v)}" for name, v in pairs)


def as_text(v):
    """For a multipart body, which the test client encodes as UTF-8 itself."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v.encode("utf-8", "replace").decode("utf-8")


def short(v):
    return v if len(v) <= 40 else f"{v[:20]!r}... ({len(v)} long)"


def fingerprint():
    """A digest of every watched table's rows."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if UNWATCHED_TABLES.fullmatch(table):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            digest.update(table.encode() + repr(cursor.fetchall()).encode())
    return digest.hexdigest()


def error_messages(response):
    """Error messages this request queued for the next page (a refusal that redirects)."""
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(m) for m in queued if m.level >= messages.ERROR]


def accepted(response):
    """A POST that did what it was asked: a redirect without an error message, a file
    (a PDF read is recorded), an autosave's "saved". Anything else (a 4xx, a page shown
    again) was refused and must have written nothing."""
    status, kind = response.status_code, response.get("Content-Type", "")
    if status in (301, 302, 303):
        return not error_messages(response)
    if status == 200 and kind == "application/json":
        return response.json().get("state") == "saved"
    return status == 200 and not kind.startswith("text/html")


class Endpoint:
    def __init__(self, name, role, url, client, *, fields, files, params, takes_get, takes_post):
        self.name, self.role, self.url, self.client = name, role, url, client
        self.fields, self.files, self.params = fields, files, params
        self.takes_get, self.takes_post = takes_get, takes_post

    def send(self, method, pairs, *, autosave=False, upload=None):
        headers = {"X-Autosave": "1"} if autosave else {}
        if method == "get":
            query = encoded(pairs)
            return self.client.get(f"{self.url}?{query}" if query else self.url)
        if upload is not None:
            data = defaultdict(list)
            for name, v in pairs:
                data[as_text(name)].append(as_text(v))
            data[self.files] = SimpleUploadedFile("sheet.xlsx", upload)
            return self.client.post(self.url, data, headers=headers)
        return self.client.post(
            self.url,
            encoded(pairs),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )

    def shown(self, method, pairs, options):
        """The request, as far as it differs from what the page would send."""
        own = {(name, v) for name, vs in self.fields.items() for v in vs}
        sent = {name for name, _ in pairs}
        changed = [(name, short(v)) for name, v in pairs if (name, v) not in own]
        missing = sorted(set(self.fields) - sent)
        return (
            f"{method.upper()} {self.url} as {self.role}: sent {changed!r}"
            + (f", left out {missing!r}" if missing else "")
            + (f", the page's other values as they were, {options!r}" if method == "post" else "")
        )

    def check(self, method, pairs, **options):
        shown = self.shown(method, pairs, options)
        with transaction.atomic():
            # Throttles, cached sums and messages of an earlier example start afresh.
            cache.clear()
            self.client.cookies.pop(CookieStorage.cookie_name, None)
            before = fingerprint() if method == "post" else None
            try:
                response = self.send(method, pairs, **options)
            except Exception as error:
                transaction.set_rollback(True)
                raise AssertionError(f"{shown} raised {error!r}") from error
            status = response.status_code
            changed = method == "post" and not accepted(response) and fingerprint() != before
            transaction.set_rollback(True)
        if status >= 500 and not (status == 503 and self.name in MAY_ANSWER_503):
            raise AssertionError(f"{shown} answered {status}")
        assert not changed, f"{shown} was refused ({status}) but changed the database"

    def fuzz(self):
        query = hostile_query(self.params)
        form = hostile_form(self.fields)
        upload = st.none()
        if self.files:
            upload = st.sampled_from([b"", b"PK\x03\x04junk", b"not a spreadsheet", b"\x00" * 64])

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            # The example that failed is shown as drawn: shrinking it would cost minutes.
            phases=[Phase.explicit, Phase.generate],
        )
        @given(query=query, form=form, autosave=st.booleans(), upload=upload)
        def example(query, form, autosave, upload):
            if self.takes_get:
                self.check("get", query)
            if self.takes_post:
                options = {"upload": upload} if upload is not None else {}
                if self.name == "plans:section":
                    options["autosave"] = autosave
                self.check("post", form, **options)

        example()


def discover(client, urls):
    """From the pages at ``urls``: the query parameters each path's links and GET forms
    use, the fields (with the page's values) of the forms that post to each path, and the
    URLs that take no GET."""
    params, fields, post_only = defaultdict(set), defaultdict(dict), set()
    for url in urls:
        response = client.get(url)
        if response.status_code == 405:
            post_only.add(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        forms, links = page_form_targets(response.content.decode())
        for attrs, form in forms:
            target = urlsplit(urljoin(url, attrs.get("action") or url))
            if (attrs.get("method") or "get").lower() == "get":
                params[target.path].update(name for name, _ in form)
                continue
            seen = defaultdict(list)
            for name, v in form:
                if name not in FORM_PLUMBING:
                    seen[name].append(v)
            for name, vs in seen.items():
                fields[target.path].setdefault(name, vs)
        for href in links:
            link = urlsplit(urljoin(url, href))
            params[link.path].update(name for name, _ in parse_qsl(link.query))
    return params, fields, post_only


def endpoints(world, state):
    """Every fuzzed URL of this state's roles, each with its client and what to send."""
    made = []
    for role in sorted({role for by_state in FUZZ.values() for role in by_state.get(state, ())}):
        client = Client(raise_request_exception=True)
        if USERNAMES[role]:
            client.force_login(world["demo"][USERNAMES[role]])
        urls = []
        for name, route in full_routes():
            if role not in FUZZ.get(name, {}).get(state, ()):
                continue
            ((keyword, choices),) = VARIANTS.get(name, {None: [None]}).items()
            for number, choice in enumerate(choices):
                given = {keyword: choice} if keyword else {}
                # The variants' queries reach the same view: the first one's are fuzzed.
                urls.append((name, url_of(name, route, world, "own", **given), number == 0))
        overview = url_of("plans:overview", "plans/<int:plan_id>/", world, "own")
        params, fields, post_only = discover(client, [overview, *(url for _, url, _ in urls)])
        for name, url, first in urls:
            path = urlsplit(url).path
            known = {key: [""] for key in FIELDS.get(name, ())} | fields.get(path, {})
            made.append(
                Endpoint(
                    name,
                    role,
                    url,
                    client,
                    fields=known,
                    files=FILES.get(name),
                    params=set(READ_BY_VIEWS) | params.get(path, set()) | set(UNKNOWN),
                    takes_get=first and url not in post_only,
                    # A page without a form posting to it: its POST is its GET.
                    takes_post=bool(known),
                )
            )
    return made


def test_every_url_is_fuzzed():
    names = {name for name, _ in full_routes()}
    assert names == set(FUZZ) | set(NOT_FUZZED)
    assert not set(FUZZ) & set(NOT_FUZZED)


# A minute a database: CI keeps within its time by fuzzing on SQLite alone (the brief
# allows slow suites on one database). What a database refuses its own way (an id past
# its integers) has a plain test in test_fuzz.py, which runs on both.
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the URLconf fuzzer runs on SQLite")
@pytest.mark.parametrize("state", [DRAFT, SUBMITTED, APPROVED])
def test_hostile_input_is_refused_cleanly(
    state, demo, monkeypatch, django_capture_on_commit_callbacks
):
    world = build_world(state, demo, monkeypatch, django_capture_on_commit_callbacks)
    fuzzed = endpoints(world, state)
    assert fuzzed
    failures = []
    for endpoint in fuzzed:
        try:
            endpoint.fuzz()
        except Exception as error:
            failures.append(f"{endpoint.name} as {endpoint.role}: {error}")
    assert not failures, "\n\n".join(failures)
