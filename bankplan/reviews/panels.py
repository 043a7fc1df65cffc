"""What the plan's own pages show of its review: versions, history, comment threads."""

from typing import NamedTuple

from django.db.models import Prefetch

from bankplan.plans.access import allowed_actions

from .models import AuditAction, Comment, Version

REVIEWED = {AuditAction.RETURNED, AuditAction.APPROVED}


class SectionThreads(NamedTuple):
    """One chapter of a version with its comment threads, as the review screen lists it."""

    chapter: object
    threads: list
    open: int


def review_context(plan, user) -> dict:
    threads = plan.threads.select_related("version", "resolved_by").prefetch_related(
        Prefetch("comments", queryset=Comment.objects.select_related("author"))
    )
    by_section = {}
    open_by_section = {}
    for thread in threads:
        by_section.setdefault(thread.section, []).append(thread)
        if not thread.is_resolved:
            open_by_section[thread.section] = open_by_section.get(thread.section, 0) + 1
    return {
        "actions": allowed_actions(user, plan),
        "versions": list(plan.versions.select_related("submitted_by", "approved_by")),
        "history": list(plan.audit_entries.select_related("actor", "version")),
        "threads_by_section": by_section,
        # The stepper marks sections that still carry open comments (progress.html).
        "open_threads_by_section": open_by_section,
    }


def section_threads(chapters, threads_by_section: dict) -> list[SectionThreads]:
    rows = []
    for chapter in chapters:
        threads = threads_by_section.get(chapter.key, [])
        rows.append(SectionThreads(chapter, threads, sum(not t.is_resolved for t in threads)))
    return rows


def last_reviewed(versions: list[Version], history: list, before: int) -> Version | None:
    """The latest version before number ``before`` that a reviewer returned or approved:
    what a reviewer compares a resubmission with. Failing that, the version before."""
    reviewed = {entry.version_id for entry in history if entry.action in REVIEWED}
    earlier = [version for version in versions if version.number < before]
    if not earlier:
        return None
    return next((v for v in reversed(earlier) if v.pk in reviewed), earlier[-1])
