"""Writing the audit log: one function per kind of thing done. Each writes in the
caller's transaction, so an entry exists exactly when what it records was committed."""

from datetime import timedelta

from django.db.models import prefetch_related_objects
from django.utils import timezone

from bankplan.reviews.diff import diff_section

from .models import MERGE_MINUTES, Action, Event

__all__ = [
    "Action",
    "directory_changed",
    "event",
    "exported",
    "read_rows",
    "section_carried",
    "section_saved",
]


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def plan_subject(plan) -> str:
    return f"{plan.cycle.name} · {plan.branch.code} {plan.branch.name}"


def event(action: Action, *, by, plan=None, **fields) -> Event:
    """An entry about ``plan`` (its branch and name taken from it), or about whatever
    ``fields`` name (``subject``, ``unit_code``, ``detail``...)."""
    fields.setdefault("at", timezone.now())
    fields.setdefault("until", fields["at"])
    if plan is not None:
        fields.setdefault("subject", plan_subject(plan))
        fields.setdefault("unit_code", plan.branch.code)
    return Event.objects.create(action=action, actor=by, actor_name=_name(by), plan=plan, **fields)


def exported(by, filename: str, *, unit=None, action: Action = Action.EXPORTED) -> Event:
    """A file of figures or plans taken out of the app: what it was called, for which unit."""
    return event(
        action,
        by=by,
        unit_code=unit.code if unit else "",
        subject=str(unit) if unit else "",
        detail=filename,
    )


def directory_changed(user, changes: list[tuple[str, str]]) -> list[Event]:
    """What the directory did to ``user``, one entry per (what, unit code) in ``changes``
    and one query for them all: no one acted, so the entries name no actor; each is about
    the user (and the unit of the role it gave or took)."""
    at = timezone.now()
    return Event.objects.bulk_create(
        Event(
            action=Action.DIRECTORY,
            at=at,
            until=at,
            subject=_name(user),
            unit_code=unit_code,
            detail=detail,
        )
        for detail, unit_code in changes
    )


def read_rows(section, content, *, plan):
    """``content`` (of ``plan``, just saved) with its rows read again, and the row each
    points to joined in: a query per table. The rows each links to are the caller's to
    give the snapshot (``Section.snapshot``'s ``links``)."""
    content.__dict__.pop("_prefetched_objects_cache", None)  # rows read earlier: not them
    prefetch_related_objects([content], *section.row_lookups(links=False))
    content.plan = plan  # a KPI table's given figures read the plan: not again
    return content


def _counts(key: str, before: dict, after: dict) -> dict:
    """How many fields and rows changed between two states of one section."""
    diff = diff_section(key, before, after)
    rows = [row.kind for table in diff.tables for row in table.rows]
    return {
        "fields": len(diff.fields),
        "added": rows.count("added"),
        "removed": rows.count("removed"),
        "changed": rows.count("changed"),
    }


def section_saved(*, plan, section, by, revision: int, before: dict, after: dict) -> Event:
    """A save of ``section``: merged into the entry of the same person's last save of it
    when nothing else happened to the section since and that save is under MERGE_MINUTES
    old (the revision and the state after move on, the state before stays); otherwise a
    new entry. Two queries."""
    now = timezone.now()
    last = Event.objects.filter(plan=plan, section=section.key).order_by("-pk").first()
    if (
        last is not None
        and last.action == Action.SECTION_SAVED
        and last.actor_id == by.pk
        and now - last.until <= timedelta(minutes=MERGE_MINUTES)
        and now > last.until
    ):
        last.until = now
        last.revision = revision
        last.state_after = after
        last.changes = _counts(section.key, last.state_before, after)
        last.save(update_fields=["until", "revision", "state_after", "changes"])
        return last
    return event(
        Action.SECTION_SAVED,
        by=by,
        plan=plan,
        section=section.key,
        at=now,
        until=now,
        revision_from=revision,
        revision=revision,
        state_before=before,
        state_after=after,
        changes=_counts(section.key, before, after),
    )


def section_carried(*, plan, section, by, before: dict, after: dict, detail: str) -> Event:
    """A section of a plan rolled forward, written at once from an earlier plan: a save
    from ``before`` (the empty section) to ``after``, saying in ``detail`` where it came
    from. The author's next save within MERGE_MINUTES merges into it, as saves do. One
    query."""
    return event(
        Action.SECTION_SAVED,
        by=by,
        plan=plan,
        section=section.key,
        revision_from=0,
        revision=0,
        state_before=before,
        state_after=after,
        changes=_counts(section.key, before, after),
        detail=detail,
    )
