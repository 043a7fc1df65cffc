"""The audit log: what is recorded, how a sitting's saves merge, that nothing can change
or delete an entry (raw SQL included), and what head office reads of it."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from bankplan.audit import record
from bankplan.audit.admin import _unit_code
from bankplan.audit.models import Action, Event
from bankplan.headoffice.allocations import save_allocations
from bankplan.headoffice.models import Allocation
from bankplan.organisation.models import Unit
from bankplan.plans.models import Plan
from bankplan.plans.sections.registry import get_section
from bankplan.reviews import services
from bankplan.reviews.models import AuditEntry
from tests.htmlform import add_row, form_data

pytestmark = pytest.mark.usefixtures("quick_pdf")


def save_swot(client, plan, *, summary, strength=None):
    """Save the SWOT section as the form on the page would post it."""
    url = reverse("plans:section", args=[plan.pk, "swot"])
    data = form_data(client.get(url)) | {"summary": summary}
    if strength:
        add_row(data, "items", kind="S", text=strength, priority="high")
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["problems"]


def saves(plan):
    return list(Event.objects.filter(plan=plan, action=Action.SECTION_SAVED).order_by("pk"))


def test_a_section_save_is_one_entry_saying_who_changed_what(client, demo):
    plan, manager = demo["plan"], demo["manager"]
    client.force_login(manager)
    save_swot(client, plan, summary="网点优势明显", strength="代发工资客户稳定")
    (entry,) = saves(plan)
    assert (entry.actor, entry.section, entry.revision) == (manager, "swot", plan.swot.revision)
    assert entry.unit_code == plan.branch.code and entry.actor_name
    assert entry.changes == {"fields": 1, "added": 1, "removed": 0, "changed": 0}
    assert entry.state_after["fields"]["summary"] == "网点优势明显"
    assert entry.state_before["fields"]["summary"] != "网点优势明显"


def test_a_sittings_saves_merge_and_another_persons_save_does_not(client, demo):
    plan, manager, staff = demo["plan"], demo["manager"], demo["staff"]
    client.force_login(manager)
    save_swot(client, plan, summary="第一稿")
    first = saves(plan)[0]
    save_swot(client, plan, summary="第二稿", strength="县城网点最多")
    (merged,) = saves(plan)
    assert merged.pk == first.pk and merged.revision == first.revision + 1
    assert merged.revision_from == first.revision_from
    assert merged.state_before == first.state_before  # the sitting's start stays
    assert merged.state_after["fields"]["summary"] == "第二稿"
    assert merged.changes["added"] == 1 and merged.until > merged.at

    client.force_login(staff)
    save_swot(client, plan, summary="员工补充")
    assert [entry.actor for entry in saves(plan)] == [manager, staff]


def test_a_save_after_the_merge_window_starts_a_new_entry(client, demo):
    plan, manager = demo["plan"], demo["manager"]
    client.force_login(manager)
    long_ago = timezone.now() - datetime.timedelta(minutes=6)
    Event.objects.create(
        action=Action.SECTION_SAVED,
        actor=manager,
        plan=plan,
        section="swot",
        at=long_ago,
        until=long_ago,
        revision_from=plan.swot.revision,
        revision=plan.swot.revision,
    )
    save_swot(client, plan, summary="隔了一会儿再改")
    assert len(saves(plan)) == 2


def test_transitions_comments_and_downloads_are_recorded(
    client, demo, django_capture_on_commit_callbacks
):
    plan, manager, reviewer = demo["plan"], demo["manager"], demo["reviewer"]
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is made
        services.submit_plan(plan_id=plan.pk, by=manager)
    plan.refresh_from_db()
    services.add_comment(plan=plan, by=reviewer, body="目标偏保守", section="products")
    services.return_plan(plan_id=plan.pk, by=reviewer, reason="请补充渠道")
    client.force_login(reviewer)
    stored = plan.versions.get().pdfs.get()
    assert stored.is_ready
    response = client.get(reverse("reviews:version_pdf", args=[plan.pk, 1, stored.kind]))
    assert response.status_code == 200
    actions = list(Event.objects.filter(plan=plan).order_by("pk").values_list("action", "actor"))
    assert actions == [
        (Action.SUBMITTED, manager.pk),
        (Action.COMMENTED, reviewer.pk),
        (Action.RETURNED, reviewer.pk),
        (Action.DOWNLOADED, reviewer.pk),
    ]
    returned = Event.objects.get(plan=plan, action=Action.RETURNED)
    assert returned.detail == "请补充渠道" and returned.version == 1
    assert Event.objects.get(plan=plan, action=Action.COMMENTED).section == "products"


def test_exports_allocations_and_admin_changes_are_recorded(client, demo):
    admin = demo["admin"]
    client.force_login(admin)
    cycle = demo["plan"].cycle
    head = Unit.objects.get(kind=Unit.Kind.HEAD_OFFICE)
    response = client.get(reverse("headoffice:branch_targets_csv", args=[cycle.pk]))
    b"".join(response.streaming_content)
    exported = Event.objects.get(action=Action.EXPORTED)
    assert exported.actor == admin and exported.detail.endswith(".csv")

    branch = demo["plan"].branch
    url = reverse("admin:organisation_unit_change", args=[branch.pk])
    data = form_data(client.get(url)) | {"name": "丰河县支行（新址）"}
    assert client.post(url, data).status_code == 302
    change = Event.objects.get(action=Action.ADMIN_CHANGED)
    assert change.unit_code == branch.code and "丰河县支行（新址）" in change.subject
    assert change.changes["message"] == [{"changed": {"fields": ["Name"]}}]

    region = Unit.objects.filter(parent=head).first()
    kpi = cycle.kpis.first()
    old = Allocation.objects.filter(unit=region, kpi=kpi).values_list("target", flat=True).first()
    save_allocations(by=admin, cycle=cycle, entries=[(region, kpi, Decimal("1234"))])
    allocated = Event.objects.get(action=Action.ALLOCATED)
    assert allocated.unit_code == head.code and allocated.actor == admin
    assert allocated.changes == [
        {"unit": region.code, "kpi": kpi.code, "old": str(old or ""), "new": "1234"}
    ]


# The record cannot be changed: not through the ORM, not through raw SQL.

TABLES = ["audit_event", "reviews_auditentry"]


@pytest.fixture
def recorded(demo):
    services.submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
    return demo


def refused(sql, params=()):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.mark.parametrize("table", TABLES)
def test_raw_sql_can_neither_update_nor_delete_an_entry(recorded, table):
    column = "detail" if table == "audit_event" else "reason"
    refused(f"UPDATE {table} SET {column} = 'rewritten'")
    refused(f"DELETE FROM {table}")
    assert Event.objects.filter(action=Action.SUBMITTED).exists()
    assert AuditEntry.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused(recorded, table):
    with connection.cursor() as cursor:
        # The test's own inserts left deferred foreign-key checks pending, which would
        # keep any TRUNCATE from starting; run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    refused(f"TRUNCATE {table} CASCADE")


def test_querysets_cannot_update_or_delete_entries_either(recorded):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.update(actor_name="someone else")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.all().delete()


def test_only_a_merge_moves_a_section_save_and_only_its_merged_columns(client, demo):
    plan = demo["plan"]
    client.force_login(demo["manager"])
    save_swot(client, plan, summary="第一稿")
    entry = saves(plan)[0]
    later = entry.until + datetime.timedelta(seconds=30)
    # What a merge does: allowed.
    Event.objects.filter(pk=entry.pk).update(until=later, revision=entry.revision + 1)
    # Anything else about the entry: refused, even within the window.
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=entry.pk).update(
            until=later + datetime.timedelta(seconds=1), revision=entry.revision + 2, actor=None
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=entry.pk).update(changes={"fields": 0})  # time stands still
    with pytest.raises(IntegrityError), transaction.atomic():
        far = later + datetime.timedelta(minutes=10)
        Event.objects.filter(pk=entry.pk).update(until=far, revision=entry.revision + 2)


def test_a_submitted_plan_cannot_be_deleted_but_a_draft_can_and_its_log_stays(client, demo):
    plan = demo["plan"]
    client.force_login(demo["manager"])
    save_swot(client, plan, summary="草稿")
    services.submit_plan(plan_id=plan.pk, by=demo["manager"])
    with pytest.raises(ProtectedError), transaction.atomic():
        plan.delete()

    draft = Plan.objects.exclude(pk=plan.pk).filter(versions=None).first()
    assert draft is not None, "the demo bank has a plan never submitted"
    record.event(Action.DOWNLOADED, by=demo["admin"], plan=draft)
    draft.delete()
    entry = Event.objects.get(action=Action.DOWNLOADED)
    assert entry.plan_id is not None and entry.subject  # still says what it was about


# What head office reads.


def test_head_office_filters_the_log_and_downloads_it(client, recorded):
    plan = recorded["plan"]
    client.force_login(recorded["admin"])
    page = client.get(reverse("audit:log"), {"action": "submitted", "unit": plan.branch.code})
    assert page.status_code == 200
    assert [event for event, _section, _what in page.context["rows"]] == list(
        Event.objects.filter(action=Action.SUBMITTED)
    )
    bad = client.get(reverse("audit:log"), {"start": "2026-02-30", "plan": "x"})
    assert bad.status_code == 200
    assert bad.context["form"].has_error("start") and bad.context["form"].has_error("plan")

    response = client.get(reverse("audit:log_csv"), {"action": "submitted"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and plan.branch.code in lines[1]
    assert response["Cache-Control"] == "private, no-store"
    assert Event.objects.filter(action=Action.EXPORTED, actor=recorded["admin"]).exists()


def test_head_office_reads_who_changed_what_in_a_section_on_the_plans_history(client, demo):
    plan = demo["plan"]
    client.force_login(demo["manager"])
    save_swot(client, plan, summary="新的总结", strength="县城网点最多")
    client.force_login(demo["admin"])
    page = client.get(reverse("audit:plan_history", args=[plan.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert demo["manager"].get_full_name() in html
    assert "<ins>新的总结</ins>" in html or "新的总结</ins>" in html
    assert "县城网点最多" in html
    assert f"2. {get_section('swot').title}" in html  # numbered as in the plan


def test_resolving_a_thread_extending_a_deadline_and_closing_the_cycle_are_recorded(client, demo):
    plan, reviewer, admin = demo["plan"], demo["reviewer"], demo["admin"]
    services.submit_plan(plan_id=plan.pk, by=demo["manager"])
    plan.refresh_from_db()
    comment = services.add_comment(plan=plan, by=reviewer, body="请补充", section="swot")
    services.resolve_thread(thread=comment.thread, by=reviewer)
    services.resolve_thread(thread=comment.thread, by=reviewer)  # already: nothing more
    assert Event.objects.filter(action=Action.RESOLVED, actor=reviewer).count() == 1

    client.force_login(admin)
    cycle = plan.cycle
    extended = client.post(
        reverse("headoffice:extensions", args=[cycle.pk]),
        {"unit": plan.branch.code, "deadline": "2027-12-31", "reason": "网点装修"},
    )
    assert extended.status_code == 302
    client.post(reverse("headoffice:close_cycle", args=[cycle.pk]), {"confirm": "on"})
    client.post(reverse("headoffice:close_cycle", args=[cycle.pk]), {"confirm": "on"})
    changes = Event.objects.filter(action=Action.CYCLE_CHANGED).order_by("pk")
    assert [(e.unit_code, e.actor) for e in changes] == [(plan.branch.code, admin), ("", admin)]
    assert "2027-12-31" in changes[0].detail and "网点装修" in changes[0].detail


def test_the_log_pages_newest_first_without_gaps_or_repeats(client, demo):
    admin = demo["admin"]
    for n in range(120):
        record.event(Action.EXPORTED, by=admin, detail=f"file-{n}.csv")
    client.force_login(admin)
    seen, query = [], {}
    while True:
        page = client.get(reverse("audit:log"), query).context["page"]
        seen += [event.pk for event in page.items]
        if not page.after:
            break
        query = {"after": page.after}
    assert seen == list(Event.objects.order_by("-pk").values_list("pk", flat=True))
    back = client.get(reverse("audit:log"), {"before": seen[50]}).context["page"]
    assert [event.pk for event in back.items] == seen[:50]


@pytest.mark.parametrize(
    ("username", "status"),
    [("reviewer", 200), ("manager", 403), ("staff", 403), ("reviewer2", 404), ("admin", 200)],
)
def test_a_plans_full_history_is_for_those_who_oversee_its_branch(client, demo, username, status):
    client.force_login(demo[username])
    response = client.get(reverse("audit:plan_history", args=[demo["plan"].pk]))
    assert response.status_code == status
    if status == 200:  # the CSV link only where the log's CSV answers
        offered = reverse("audit:log_csv") in response.content.decode()
        assert offered == (client.get(reverse("audit:log_csv")).status_code == 200)


@pytest.mark.parametrize(("username", "status"), [("reviewer", 403), ("manager", 404)])
def test_the_banks_log_is_head_offices_alone(client, demo, username, status):
    client.force_login(demo[username])
    assert client.get(reverse("audit:log")).status_code == status
    assert client.get(reverse("audit:log_csv")).status_code == status


def test_an_admin_change_is_filed_under_the_unit_it_concerns(demo):
    plan = demo["plan"]
    membership = plan.branch.memberships.first()
    assert _unit_code(plan.branch) == plan.branch.code
    assert _unit_code(membership) == plan.branch.code
    assert _unit_code(plan) == plan.branch.code
    assert _unit_code(plan.cycle) == ""  # the whole bank's
