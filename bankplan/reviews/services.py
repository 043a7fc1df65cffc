"""The review workflow: every change of a plan's status is one function here.

Each one locks the plan row, checks who may do it in the plan's current state (the
table in ``plans.access``), writes the history entry, and only after the transaction
commits sends mail and enqueues the version's PDF (``tasks.py``): the lock is held for
the state change, the snapshot and the history, never for a render. A refused
transition raises TransitionError and changes nothing.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bankplan.audit import record
from bankplan.headoffice.figures import record_figures
from bankplan.plancheck.engine import blocking, check_plan
from bankplan.plans.access import Action, can
from bankplan.plans.models import Plan, Status
from bankplan.plans.progress import load_plan

from . import notifications, tasks
from .models import AuditEntry, Comment, Thread, Version, VersionPdf
from .snapshots import snapshot_plan


class TransitionError(Exception):
    """A transition that is not allowed now; the message says why, for the user."""


def _locked(plan_id: int, *, by, action: Action, expected_status: str | None) -> Plan:
    # Lock the plan row only: the joined unit rows are read, not changed.
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("cycle", "branch__parent", "branch__region__parent")
        .get(pk=plan_id)
    )
    if expected_status is not None and plan.status != expected_status:
        raise TransitionError(
            _(
                "The plan changed while you were looking at it: it is now “%(status)s”. "
                "Nothing was done; please check it again."
            )
            % {"status": plan.get_status_display()}
        )
    if plan.cycle.is_closed:
        raise TransitionError(
            _("“%(cycle)s” is closed: its plans can no longer change.") % {"cycle": plan.cycle}
        )
    if not can(by, action, plan):
        raise TransitionError(
            _("You cannot do this while the plan is “%(status)s”.")
            % {"status": plan.get_status_display()}
        )
    return plan


def _move(plan: Plan, *, to: Status, action, by, version=None, reason="") -> AuditEntry:
    entry = AuditEntry.objects.create(
        plan=plan,
        version=version,
        action=action,
        from_status=plan.status,
        to_status=to,
        actor=by,
        reason=reason,
    )
    record.event(
        record.Action(action),
        by=by,
        plan=plan,
        version=version.number if version else None,
        detail=reason,
    )
    plan.status = to
    plan.save(update_fields=["status", "updated_at"])
    return entry


def _request_pdf(version: Version, kind: VersionPdf.Kind) -> None:
    """Record the PDF as pending; a task renders it once the transition has committed."""
    pdf = VersionPdf.objects.create(version=version, kind=kind)
    transaction.on_commit(lambda: tasks.enqueue_pdf(pdf.pk))


def submit_plan(*, plan_id: int, by, expected_status: str | None = None) -> Version:
    with transaction.atomic():
        plan = _locked(plan_id, by=by, action=Action.SUBMIT, expected_status=expected_status)
        # Checked and frozen from one read of the plan, under the lock.
        loaded = load_plan(plan)
        if blocking(check_plan(loaded, loaded=True)):
            raise TransitionError(
                _("The plan is not complete yet; see the list of what is missing.")
            )
        # The plan row is locked, so no other submission can take the same number; the
        # unique constraint stands behind it all the same.
        number = (plan.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = Version.objects.create(
            plan=plan, number=number, snapshot=snapshot_plan(loaded, loaded=True), submitted_by=by
        )
        _move(plan, to=Status.SUBMITTED, action=AuditEntry.Action.SUBMITTED, by=by, version=version)
        _request_pdf(version, VersionPdf.Kind.SUBMITTED)
        record_figures(version, loaded.cycle.kpis.all())
        transaction.on_commit(lambda: notifications.plan_submitted(version))
    return version


def return_plan(*, plan_id: int, by, reason: str, expected_status: str | None = None) -> AuditEntry:
    reason = reason.strip()
    if not reason:
        raise TransitionError(_("Say why the plan goes back, so the branch knows what to revise."))
    with transaction.atomic():
        plan = _locked(plan_id, by=by, action=Action.RETURN, expected_status=expected_status)
        entry = _move(
            plan,
            to=Status.RETURNED,
            action=AuditEntry.Action.RETURNED,
            by=by,
            version=plan.versions.last(),
            reason=reason,
        )
        transaction.on_commit(lambda: notifications.plan_returned(plan, entry))
    return entry


def approve_plan(*, plan_id: int, by, expected_status: str | None = None) -> Version:
    with transaction.atomic():
        plan = _locked(plan_id, by=by, action=Action.APPROVE, expected_status=expected_status)
        version = plan.versions.last()
        version.approved_by, version.approved_at = by, timezone.now()
        version.save(update_fields=["approved_by", "approved_at"])
        _move(plan, to=Status.APPROVED, action=AuditEntry.Action.APPROVED, by=by, version=version)
        # The filed document, with the approval block and no DRAFT mark; the PDF as
        # submitted stays beside it.
        _request_pdf(version, VersionPdf.Kind.APPROVED)
        transaction.on_commit(lambda: notifications.plan_approved(plan, version))
    return version


def reopen_plan(*, plan_id: int, by, reason: str, expected_status: str | None = None) -> AuditEntry:
    reason = reason.strip()
    if not reason:
        raise TransitionError(_("Say why the approved plan is reopened."))
    with transaction.atomic():
        plan = _locked(plan_id, by=by, action=Action.REOPEN, expected_status=expected_status)
        return _move(
            plan,
            to=Status.DRAFT,
            action=AuditEntry.Action.REOPENED,
            by=by,
            version=plan.versions.last(),
            reason=reason,
        )


def row_label(version: Version, section: str, row_key: str) -> str:
    """The name of row ``table:key`` of a section in a version; ValueError if none."""
    table, _sep, key = row_key.partition(":")
    rows = version.snapshot["sections"].get(section, {}).get("tables", {}).get(table, [])
    for row in rows:
        if row["key"] == key:
            return row["label"]
    raise ValueError(row_key)


def add_comment(
    *,
    plan: Plan,
    by,
    body: str,
    section: str = "",
    row_key: str = "",
    thread: Thread | None = None,
) -> Comment:
    """Open a thread on a section (or one of its rows, ``table:key``) of the latest
    version, or reply to a thread."""
    body = body.strip()
    if not body:
        raise TransitionError(_("Write something before sending."))
    if not can(by, Action.COMMENT, plan):
        raise TransitionError(_("You cannot comment on this plan now."))
    with transaction.atomic():
        if thread is None:
            version = plan.versions.last()
            if version is None:
                raise TransitionError(_("Comments are made on a submitted version."))
            try:
                label = row_label(version, section, row_key) if row_key else ""
            except ValueError:
                raise TransitionError(_("That row is not in the submitted version.")) from None
            thread = Thread.objects.create(
                plan=plan,
                version=version,
                section=section,
                row_key=row_key,
                row_label=label,
                created_by=by,
            )
        elif thread.is_resolved:
            raise TransitionError(_("This thread is resolved."))
        record.event(
            record.Action.COMMENTED,
            by=by,
            plan=plan,
            section=thread.section,
            version=thread.version.number,
            detail=body,
        )
        return Comment.objects.create(thread=thread, author=by, body=body)


def resolve_thread(*, thread: Thread, by) -> None:
    if not can(by, Action.RESOLVE, thread.plan):
        raise TransitionError(_("Only the reviewer marks a thread resolved."))
    with transaction.atomic():
        resolved = Thread.objects.filter(pk=thread.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=by
        )
        if resolved:
            record.event(record.Action.RESOLVED, by=by, plan=thread.plan, section=thread.section)
