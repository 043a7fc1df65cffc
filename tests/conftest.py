"""Canonical people and a small bank for every test.

The bank: head office; region 1 with branches A and B; region 2 with branch C. The 2027
cycle has a catalogue of three KPIs. ``plan`` is branch A's freshly started plan.
"""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections

from bankplan.audit import append_only
from bankplan.audit.models import Event
from bankplan.organisation.models import Membership, Role, Unit, UnitKind, User
from bankplan.plans.models import Cycle, Kpi, Plan
from bankplan.plans.services import start_plan
from bankplan.reviews import tasks

# back_to_latest: tests that migrate leave the database as today's migrations make it;
# browser: headless Chromium, for the pages' JavaScript.
pytest_plugins = ["tests.migrating", "tests.browser.chromium"]


@pytest.fixture(autouse=True, scope="session")
def history_flushed_between_tests():
    """Tests with a live server or worker processes empty every table after each test,
    which the append-only triggers refuse for the history and the audit log: the flush
    takes the triggers off, empties the tables and puts the triggers back, in one
    transaction. Nothing but the test suite flushes a database."""
    columns = tuple(field.column for field in Event._meta.concrete_fields)
    originals = {}
    for connection in connections.all(initialized_only=False):
        operations = type(connection.ops)
        if operations in originals:
            continue
        originals[operations] = flush = operations.sql_flush

        def sql_flush(self, style, tables, *args, _flush=flush, **kwargs):
            statements = _flush(self, style, tables, *args, **kwargs)
            if append_only.AUDIT_LOG not in tables:  # a test migrated back before it
                return statements
            vendor = self.connection.vendor
            return [
                *append_only.remove_statements(vendor),
                *statements,
                *append_only.install_statements(vendor, columns),
            ]

        operations.sql_flush = sql_flush
    yield
    for operations, flush in originals.items():
        operations.sql_flush = flush


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many users. It stays second
    # so the demo fixture's passwords still verify.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """A task runs in the test's own process as soon as it is enqueued (for transitions:
    when their transaction commits). tests/operations runs a real worker process."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def quick_pdf(monkeypatch):
    """Workflow tests store a stand-in PDF; test_end_to_end renders real ones."""
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: b"%PDF-1.7 stand-in")


@pytest.fixture(autouse=True)
def fresh_cache():
    """Nothing a test cached (the roll-ups' sums) is seen by the next."""
    cache.clear()


@pytest.fixture(autouse=True)
def static_files_from_the_source(settings):
    """Static URLs without the collected manifest, so tests need no `collectstatic`
    (tests/operations checks the manifest as production uses it)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def bank(db):
    head = Unit.objects.create(code="HO", name="总行", kind=UnitKind.HEAD_OFFICE)
    r1 = Unit.objects.create(code="R1", name="东区分行", kind=UnitKind.REGION, parent=head)
    r2 = Unit.objects.create(code="R2", name="西区分行", kind=UnitKind.REGION, parent=head)
    return {
        "head": head,
        "r1": r1,
        "r2": r2,
        "a": Unit.objects.create(code="A", name="城关支行", kind=UnitKind.BRANCH, parent=r1),
        "b": Unit.objects.create(code="B", name="新区支行", kind=UnitKind.BRANCH, parent=r1),
        "c": Unit.objects.create(code="C", name="河西支行", kind=UnitKind.BRANCH, parent=r2),
    }


def make_user(username, unit, role):
    user = User.objects.create_user(username, password="pw", full_name=username.title())
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def author(bank):
    return make_user("author", bank["a"], Role.BRANCH_MANAGER)


@pytest.fixture
def colleague(bank):
    return make_user("colleague", bank["a"], Role.BRANCH_STAFF)


@pytest.fixture
def other_manager(bank):
    return make_user("other", bank["b"], Role.BRANCH_MANAGER)


@pytest.fixture
def reviewer(bank):
    return make_user("reviewer", bank["r1"], Role.REGIONAL_REVIEWER)


@pytest.fixture
def other_reviewer(bank):
    return make_user("reviewer2", bank["r2"], Role.REGIONAL_REVIEWER)


@pytest.fixture
def head_office(bank):
    return make_user("planner", bank["head"], Role.HEAD_OFFICE_PLANNER)


def make_cycle(year: int) -> Cycle:
    """A cycle of ``year`` (opening on 1 October of the year before, due at its end) with
    a small catalogue: a balance, a count and a weighted ratio."""
    cycle = Cycle.objects.create(
        year=year,
        name=f"{year} 年度营销计划",
        opens_on=datetime.date(year - 1, 10, 1),
        deadline=datetime.date(year - 1, 12, 31),
    )
    deposits = Kpi.objects.create(
        cycle=cycle,
        code="deposits",
        name="各项存款余额",
        name_en="Total deposits",
        measure=Kpi.Measure.WAN_YUAN,
        is_balance=True,
        position=1,
    )
    Kpi.objects.create(
        cycle=cycle,
        code="new_customers",
        name="新增有效客户",
        name_en="New active customers",
        measure=Kpi.Measure.CUSTOMERS,
        position=2,
    )
    # A ratio is rolled up weighted by its base; the small catalogue has no loan balance,
    # so deposits stand in for it.
    Kpi.objects.create(
        cycle=cycle,
        code="npl",
        aggregation=Kpi.Aggregation.WEIGHTED,
        base=deposits,
        name="不良贷款率",
        name_en="NPL ratio",
        measure=Kpi.Measure.PERCENT,
        direction=Kpi.Direction.LOWER,
        position=3,
    )
    return cycle


@pytest.fixture
def cycle(db):
    return make_cycle(2027)


@pytest.fixture
def plan(cycle, bank, author):
    return start_plan(cycle=cycle, branch=bank["a"], by=author)


@pytest.fixture
def kpis(cycle):
    return {kpi.code: kpi for kpi in cycle.kpis.all()}


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo bank's fixture alone: load_demo's plans in every state would cost every
    # test seconds (tests/plans/test_demo.py covers them).
    call_command("loaddata", "demo", verbosity=0)
    users = {u.username: u for u in User.objects.all()}
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    return {"plan": plan, **users}
