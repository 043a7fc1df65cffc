"""Every URL of the URLconf for every role, on an object of the user's own and a foreign
one, in every plan state: the status each GET and POST answers. A URL added without an
entry in the tables below fails ``test_every_url_has_an_entry``.

One bank per plan state, with an own and a foreign object of every kind (see
tests/urlconf_world.py). The pages outside plans do not depend on a plan's state and are
checked in one state.
"""

import re
from dataclasses import dataclass

import pytest
from django.test import Client

from bankplan.plans.models import Status

from .urlconf_world import USERNAMES, build_world, full_routes, url_of

STATES = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED]
# What each role is to each object: a stranger neither belongs to the branch nor
# oversees it.
RELATION = {
    "own": {
        "staff": "staff",
        "manager": "manager",
        "other_manager": "stranger",
        "reviewer": "reviewer",
        "other_reviewer": "stranger",
        "head_office": "head_office",
    },
    "foreign": {
        "staff": "stranger",
        "manager": "stranger",
        "other_manager": "manager",
        "reviewer": "reviewer",
        "other_reviewer": "stranger",
        "head_office": "head_office",
    },
}
# For head-office pages of a unit or a pack: who oversees the object.
OVERSEERS = {"own": {"reviewer", "head_office"}, "foreign": {"other_reviewer", "head_office"}}
BRANCH_PEOPLE = {"staff", "manager"}
REVIEWERS = {"reviewer", "head_office"}
EVERYONE = {"staff", "manager", "reviewer", "head_office"}
REVIEWER_ROLES = {"reviewer", "other_reviewer"}
BEING_WRITTEN = {Status.DRAFT, Status.RETURNED}


@dataclass(frozen=True)
class PlanPage:
    """A page of one plan: the relations that may use it, in which states, and what GET
    and POST answer them. Others who may read the plan get 403; strangers 404; a method
    the view does not take is 405 for everyone signed in, before any lookup."""

    who: frozenset
    states: frozenset = frozenset(STATES)
    get: int = 200
    post: int = 200
    # The log-in page for anonymous requests; the API answers 401 instead.
    anonymous: tuple = (302, 302)

    def expected(self, relation, state):
        if relation is None:
            return self.anonymous
        refused = 404 if relation == "stranger" else 403
        if relation in self.who and state in self.states:
            return self.get, self.post
        return (405 if self.get == 405 else refused), (405 if self.post == 405 else refused)


def plan_page(who, states=frozenset(STATES), get=200, post=200, anonymous=(302, 302)):
    return PlanPage(frozenset(who), frozenset(states), get, post, anonymous)


# The API: read-only (a POST is 405), and 401 without a token or a session.
API_ANONYMOUS = (401, 401)


# A read-only page takes GET (and HEAD) alone: a POST is 405. A POST to a transition
# shows the form with its errors (nothing changes); to a comment, a message and the way back.
PLAN_PAGES = {
    "plans:overview": plan_page(EVERYONE, post=405),
    "plans:section": plan_page(BRANCH_PEOPLE, BEING_WRITTEN),
    "plans:findings": plan_page(BRANCH_PEOPLE, BEING_WRITTEN, post=405),
    "documents:plan_pdf": plan_page(EVERYONE, post=405),
    "reviews:submit": plan_page({"manager"}, BEING_WRITTEN),
    "reviews:return": plan_page(REVIEWERS, {Status.SUBMITTED}),
    "reviews:approve": plan_page(REVIEWERS, {Status.SUBMITTED}),
    "reviews:reopen": plan_page({"head_office"}, {Status.APPROVED}),
    "reviews:version": plan_page(EVERYONE, post=405),
    "reviews:version_pdfs": plan_page(EVERYONE, post=405),
    "reviews:version_pdf": plan_page(EVERYONE, post=405),
    "reviews:compare": plan_page(EVERYONE, post=405),
    "audit:plan_history": plan_page(REVIEWERS, post=405),
    "reviews:comment": plan_page(
        EVERYONE, {Status.DRAFT, Status.SUBMITTED, Status.RETURNED}, get=405, post=302
    ),
    "reviews:resolve": plan_page(REVIEWERS, {Status.SUBMITTED, Status.RETURNED}, 405, 302),
    "api:plan": plan_page(EVERYONE, post=405, anonymous=API_ANONYMOUS),
    "api:version": plan_page(EVERYONE, post=405, anonymous=API_ANONYMOUS),
    "api:version_pdf": plan_page(EVERYONE, post=405, anonymous=API_ANONYMOUS),
    "rollforward:dismiss": plan_page(BRANCH_PEOPLE, BEING_WRITTEN, get=405, post=302),
}


