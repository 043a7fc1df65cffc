"""Every transition, allowed and forbidden, for every role, and what each one records."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bankplan.plans.access import Action, can
from bankplan.plans.models import Plan, Status
from bankplan.reviews import services
from bankplan.reviews.models import AuditEntry, Version

pytestmark = pytest.mark.usefixtures("quick_pdf")

ROLES = ["manager", "staff", "reviewer", "reviewer2", "admin", "manager2"]
# Who may do what, by the plan's state (reviewer2 reviews the other region; manager2
# manages another branch of the same region).
ALLOWED = {
    (Action.SUBMIT, Status.DRAFT): {"manager"},
    (Action.SUBMIT, Status.RETURNED): {"manager"},
    (Action.SUBMIT, Status.SUBMITTED): set(),
    (Action.SUBMIT, Status.APPROVED): set(),
    (Action.RETURN, Status.SUBMITTED): {"reviewer", "admin"},
    (Action.APPROVE, Status.SUBMITTED): {"reviewer", "admin"},
    (Action.RETURN, Status.DRAFT): set(),
    (Action.APPROVE, Status.RETURNED): set(),
    (Action.APPROVE, Status.APPROVED): set(),
    (Action.REOPEN, Status.APPROVED): {"admin"},
    (Action.REOPEN, Status.SUBMITTED): set(),
    (Action.EDIT, Status.DRAFT): {"manager", "staff"},
    (Action.EDIT, Status.RETURNED): {"manager", "staff"},
    (Action.EDIT, Status.SUBMITTED): set(),
    (Action.EDIT, Status.APPROVED): set(),
}


@pytest.mark.parametrize(("action", "status"), list(ALLOWED))
def test_the_rule_table_for_every_role(demo, action, status):
    plan = demo["plan"]
    plan.status = status
    for role in ROLES:
        assert can(demo[role], action, plan) == (role in ALLOWED[action, status]), role


def submit(demo, who="manager"):
    return services.submit_plan(plan_id=demo["plan"].pk, by=demo[who])


def test_submitting_freezes_a_version_with_its_pdf_and_tells_the_reviewer(demo, committed):
    version = committed(services.submit_plan, plan_id=demo["plan"].pk, by=demo["manager"])
    plan = Plan.objects.get(pk=demo["plan"].pk)
    assert plan.status == Status.SUBMITTED
    assert version.number == 1 and version.submitted_by == demo["manager"]
    assert version.snapshot["sections"]["background"]["fields"]["location"]
    assert version.pdfs.get(kind="submitted").file.read().startswith(b"%PDF")
    entry = AuditEntry.objects.get(plan=plan)
    assert (entry.action, entry.from_status, entry.to_status) == ("submitted", "draft", "submitted")
    assert [m.to for m in mail.outbox] == [[demo["reviewer"].email]]
    assert plan.branch.name in mail.outbox[0].subject


def test_an_incomplete_plan_is_not_submitted(demo):
    half = Plan.objects.get(branch__memberships__user__username="manager2")
    with pytest.raises(services.TransitionError):
        services.submit_plan(plan_id=half.pk, by=demo["manager2"])
    assert Plan.objects.get(pk=half.pk).status == Status.DRAFT
    assert not Version.objects.exists() and not mail.outbox


def test_staff_cannot_submit(demo):
    with pytest.raises(services.TransitionError):
        submit(demo, "staff")


def test_a_return_needs_a_reason_and_reaches_the_author(demo, committed):
    submit(demo)
    with pytest.raises(services.TransitionError):
        services.return_plan(plan_id=demo["plan"].pk, by=demo["reviewer"], reason="  ")
    committed(
        services.return_plan, plan_id=demo["plan"].pk, by=demo["reviewer"], reason="目标偏保守"
    )
    assert Plan.objects.get(pk=demo["plan"].pk).status == Status.RETURNED
    assert mail.outbox[-1].to == [demo["manager"].email]
    assert "目标偏保守" in mail.outbox[-1].body


def test_approval_records_the_approver_and_reaches_the_author(demo, committed):
    submit(demo)
    version = committed(services.approve_plan, plan_id=demo["plan"].pk, by=demo["reviewer"])
    assert version.approved_by == demo["reviewer"] and version.approved_at
    assert Plan.objects.get(pk=demo["plan"].pk).status == Status.APPROVED
    assert mail.outbox[-1].to == [demo["manager"].email]


def test_head_office_reopens_an_approved_plan_as_a_draft(demo):
    submit(demo)
    services.approve_plan(plan_id=demo["plan"].pk, by=demo["admin"])
    with pytest.raises(services.TransitionError):
        services.reopen_plan(plan_id=demo["plan"].pk, by=demo["reviewer"], reason="调整")
    services.reopen_plan(plan_id=demo["plan"].pk, by=demo["admin"], reason="总行调整指标")
    assert Plan.objects.get(pk=demo["plan"].pk).status == Status.DRAFT
    assert submit(demo).number == 2


@pytest.mark.parametrize("who", ["reviewer2", "manager2", "staff", "manager"])
def test_only_the_regions_reviewer_or_head_office_decide(demo, who):
    submit(demo)
    for attempt in (services.approve_plan, services.return_plan):
        kwargs = {"reason": "x"} if attempt is services.return_plan else {}
        with pytest.raises(services.TransitionError):
            attempt(plan_id=demo["plan"].pk, by=demo[who], **kwargs)
    assert Plan.objects.get(pk=demo["plan"].pk).status == Status.SUBMITTED


def test_a_stale_page_changes_nothing(demo):
    submit(demo)
    services.approve_plan(plan_id=demo["plan"].pk, by=demo["admin"])
    with translation.override("en"), pytest.raises(services.TransitionError, match="changed"):
        services.return_plan(
            plan_id=demo["plan"].pk,
            by=demo["reviewer"],
            reason="晚了",
            expected_status=Status.SUBMITTED,
        )
    assert Plan.objects.get(pk=demo["plan"].pk).status == Status.APPROVED


def test_editing_the_draft_never_changes_a_version(demo, client):
    version = submit(demo)
    frozen = dict(version.snapshot)
    services.return_plan(plan_id=demo["plan"].pk, by=demo["reviewer"], reason="请细化")
    background = demo["plan"].background
    background.location = "新的地址"
    background.save()
    version.refresh_from_db()
    assert version.snapshot == frozen
    assert version.snapshot["sections"]["background"]["fields"]["location"] != "新的地址"


def test_history_is_append_only(demo):
    submit(demo)
    entry = AuditEntry.objects.get()
    entry.reason = "rewritten"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert AuditEntry.objects.get().reason == ""


def test_the_submit_page_lists_what_is_missing_with_links(client, demo):
    half = Plan.objects.get(branch__memberships__user__username="manager2")
    client.force_login(demo["manager2"])
    response = client.get(reverse("reviews:submit", args=[half.pk]))
    html = response.content.decode()
    assert response.context["missing"]
    assert reverse("plans:section", args=[half.pk, "swot"]) + "#" in html
    client.post(reverse("reviews:submit", args=[half.pk]), {"status": "draft"})
    assert Plan.objects.get(pk=half.pk).status == Status.DRAFT


def test_submitting_through_the_pages(client, demo):
    plan = demo["plan"]
    client.force_login(demo["manager"])
    overview = client.get(reverse("plans:overview", args=[plan.pk])).content.decode()
    assert reverse("reviews:submit", args=[plan.pk]) in overview
    response = client.post(reverse("reviews:submit", args=[plan.pk]), {"status": "draft"})
    assert response["Location"] == reverse("plans:overview", args=[plan.pk])
    assert Plan.objects.get(pk=plan.pk).status == Status.SUBMITTED
    # the author now reads a frozen plan
    assert client.get(reverse("plans:section", args=[plan.pk, "swot"])).status_code == 403


def test_returning_through_the_pages_requires_a_reason(client, demo):
    submit(demo)
    plan = demo["plan"]
    client.force_login(demo["reviewer"])
    url = reverse("reviews:return", args=[plan.pk])
    response = client.post(url, {"status": "submitted", "reason": ""})
    assert response.status_code == 200 and response.context["form"].has_error("reason")
    assert client.post(url, {"status": "submitted", "reason": "请补充"}).status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == Status.RETURNED


@pytest.mark.parametrize(
    "name", ["reviews:return", "reviews:approve", "reviews:reopen", "reviews:submit"]
)
def test_transition_pages_of_another_region_are_404(client, demo, name):
    client.force_login(demo["reviewer2"])
    assert client.get(reverse(name, args=[demo["plan"].pk])).status_code == 404
