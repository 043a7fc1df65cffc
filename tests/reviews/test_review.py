"""Comment threads, version comparison, the queue, reminders and stored PDFs."""

import datetime
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bankplan.lib import figures
from bankplan.organisation.models import Membership, Unit
from bankplan.plans.models import Cycle, Plan, Status
from bankplan.plans.sections.products import KpiTarget
from bankplan.plans.sections.registry import SECTIONS
from bankplan.plans.sections.swot import SwotItem
from bankplan.reviews import services, tasks
from bankplan.reviews.diff import diff_snapshots, marked_diff
from bankplan.reviews.models import Thread, VersionPdf

pytestmark = pytest.mark.usefixtures("quick_pdf")


@pytest.fixture
def submitted(demo):
    services.submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
    return demo


def test_a_reviewer_comments_on_a_section_and_on_a_row(client, submitted):
    plan = submitted["plan"]
    client.force_login(submitted["reviewer"])
    page = client.get(reverse("reviews:version", args=[plan.pk, 1]))
    assert page.status_code == 200
    row = next(key for key, _label in page.context["sections"][1][0].row_choices)
    url = reverse("reviews:comment", args=[plan.pk])
    client.post(url, {"section": "swot", "body": "优势写得太笼统"})
    client.post(url, {"section": "swot", "row": row, "body": "这一条请量化"})
    whole, on_row = Thread.objects.order_by("pk")
    assert (whole.section, whole.row_key) == ("swot", "")
    assert on_row.row_key == row and on_row.row_label
    assert on_row.comments.get().body == "这一条请量化"


def test_a_row_that_is_not_in_the_version_is_refused(submitted):
    with pytest.raises(services.TransitionError):
        services.add_comment(
            plan=submitted["plan"],
            by=submitted["reviewer"],
            body="?",
            section="swot",
            row_key="items:999999",
        )


def test_the_author_answers_in_the_thread_and_the_reviewer_resolves_it(client, submitted):
    plan = submitted["plan"]
    comment = services.add_comment(
        plan=plan, by=submitted["reviewer"], body="请补充竞争对手份额", section="background"
    )
    thread = comment.thread
    services.return_plan(plan_id=plan.pk, by=submitted["reviewer"], reason="见批注")
    client.force_login(submitted["manager"])
    # the author sees the comment where they edit the section
    page = client.get(reverse("plans:section", args=[plan.pk, "background"]))
    assert "请补充竞争对手份额" in page.content.decode()
    client.post(
        reverse("reviews:comment", args=[plan.pk]),
        {"thread": thread.pk, "body": "已补充三家同业份额"},
    )
    assert thread.comments.count() == 2
    # only the reviewer resolves
    client.post(reverse("reviews:resolve", args=[plan.pk, thread.pk]))
    thread.refresh_from_db()
    assert not thread.is_resolved
    client.force_login(submitted["reviewer"])
    client.post(reverse("reviews:resolve", args=[plan.pk, thread.pk]))
    thread.refresh_from_db()
    assert thread.is_resolved and thread.resolved_by == submitted["reviewer"]
    with pytest.raises(services.TransitionError):
        services.add_comment(plan=plan, by=submitted["manager"], body="再补充", thread=thread)


def test_nobody_outside_comments(client, submitted):
    client.force_login(submitted["reviewer2"])
    response = client.post(
        reverse("reviews:comment", args=[submitted["plan"].pk]), {"section": "swot", "body": "x"}
    )
    assert response.status_code == 404
    assert not Thread.objects.exists()


def test_versions_compare_section_by_section(client, submitted):
    plan = submitted["plan"]
    services.return_plan(plan_id=plan.pk, by=submitted["reviewer"], reason="目标偏低")
    background = plan.background
    background.location = background.location + "（新址）"
    background.save()
    target = KpiTarget.objects.get(products=plan.products, kpi__code="deposits_total")
    old_target = target.target
    target.target += 1000
    target.q4 += 1000
    target.save()
    SwotItem.objects.create(swot=plan.swot, kind="T", text="新增的威胁", priority="high")
    removed = SwotItem.objects.filter(swot=plan.swot, kind="S").first()
    removed_text = removed.text
    removed.delete()
    services.submit_plan(plan_id=plan.pk, by=submitted["manager"])

    versions = list(plan.versions.all())
    diffs = {d.key: d for d in diff_snapshots(versions[0].snapshot, versions[1].snapshot)}
    assert "channels" not in diffs  # only what changed
    location = diffs["background"].fields[0]
    assert "<ins>（新址）</ins>" in location.marked
    rows = {row.kind: row for table in diffs["swot"].tables for row in table.rows}
    assert rows["added"].label.endswith("新增的威胁")
    assert rows["removed"].label.startswith("S")
    deposits = next(
        r
        for t in diffs["products"].tables
        for r in t.rows
        if r.kind == "changed" and any(c.delta for c in r.changes)
    )
    change = next(c for c in deposits.changes if c.label in {"本年目标", "This year's target"})
    assert change.delta == 1000 and change.old == figures.wan(old_target)
    assert change.delta_shown == "+1,000.00"

    client.force_login(submitted["reviewer"])
    page = client.get(reverse("reviews:compare", args=[plan.pk]))
    assert "新增的威胁" in page.content.decode()
    # each changed section under its number and title, as in the plan
    assert "1. 背景与现状分析" in page.content.decode()
    # the reviewer sees at a glance what changed since the version they reviewed
    page = client.get(reverse("reviews:version", args=[plan.pk, 2]))
    assert page.context["changes"] and "（新址）" in page.content.decode()
    assert removed_text[:10] in page.content.decode()