def same_for(roles, get, post, others=(302, 302)):
    """Every role in ``roles`` gets (get, post); the rest (anonymous too) ``others``."""
    return {role: (get, post) if role in roles else others for role in USERNAMES}


def signed_in(get, post):
    return same_for(set(USERNAMES) - {"anonymous"}, get, post)


# An API list or object everyone signed in reads.
API_READ = same_for(set(USERNAMES) - {"anonymous"}, 200, 405, API_ANONYMOUS)


def overseers(get, post, *, head_office_only=False):
    """Head-office pages: a branch's people are not to know of them (404); reviewers
    get 403 on head office's own pages. A method the view does not take is 405 for
    everyone, before any check."""
    table = same_for({"reviewer", "other_reviewer", "head_office"}, get, post)
    for refused, roles in ((404, BRANCH_PEOPLE | {"other_manager"}), (403, REVIEWER_ROLES)):
        if refused == 403 and not head_office_only:
            continue
        answer = (405 if get == 405 else refused, 405 if post == 405 else refused)
        table.update(dict.fromkeys(roles, answer))
    return table


def of_unit(get, post, refused_get=404, anonymous=(302, 302)):
    """A page of a unit or pack: its overseers get (get, post), everyone else 404 (405
    for a GET to a POST-only view, which answers before looking up the unit)."""

    def expected(role, obj):
        if role == "anonymous":
            return anonymous
        return (get, post) if role in OVERSEERS[obj] else (refused_get, 405 if post == 405 else 404)

    return expected


