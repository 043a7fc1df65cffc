"""Background work of the review: a version's PDF, made after the transition commits.

The transition only records a VersionPdf row as pending and enqueues this task on
commit, so submitting or approving never waits for WeasyPrint. The task renders from the
version's snapshot, in the bank's language (not whoever clicked), within PDF_TIMEOUT (in
a worker process it can kill), and tries again up to PDF_ATTEMPTS times: the database
backend has no retries of its own.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from bankplan.documents.rendering import render_version_pdf

from .models import VersionPdf

logger = logging.getLogger(__name__)

# A failure may be passing (a worker killed, the machine overloaded): wait before retrying.
RETRY_DELAY = timedelta(seconds=30)


class PdfNotMade(Exception):
    """Every attempt failed; the task is marked failed for the admins to see."""


def _claim(pdf_id: int) -> VersionPdf | None:
    """Count the attempt before rendering, so a worker killed mid-render still used it up."""
    with transaction.atomic():
        pdf = (
            VersionPdf.objects.select_for_update(of=("self",))
            .select_related("version__plan__cycle", "version__plan__branch")
            .filter(pk=pdf_id)
            .first()
        )
        if pdf is None or pdf.state == VersionPdf.State.READY:
            return None
        pdf.attempts += 1
        pdf.save(update_fields=["attempts"])
    return pdf


def _file_name(pdf: VersionPdf) -> str:
    plan = pdf.version.plan
    return f"{plan.cycle.year}-{plan.branch.code}-v{pdf.version.number}-{pdf.kind}.pdf"


def store_version_pdf(pdf: VersionPdf) -> str:
    """Render the PDF and store it as ready, here and now; raises whatever rendering or
    storage raised. ``pdf.version`` comes with its plan's cycle and branch. The PDF packs
    call it too, so that what they render is kept for the next reader."""
    content = render_version_pdf(
        pdf.version,
        approved=pdf.kind == VersionPdf.Kind.APPROVED,
        language=settings.LANGUAGE_CODE,
    )
    pdf.file.save(_file_name(pdf), ContentFile(content), save=False)
    VersionPdf.objects.filter(pk=pdf.pk).update(
        file=pdf.file.name, state=VersionPdf.State.READY, rendered_at=timezone.now(), error=""
    )
    return pdf.file.name


@task()
def make_version_pdf(pdf_id: int) -> str:
    pdf = _claim(pdf_id)
    if pdf is None:
        return "nothing to do"
    try:
        return store_version_pdf(pdf)
    except Exception as error:  # whatever went wrong, the version must not stay without
        logger.exception("PDF %s of version %s failed", pdf.kind, pdf.version_id)
        return _failed(pdf, error)


def _failed(pdf: VersionPdf, error: Exception) -> str:
    final = pdf.attempts >= settings.PDF_ATTEMPTS
    state = VersionPdf.State.FAILED if final else VersionPdf.State.PENDING
    VersionPdf.objects.filter(pk=pdf.pk).update(
        state=state, error=f"{type(error).__name__}: {error}"[:2000]
    )
    if final:
        raise PdfNotMade(f"PDF {pdf.pk} failed {pdf.attempts} times: {error}") from error
    enqueue_pdf(pdf.pk, delay=RETRY_DELAY)
    return "will retry"


def enqueue_pdf(pdf_id: int, *, delay: timedelta | None = None) -> None:
    """Make the PDF in the background, after ``delay`` where the backend can wait (the
    database one can; the immediate one of the tests runs it at once)."""
    job = make_version_pdf
    if delay and job.get_backend().supports_defer:
        job = job.using(run_after=timezone.now() + delay)
    job.enqueue(pdf_id)