def test_text_diff_marks_characters_and_escapes():
    assert marked_diff("存款增长", "贷款增长") == "<del>存</del><ins>贷</ins>款增长"
    assert "&lt;b&gt;" in marked_diff("a", "<b>")
    # a text written anew is read whole, not as single characters kept here and there
    rewritten = marked_diff("青峰市城关镇人民中路 118 号", "开发区创业大道 8 号")
    assert rewritten == "<del>青峰市城关镇人民中路 118 号</del> → <ins>开发区创业大道 8 号</ins>"


def test_the_queue_lists_waiting_plans_oldest_first(client, submitted, cycle_plans):
    # Submitted 2, 9 and 5 days ago: the queue shows the 9-day one first.
    now = timezone.now()
    for plan, days in zip([submitted["plan"], *cycle_plans], [2, 9, 5], strict=True):
        plan.versions.update(submitted_at=now - datetime.timedelta(days=days))
    client.force_login(submitted["reviewer"])
    rows = client.get(reverse("reviews:queue")).context["rows"]
    assert [(plan.pk, days) for plan, days in rows] == [
        (cycle_plans[0].pk, 9),
        (cycle_plans[1].pk, 5),
        (submitted["plan"].pk, 2),
    ]
    other = client.get(reverse("reviews:queue"), {"status": "approved"})
    assert list(other.context["rows"]) == []


def test_the_queue_filters_by_region(client, submitted, cycle_plans):
    region = submitted["plan"].branch.parent
    client.force_login(submitted["admin"])
    mine = client.get(reverse("reviews:queue"), {"unit": region.pk}).context["rows"]
    assert len(mine) == 3
    other = Unit.objects.filter(kind="region").exclude(pk=region.pk).get()
    assert list(client.get(reverse("reviews:queue"), {"unit": other.pk}).context["rows"]) == []


def test_a_reviewer_never_sees_another_regions_plans_in_the_queue(client, submitted):
    client.force_login(submitted["reviewer2"])
    assert list(client.get(reverse("reviews:queue")).context["rows"]) == []


def test_comparing_needs_two_versions(client, submitted):
    client.force_login(submitted["reviewer"])
    assert client.get(reverse("reviews:compare", args=[submitted["plan"].pk])).status_code == 404


def submitted_plan_of(demo, username):
    """A plan of ``username``'s branch, waiting in the queue with one version."""
    user = demo[username]
    branch = Unit.objects.get(memberships__user=user)
    plan, _ = Plan.objects.get_or_create(
        cycle=demo["plan"].cycle, branch=branch, defaults={"created_by": user}
    )
    plan.versions.create(number=1, snapshot={"sections": {}}, submitted_by=user)
    Plan.objects.filter(pk=plan.pk).update(status=Status.SUBMITTED)
    return plan


@pytest.fixture
def cycle_plans(submitted):
    return [submitted_plan_of(submitted, name) for name in ("manager2", "manager3")]


def test_the_queue_costs_the_same_queries_however_many_plans(client, submitted):
    client.force_login(submitted["admin"])
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reviews:queue"))
    for name in ("manager2", "manager3", "manager4", "manager5"):
        submitted_plan_of(submitted, name)
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("reviews:queue"))
    assert len(response.context["rows"]) == 5
    assert len(five) == len(one)


def test_reminders_go_to_branches_that_have_not_submitted(demo, committed):
    cycle = Cycle.objects.get()
    Cycle.objects.filter(pk=cycle.pk).update(deadline=datetime.date.today() + datetime.timedelta(3))
    call_command("send_deadline_reminders", verbosity=0)
    reminded = {address for message in mail.outbox for address in message.to}
    not_started = Membership.objects.get(unit__code="R01-03", role="branch_manager").user
    assert demo["manager"].email in reminded and not_started.email in reminded
    # Head office extended the deadline of manager6's branch by weeks: not due yet.
    assert demo["manager6"].email not in reminded
    mail.outbox.clear()
    committed(services.submit_plan, plan_id=demo["plan"].pk, by=demo["manager"])
    mail.outbox.clear()
    call_command("send_deadline_reminders", verbosity=0)
    reminded = {address for message in mail.outbox for address in message.to}
    assert demo["manager"].email not in reminded and demo["manager2"].email in reminded


