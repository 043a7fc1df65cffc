"""What the tests that walk the whole URLconf share (tests/test_access_matrix.py,
tests/test_fuzz_urlconf.py): the routes from the root, the demo bank taken to a plan state
with an own and a foreign object of every kind, and the URL of a route on one of them.

One bank per plan state: the demo's complete plan of branch R01-01 (the own object) taken
through submit, return, submit and on to the state, so that every state has two versions
with their PDFs; branch R01-02's plan (the foreign object, managed by manager2) put in the
same state with copies of those versions. Head-office pages: region R01 and a pack of its
reviewer are the own objects, region R02 and a pack of its reviewer the foreign ones.
"""

import re

from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse

from bankplan.documents import views as document_views
from bankplan.headoffice.models import Pack
from bankplan.organisation.models import Unit
from bankplan.plans.models import Plan, Status
from bankplan.reviews import services, tasks
from bankplan.reviews.models import Thread, VersionPdf
from bankplan.rollforward.models import Run

STAND_IN_PDF = b"%PDF-1.7 stand-in"
# The demo bank's people (manager2 manages another branch of region R01; reviewer2
# reviews region R02).
USERNAMES = {
    "anonymous": None,
    "staff": "staff",
    "manager": "manager",
    "other_manager": "manager2",
    "reviewer": "reviewer",
    "other_reviewer": "reviewer2",
    "head_office": "admin",
}


def full_routes():
    """(name, route) of every URL pattern, routes from the root: the included ones'
    prefixes joined on. The admin is one entry, "admin:"; an unnamed pattern is named by
    its route."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                if inner == "admin:":
                    yield "admin:", route
                else:
                    yield from walk(pattern.url_patterns, route, inner)
            else:
                name = f"{namespace}{pattern.name}" if pattern.name else route
                yield name, route

    return sorted(set(walk(get_resolver().url_patterns, "", "")))


def take_to(state, plan, demo):
    """Submit, return, submit (two versions), then on to ``state``."""
    pk, reviewer = plan.pk, demo["reviewer"]
    services.submit_plan(plan_id=pk, by=demo["manager"])
    services.return_plan(plan_id=pk, by=reviewer, reason="请细化")
    services.submit_plan(plan_id=pk, by=demo["manager"])
    if state == Status.RETURNED:
        services.return_plan(plan_id=pk, by=reviewer, reason="再细化")
    if state in (Status.APPROVED, Status.DRAFT):
        services.approve_plan(plan_id=pk, by=reviewer)
    if state == Status.DRAFT:
        services.reopen_plan(plan_id=pk, by=demo["admin"], reason="调整")


def _copy_versions(source, target):
    for version in source.versions.all():
        pdfs = list(version.pdfs.all())
        version.pk = None
        version.plan = target
        version.save()
        for pdf in pdfs:
            pdf.pk = None
            pdf.version = version
            pdf.save()


def build_world(state, demo, monkeypatch, capture_on_commit_callbacks):
    """The demo bank in ``state`` with its own and foreign objects (see the module)."""
    # Stand-in PDFs: these tests are about who gets them, tests/documents about their making.
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: STAND_IN_PDF)
    monkeypatch.setattr(document_views, "render_plan_pdf", lambda plan: STAND_IN_PDF)
    own = demo["plan"]
    foreign = Plan.objects.get(branch__code="R01-02")
    with capture_on_commit_callbacks(execute=True):
        take_to(state, own, demo)
    Plan.objects.filter(pk=foreign.pk).update(status=state)
    _copy_versions(own, foreign)
    plans = {"own": own, "foreign": foreign}
    units = {"own": Unit.objects.get(code="R01"), "foreign": Unit.objects.get(code="R02")}
    packs = {}
    for obj, reviewer in (("own", demo["reviewer"]), ("foreign", demo["reviewer2"])):
        packs[obj] = Pack.objects.create(
            cycle=own.cycle, unit=units[obj], format=Pack.Format.ZIP, requested_by=reviewer
        )
        packs[obj].state = Pack.State.READY
        packs[obj].file.save("pack.zip", ContentFile(b"PK"))
    threads = {
        obj: Thread.objects.create(
            plan=plan, version=plan.versions.last(), section="swot", created_by=demo["reviewer"]
        )
        for obj, plan in plans.items()
    }
    runs = {
        obj: Run.objects.create(cycle=own.cycle, unit=unit, requested_by=demo["admin"])
        for obj, unit in units.items()
    }
    return {
        "plans": plans,
        "units": units,
        "packs": packs,
        "threads": threads,
        "runs": runs,
        "demo": demo,
    }


def url_of(name, route, world, obj, **given):
    """The URL of route ``name`` on the world's own or foreign object; ``given`` overrides
    a keyword (a section's key)."""
    if name == "admin:":
        return reverse("admin:index")
    if name == route:  # unnamed
        return "/" + route
    plan = world["plans"][obj]
    values = {
        "plan_id": plan.pk,
        "number": plan.versions.order_by("-number").first().number,
        "kind": VersionPdf.Kind.SUBMITTED,
        "thread_id": world["threads"][obj].pk,
        "key": "swot",
        "cycle_id": plan.cycle_id,
        "unit_id": world["units"][obj].pk,
        "table": "kpis",
        "fmt": "csv",
        "pack_id": world["packs"][obj].pk,
        "branch_id": plan.branch_id,
        "run_id": world["runs"][obj].pk,
        "uidb64": "MQ",
        "token": "set-password",
        **given,
    }
    kwargs = {key: values[key] for key in re.findall(r"<(?:\w+:)?(\w+)>", route)}
    return reverse(name, kwargs=kwargs)
