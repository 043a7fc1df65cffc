"""A plan as a document: document -> HTML -> PDF bytes.

``render_plan_html``/``render_plan_pdf`` render the live plan (the draft download);
``render_version_html``/``render_version_pdf`` render a version from its snapshot alone,
as submitted or as approved. The views, the tasks, the management command and the
benchmarks all call them.
"""

import logging
import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from bankplan.plans.models import Plan
from bankplan.plans.progress import load_plan

from .build import live_document, version_document
from .document import Document
from .fetcher import BASE_URL, StaticFilesFetcher
from .tagging import VARIANT, margins_as_artifacts
from .workers import RenderFailed, RenderTimeout, WorkerPool

logger = logging.getLogger(__name__)

# Rendering is CPU-bound: at most as many at once as the machine has cores to spare,
# and a request waits at most PDF_TIMEOUT seconds for its turn and its document.
_workers = WorkerPool(settings.PDF_WORKERS)


# The last guard, never reached by a plan the forms accept: the forms hold every section
# to its text budget (plans/sections/budget.py) and every table to MAX_ROWS rows, and
# MAX_CHARACTERS stays above the most text such a plan shows (the budgets, plus the
# document's own words and the figures and choices of every row; checked in
# tests/plans/test_budget.py, in both languages). A document over it (say a version made
# before the budgets) is refused at once instead of holding a render worker for
# PDF_TIMEOUT and failing then. Measured with benchmarks/worst_case_pdf.py on the 2-core
# machine (more in budget.py): the worst case the forms accept shows 93,400 characters
# (103,100 in English) on 143 pages and renders in 13-29 s alone, 30-44 s two at once
# (issue 11). Since issue 12 every row may name the rows it links to (strategies,
# segments, products) and client managers have targets of their own: 108,300 characters
# (120,400 in English) on 215 pages, 28-30 s alone (--spread cells, one render each).
MAX_CHARACTERS = 140_000
_MARKUP = re.compile(r"<style.*?</style>|<[^>]*>|\s+", re.DOTALL)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


class RenderError(Exception):
    """The PDF could not be made (too slow, WeasyPrint failed, or its worker died)."""


class TooLong(RenderError):
    """The document has more text than can be set within PDF_TIMEOUT."""


def text_length(html: str) -> int:
    """The characters a reader sees, less the spaces: an escaped character (``&amp;``)
    counts once, as it was typed and counted by the budget."""
    return len(_ENTITY.sub("&", _MARKUP.sub("", html)))


def _html(document: Document) -> str:
    with translation.override(document.language):
        return render_to_string("pdf/plan.html", {"doc": document})


def render_plan_html(plan: Plan, *, language: str | None = None) -> str:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return _html(live_document(load_plan(plan), language=language, cover=True))


def render_version_html(version, *, approved: bool, language: str) -> str:
    """The version as submitted, or as approved (the approval block, no DRAFT mark)."""
    return _html(version_document(version, approved=approved, language=language))


def html_to_pdf(html: str) -> bytes:
    """The PDF itself, tagged for accessibility (see tagging.py); runs in a worker
    process (see workers.py)."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher())
    return document.write_pdf(pdf_variant=VARIANT, finisher=margins_as_artifacts)


def _pdf(html: str, what: str) -> bytes:
    if (length := text_length(html)) > MAX_CHARACTERS:
        logger.error("PDF of %s refused: %s characters of text", what, length)
        raise TooLong(length)
    try:
        return _workers.render(html, timeout=settings.PDF_TIMEOUT)
    except RenderTimeout as error:
        logger.error("PDF of %s took longer than %ss", what, settings.PDF_TIMEOUT)
        raise RenderError("timeout") from error
    except RenderFailed as error:
        logger.error("PDF of %s failed: %s", what, error)
        raise RenderError(str(error)) from error
    except (EOFError, OSError) as error:  # the worker died mid-render
        logger.exception("PDF worker for %s died", what)
        raise RenderError("worker died") from error


def render_plan_pdf(plan: Plan, *, language: str | None = None) -> bytes:
    return _pdf(render_plan_html(plan, language=language), f"plan {plan.pk}")


def render_version_pdf(version, *, approved: bool, language: str) -> bytes:
    html = render_version_html(version, approved=approved, language=language)
    return _pdf(html, f"version {version.number} of plan {version.plan_id}")


def pdf_filename(plan, state: str) -> str:
    """What the saved file is called: whoever files it can tell the plans apart,
    e.g. ``2027 年度营销计划-丰河县支行-草稿.pdf``."""
    return f"{plan.cycle.name}-{plan.branch.name}-{state}.pdf"
