"""A plan's document, from its live rows or from a version's snapshot.

Both go the same way: the live plan is snapshotted exactly as a submission would freeze
it, and every snapshot is read by ``reader.read``. One truth for every page and the PDF.
"""

from dataclasses import replace

from django.utils import timezone, translation

from bankplan.plancheck.engine import check, options_for
from bankplan.plans.models import Plan, Status

from .document import Document, Facts
from .reader import read
from .snapshot import plan_facts, snapshot_of, upgrade


def _stored_facts(stored: dict) -> dict:
    names = ("bank", "region", "branch", "branch_code", "cycle", "year", "author")
    return {name: stored[name] for name in names if name in stored}


def live_document(plan: Plan, *, language: str, cover: bool = False) -> Document:
    """The plan as it stands, each chapter with what the plan check finds in it (see
    ``Document.findings``). ``plan`` comes from ``progress.load_plan``, so the sections
    cost no query; ``cover`` adds what only a cover shows (the bank, the author, the
    latest version: three queries)."""
    if cover:
        stored = plan_facts(plan)
        version = plan.versions.select_related("approved_by").last()
    else:
        region = plan.branch.parent
        stored = {"region": region.name if region else "", "branch": plan.branch.name}
        stored |= {"branch_code": plan.branch.code, "cycle": plan.cycle.name}
        version = None
    approved = plan.status == Status.APPROVED
    with translation.override(language):
        facts = Facts(
            **_stored_facts(stored),
            status=str(plan.get_status_display()),
            draft=not approved,
            version=version.number if version else None,
            approved_by=str(version.approved_by) if approved and version else "",
            approved_at=version.approved_at if approved and version else None,
            date=timezone.localtime(),
        )
    return with_findings(read(snapshot_of(plan), language=language, facts=facts), plan.cycle)


def with_findings(document: Document, cycle) -> Document:
    """``document`` checked under the cycle's settings, each chapter holding the
    findings that point at it."""
    findings = check(document, **options_for(cycle))
    chapters = tuple(
        replace(chapter, findings=tuple(f for f in findings if f.section == chapter.key))
        for chapter in document.chapters
    )
    return replace(document, chapters=chapters)


def version_document(version, *, language: str, approved: bool | None = None) -> Document:
    """A version as it was submitted (``approved=False``) or approved (``True``; by
    default, whichever it is), from its snapshot alone."""
    if approved is None:
        approved = version.approved_at is not None
    snapshot = upgrade(version.snapshot)
    stored = _stored_facts(snapshot.get("plan", {}))
    if "bank" not in stored:  # schema 1 kept the names of the branch and cycle only
        branch = version.plan.branch
        stored = {
            "bank": branch.parent.parent.name,
            "region": branch.parent.name,
            "branch_code": branch.code,
            "year": version.plan.cycle.year,
            "author": str(version.submitted_by),
        } | stored
    with translation.override(language):
        facts = Facts(
            **stored,
            status=str((Status.APPROVED if approved else Status.SUBMITTED).label),
            draft=not approved,
            version=version.number,
            submitted_by=str(version.submitted_by),
            submitted_at=version.submitted_at,
            approved_by=str(version.approved_by or "") if approved else "",
            approved_at=version.approved_at if approved else None,
            date=version.approved_at if approved and version.approved_at else version.submitted_at,
        )
    return read(snapshot, language=language, facts=facts)