PUBLIC = same_for(set(USERNAMES), 200, 200)
OTHER_PAGES = {
    "home": {**signed_in(302, 405), "anonymous": (302, 302)},
    "plans:list": signed_in(200, 405),
    "plans:start": signed_in(405, 400),  # an empty POST names no branch
    "plans:guidance": signed_in(405, 400),  # an empty POST says neither open nor closed
    "reviews:queue": signed_in(200, 405),
    "headoffice:dashboard": overseers(302, 405),
    "headoffice:unit": of_unit(200, 405),
    "headoffice:branches": of_unit(200, 405),
    "headoffice:export_table": of_unit(200, 405),
    "headoffice:allocations": of_unit(200, 302),
    "headoffice:allocations_template": of_unit(200, 405),
    "headoffice:allocations_upload": of_unit(405, 200, refused_get=405),
    "headoffice:remind_late": {
        "dashboard/<int:cycle_id>/remind/": overseers(405, 302),
        "dashboard/<int:cycle_id>/units/<int:unit_id>/remind/": of_unit(405, 302, 405),
    },
    "headoffice:extensions": overseers(200, 200, head_office_only=True),
    "headoffice:close_cycle": overseers(200, 200, head_office_only=True),
    "headoffice:branch_targets": overseers(200, 405),
    "headoffice:branch_targets_csv": overseers(200, 405),
    "headoffice:packs": overseers(200, 405),
    "headoffice:pack_request": overseers(405, 302),
    "headoffice:pack": of_unit(200, 405),
    "headoffice:pack_progress": of_unit(200, 405),
    "headoffice:pack_download": of_unit(200, 405),
    "audit:log": overseers(200, 405, head_office_only=True),
    "audit:log_csv": overseers(200, 405, head_office_only=True),
    "audit:log_xlsx": overseers(200, 405, head_office_only=True),
    "actuals:page": overseers(200, 405, head_office_only=True),
    "actuals:template": overseers(200, 405, head_office_only=True),
    "actuals:upload": overseers(405, 200, head_office_only=True),  # "choose a file"
    "actuals:confirm": overseers(405, 302, head_office_only=True),
    "actuals:discard": overseers(405, 302, head_office_only=True),
    # The manager's branch has its plan already: the start page leads to it.
    "rollforward:start": {**signed_in(404, 404), "manager": (302, 302)},
    "rollforward:cycle": overseers(200, 302, head_office_only=True),
    "rollforward:run": overseers(200, 405, head_office_only=True),
    "rollforward:run_progress": overseers(200, 405, head_office_only=True),
    "api:schema": API_READ,
    "api:docs": signed_in(200, 405),  # a page: the log-in page for anonymous requests
    "api:cycles": API_READ,
    "api:cycle": API_READ,
    "api:kpis": API_READ,
    "api:units": API_READ,
    "api:plans": API_READ,
    "api:rollup": of_unit(200, 405, anonymous=API_ANONYMOUS),
    "sign_in_again": same_for(set(USERNAMES), 405, 400),  # JSON posts only
    "login": PUBLIC,
    "logout": signed_in(405, 302),
    "password_change": signed_in(200, 200),
    "password_change_done": signed_in(200, 405),
    "password_reset": PUBLIC,
    "password_reset_done": same_for(set(USERNAMES), 200, 405),
    "password_reset_confirm": PUBLIC,  # a link that does not hold: the page says so
    "password_reset_complete": same_for(set(USERNAMES), 200, 405),
    "set_language": same_for(set(USERNAMES), 302, 302),
    # The admin keeps its own permissions (tests/plans/test_admin.py): head office is staff.
    "admin:": same_for({"head_office"}, 200, 200),
    "favicon.ico": same_for(set(USERNAMES), 301, 301),
    # No task worker runs beside the tests, so the health check reports it missing.
    "healthz": same_for(set(USERNAMES), 503, 503),
}


def test_every_url_has_an_entry():
    names = {name for name, _ in full_routes()}
    assert names == set(PLAN_PAGES) | set(OTHER_PAGES)


@pytest.fixture
def world(demo, monkeypatch, django_capture_on_commit_callbacks, request):
    return build_world(request.param, demo, monkeypatch, django_capture_on_commit_callbacks)


def clients(demo):
    made = {}
    for role, username in USERNAMES.items():
        made[role] = Client(raise_request_exception=False)
        if username:
            made[role].force_login(demo[username])
    return made


def answers(client, url):
    return client.get(url).status_code, client.post(url, {}).status_code


@pytest.mark.parametrize("world", STATES, indirect=True)
def test_plan_pages(world, request):
    state = request.node.callspec.params["world"]
    by_role = clients(world["demo"])
    wrong = []
    for name, route in full_routes():
        if name not in PLAN_PAGES:
            continue
        for obj, relations in RELATION.items():
            url = url_of(name, route, world, obj)
            for role, client in by_role.items():
                expected = PLAN_PAGES[name].expected(relations.get(role), state)
                if (got := answers(client, url)) != expected:
                    wrong.append((name, obj, role, got, expected))
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("world", [Status.SUBMITTED], indirect=True)
def test_other_pages(world):
    by_role = clients(world["demo"])
    wrong = []
    for name, route in full_routes():
        if name in PLAN_PAGES:
            continue
        table = OTHER_PAGES[name]
        table = table.get(route, table) if isinstance(table, dict) else table
        for obj in ("own", "foreign") if re.search(r":(unit|pack)_id>", route) else ("own",):
            url = url_of(name, route, world, obj)
            for role, client in by_role.items():
                expected = table(role, obj) if callable(table) else table[role]
                if name == "logout":  # signs the client out: a fresh one for it
                    client = clients(world["demo"])[role]
                if (got := answers(client, url)) != expected:
                    wrong.append((name, obj, role, got, expected))
    assert not wrong, "\n".join(map(str, wrong))
