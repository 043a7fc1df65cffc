"""A plan as a document: context -> HTML -> PDF bytes.

``render_plan_html`` and ``render_plan_pdf`` are the only entry points; the view, the
management command and the benchmarks all call them.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from bankplan.organisation.models import Role
from bankplan.plans.models import Plan, Status
from bankplan.plans.progress import SectionState, load_plan, section_states

from .fetcher import BASE_URL, StaticFilesFetcher
from .workers import RenderFailed, RenderTimeout, WorkerPool

logger = logging.getLogger(__name__)

# Rendering is CPU-bound: at most as many at once as the machine has cores to spare,
# and a request waits at most PDF_TIMEOUT seconds for its turn and its document.
_workers = WorkerPool(settings.PDF_WORKERS)


class RenderError(Exception):
    """The PDF could not be made (too slow, WeasyPrint failed, or its worker died)."""


@dataclass(frozen=True)
class PlanDocument:
    plan: Plan
    states: list[SectionState]
    bank: str
    author: str
    generated_at: datetime
    draft: bool
    language: str
    version: object  # the latest submitted Version, or None for a plan never submitted


def document_context(plan: Plan, *, language: str) -> PlanDocument:
    plan = load_plan(plan)
    head_office = plan.branch.parent.parent
    manager = (
        plan.branch.memberships.filter(role=Role.BRANCH_MANAGER).select_related("user").first()
    )
    return PlanDocument(
        plan=plan,
        states=section_states(plan),
        bank=head_office.name,
        author=str(manager.user) if manager else str(plan.created_by),
        generated_at=timezone.localtime(),
        draft=plan.status != Status.APPROVED,
        language=language,
        version=plan.versions.select_related("approved_by").last(),
    )


def render_plan_html(plan: Plan, *, language: str | None = None) -> str:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        document = document_context(plan, language=language)
        return render_to_string("pdf/plan.html", {"doc": document, "plan": document.plan})


def html_to_pdf(html: str) -> bytes:
    """The PDF itself; runs in a worker process (see workers.py)."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf()


def render_plan_pdf(plan: Plan, *, language: str | None = None) -> bytes:
    html = render_plan_html(plan, language=language)
    try:
        return _workers.render(html, timeout=settings.PDF_TIMEOUT)
    except RenderTimeout as error:
        logger.error("PDF of plan %s took longer than %ss", plan.pk, settings.PDF_TIMEOUT)
        raise RenderError("timeout") from error
    except RenderFailed as error:
        logger.error("PDF of plan %s failed: %s", plan.pk, error)
        raise RenderError(str(error)) from error
    except (EOFError, OSError) as error:  # the worker died mid-render
        logger.exception("PDF worker for plan %s died", plan.pk)
        raise RenderError("worker died") from error


def pdf_filename(plan, state: str) -> str:
    """What the saved file is called: whoever files it can tell the plans apart,
    e.g. ``2027 年度营销计划-丰河县支行-草稿.pdf``."""
    return f"{plan.cycle.name}-{plan.branch.name}-{state}.pdf"