def test_no_reminders_long_before_the_deadline(demo):
    Cycle.objects.update(deadline=datetime.date.today() + datetime.timedelta(30))
    call_command("send_deadline_reminders", "--days", "7", verbosity=0)
    assert not mail.outbox


def test_a_versions_pdf_is_served_from_storage(client, submitted):
    plan = submitted["plan"]
    tasks.make_version_pdf.call(VersionPdf.objects.get(version__plan=plan).pk)
    client.force_login(submitted["reviewer"])
    url = reverse("reviews:version_pdf", args=[plan.pk, 1, "submitted"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        quote(f"{plan.cycle.name}-{plan.branch.name}-第 1 版.pdf")
        in response["Content-Disposition"]
    )
    client.force_login(submitted["reviewer2"])
    assert client.get(url).status_code == 404


def test_the_overview_shows_the_history(client, submitted):
    services.return_plan(
        plan_id=submitted["plan"].pk, by=submitted["reviewer"], reason="请细化渠道"
    )
    client.force_login(submitted["staff"])
    html = client.get(reverse("plans:overview", args=[submitted["plan"].pk])).content.decode()
    assert "请细化渠道" in html
    assert reverse("reviews:version", args=[submitted["plan"].pk, 1]) in html


def test_a_snapshot_row_holds_what_the_author_filled_in(submitted):
    snapshot = submitted["plan"].versions.get().snapshot
    assert snapshot["schema"] == 2
    assert snapshot["plan"]["branch"] == submitted["plan"].branch.name
    sections = snapshot["sections"]
    for section in SECTIONS:
        for table in section.tables:
            rows = sections[section.key]["tables"][table.name]
            assert rows, (section.key, table.name)
            kept = {"key", "label", "labels", "values"} | ({"kpi"} if table.fixed else set())
            assert set(rows[0]) == kept
            assert set(rows[0]["values"]) == set(table.columns)
            assert table.formset.fk.name not in rows[0]["values"]


def test_a_version_writes_figures_in_their_units(client, submitted):
    plan = submitted["plan"]
    services.return_plan(plan_id=plan.pk, by=submitted["reviewer"], reason="不良率再压一压")
    KpiTarget.objects.filter(products=plan.products, kpi__code="npl_ratio").update(
        target="1.20", q4="1.20"
    )
    services.submit_plan(plan_id=plan.pk, by=submitted["manager"])
    client.force_login(submitted["reviewer"])
    page = client.get(reverse("reviews:version", args=[plan.pk, 2]))

    targets = page.context["doc"].chapter("products").parts["targets"]
    cells = {
        row.key: [row.kpi.name, row.kpi.unit, *(c.shown for c in row.cells)] for row in targets.rows
    }
    assert cells["npl_ratio"][:3] == ["不良贷款率", "%", "1.2%"]
    assert cells["customers_new"][1:3] == ["户", "2,600"]  # a count, not 2,600.00
    assert cells["deposits_total"][2] == "58,600.00"
    assert [column.figure for column in targets.columns][:2] == [True, True]
    html = page.content.decode()
    assert '<td class="text-end text-nowrap">58,600.00</td>' in html  # right-aligned
    # the change reads in percentage points, as a banker says it
    npl = next(
        c for d in page.context["changes"] for t in d.tables for r in t.rows for c in r.changes
    )
    assert npl.old == "1.25%" and npl.delta_shown == "-0.05 个百分点"
    assert npl.marked == "<del>1.25%</del> → <ins>1.2%</ins>"  # a figure is read whole


def test_head_office_reads_review_records_in_the_admin_but_cannot_change_them(client, submitted):
    client.force_login(submitted["admin"])
    for name in ("version", "auditentry", "thread"):
        assert client.get(reverse(f"admin:reviews_{name}_changelist")).status_code == 200
    entry = submitted["plan"].audit_entries.get()
    url = reverse("admin:reviews_auditentry_change", args=[entry.pk])
    client.post(url, {"reason": "rewritten"})
    entry.refresh_from_db()
    assert entry.reason == ""


def test_the_review_queue_is_offered_to_reviewers_only(client, demo):
    queue = reverse("reviews:queue")
    for username, offered in [("reviewer", True), ("admin", True), ("manager", False)]:
        client.force_login(demo[username])
        html = client.get(reverse("plans:list")).content.decode()
        assert (queue in html) == offered, username
