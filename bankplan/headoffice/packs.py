"""PDF packs: many plans' PDFs in one download, a ZIP or (for one unit) a PDF book.

Requesting a pack records one item per plan and enqueues ``start_pack`` on the packs
queue; it enqueues one ``make_pack_item`` per item, so that every worker serving the queue
takes a share. An item reuses its version's stored PDF or renders it (and stores it for
the next reader); a plan that fails is reported, never fails the pack. The item that
completes the pack enqueues ``assemble_pack``, which writes the ZIP or the book.

The tasks run on a queue of their own ("packs", served by workers of their own): a
bank-wide pack never delays the PDF of a plan just submitted.
"""

import io
import logging
import tempfile
import zipfile
from collections.abc import Iterator
from itertools import batched

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader

from bankplan.documents.book import TaggedBook
from bankplan.documents.rendering import html_to_pdf
from bankplan.organisation.models import Unit
from bankplan.organisation.scope import scope_of
from bankplan.plans.models import Cycle, Plan, Status
from bankplan.reviews import tasks as version_tasks
from bankplan.reviews.models import Version, VersionPdf

from .models import Pack, PackItem
from .rollup import within

logger = logging.getLogger(__name__)

QUEUE = "packs"
# Rows written or read at a time: a bank-wide pack has one item per branch (20,000).
BATCH = 500


def request_pack(
    *, user, cycle: Cycle, unit: Unit | None, status: str, search: str = "", format: str
) -> Pack:
    """A pack of the plans of ``cycle`` in ``status`` below ``unit`` (None: the whole bank,
    for head office only) that the user may see, whose branch code or name contains
    ``search``; built in the background. ValidationError when no plan matches."""
    scope = scope_of(user)
    if unit is not None and unit.kind == Unit.Kind.HEAD_OFFICE:
        unit = None
    if not (scope.whole_bank if unit is None else scope.covers(unit)):
        raise PermissionDenied
    if status not in Status.values:
        raise ValidationError(_("Choose the status of the plans."), code="status")
    if format == Pack.Format.BOOK and unit is None:
        raise ValidationError(
            _("A book is made for one region at a time; the whole bank comes as a ZIP."),
            code="book_needs_unit",
        )
    plans = Plan.objects.filter(scope.branch_filter("branch"), cycle=cycle, status=status)
    plans = plans.filter(within(unit, "branch__"))
    if search := search.strip():
        plans = plans.filter(Q(branch__code__icontains=search) | Q(branch__name__icontains=search))
    versions = Version.objects.filter(plan=OuterRef("pk")).order_by("-number")
    if status == Status.APPROVED:
        versions = versions.filter(approved_at__isnull=False)
    rows = (
        plans.annotate(pack_version=Subquery(versions.values("pk")[:1]))
        .filter(pack_version__isnull=False)
        .order_by("branch__code")  # the items' order is the pack's: by branch code
        .values_list("pk", "pack_version")
    )
    with transaction.atomic():
        pack = Pack.objects.create(
            cycle=cycle, unit=unit, status=status, search=search, format=format, requested_by=user
        )
        for batch in batched(rows.iterator(chunk_size=BATCH), BATCH):
            PackItem.objects.bulk_create(
                PackItem(pack=pack, plan_id=plan, version_id=version) for plan, version in batch
            )
            pack.total += len(batch)
        if not pack.total:
            raise ValidationError(_("No plan matches: the pack would be empty."), code="empty")
        pack.save(update_fields=["total"])
        transaction.on_commit(lambda: _enqueue(start_pack, pack.pk))
    return pack


def _enqueue(job, *args) -> None:
    # The queue is named here, not in @task: a task is checked against the backend when
    # it is defined, and a backend without the packs queue (the tests') must still be
    # able to import this module.
    job.using(queue_name=QUEUE).enqueue(*args)


def resume_stale(requested_before) -> tuple[int, int]:
    """Enqueue again what running packs requested before ``requested_before`` still wait
    for: their pending plans, or the assembly of a pack whose plans are all done. A worker
    killed mid-render, or mid-assembly, leaves such a pack running for ever. Safe to repeat:
    an item counts once however often it runs (``_finish``). (plans, packs) enqueued."""
    stale = Pack.objects.filter(state=Pack.State.RUNNING, requested_at__lt=requested_before)
    items = list(
        PackItem.objects.filter(pack__in=stale, state=PackItem.State.PENDING).values_list(
            "pk", flat=True
        )
    )
    complete = list(stale.filter(done=F("total")).values_list("pk", flat=True))
    for item_id in items:
        _enqueue(make_pack_item, item_id)
    for pack_id in complete:
        _enqueue(assemble_pack, pack_id)
    return len(items), len(complete)


@task()
def start_pack(pack_id: int) -> int:
    """One task per plan, so that several workers share the pack."""
    items = PackItem.objects.filter(pack_id=pack_id, state=PackItem.State.PENDING)
    ids = list(items.values_list("pk", flat=True))  # plain ids: 20,000 are small
    for item_id in ids:
        _enqueue(make_pack_item, item_id)
    return len(ids)


def pdf_kind(version: Version) -> str:
    """The stored PDF a pack takes: the filed document once approved."""
    return VersionPdf.Kind.APPROVED if version.approved_at else VersionPdf.Kind.SUBMITTED


def stored_pdf(version: Version) -> VersionPdf:
    """The version's stored PDF, rendered (and kept for the next reader) only if it is
    not ready or its file has gone; raises whatever rendering raised."""
    pdf, _created = VersionPdf.objects.get_or_create(version=version, kind=pdf_kind(version))
    if pdf.is_ready and pdf.file and pdf.file.storage.exists(pdf.file.name):
        return pdf
    pdf.version = version  # with its plan's cycle and branch, for the file name
    version_tasks.store_version_pdf(pdf)
    return pdf


@task()
def make_pack_item(item_id: int) -> str:
    item = (
        PackItem.objects.select_related("version__plan__cycle", "version__plan__branch")
        .filter(pk=item_id, state=PackItem.State.PENDING)
        .first()
    )
    if item is None:
        return "nothing to do"
    try:
        stored_pdf(item.version)
    except Exception as error:  # one plan's failure is reported in the pack, never fails it
        logger.exception("PDF of version %s for pack %s failed", item.version_id, item.pack_id)
        _finish(item, PackItem.State.FAILED, f"{type(error).__name__}: {error}"[:2000])
        return "failed"
    _finish(item, PackItem.State.READY)
    return "ready"


def _finish(item: PackItem, state: str, error: str = "") -> None:
    with transaction.atomic():
        # Counted once, even if the task ran twice: only the run that moves the item
        # from pending counts it.
        moved = PackItem.objects.filter(pk=item.pk, state=PackItem.State.PENDING).update(
            state=state, error=error
        )
        if not moved:
            return
        Pack.objects.filter(pk=item.pack_id).update(done=F("done") + 1)
        # The UPDATE holds the pack's row until this transaction ends, so no other item
        # counts between it and this read: exactly one item reads done == total.
        done, total = Pack.objects.filter(pk=item.pack_id).values_list("done", "total").get()
        if done == total:
            transaction.on_commit(lambda: _enqueue(assemble_pack, item.pack_id))


@task()
def assemble_pack(pack_id: int) -> str:
    pack = Pack.objects.select_related("cycle", "unit").get(pk=pack_id)
    if pack.state != Pack.State.RUNNING:
        return "nothing to do"
    # The files are the bank's documents, in its language, like the PDFs themselves.
    with translation.override(settings.LANGUAGE_CODE):
        if not pack.items.filter(state=PackItem.State.READY).exists():
            _fail(pack, _("None of the plans' PDFs could be made."))
            return "failed"
        try:
            with tempfile.TemporaryFile() as out:
                (_write_book if pack.format == Pack.Format.BOOK else _write_zip)(pack, out)
                out.seek(0)
                pack.file.save(_stored_name(pack), File(out), save=False)
        except Exception as error:
            logger.exception("Pack %s could not be assembled", pack.pk)
            _fail(pack, f"{type(error).__name__}: {error}"[:2000])
            raise
    Pack.objects.filter(pk=pack.pk).update(
        file=pack.file.name, state=Pack.State.READY, finished_at=timezone.now()
    )
    return pack.file.name


def _fail(pack: Pack, error: str) -> None:
    Pack.objects.filter(pk=pack.pk).update(
        state=Pack.State.FAILED, error=error, finished_at=timezone.now()
    )


def _extension(pack: Pack) -> str:
    return "pdf" if pack.format == Pack.Format.BOOK else "zip"


def _stored_name(pack: Pack) -> str:
    unit = pack.unit.code if pack.unit else "bank"
    return f"{pack.cycle.year}-{unit}-{pack.pk}.{_extension(pack)}"


def download_name(pack: Pack) -> str:
    """e.g. ``2027 年度营销计划-青峰分行.zip``."""
    unit = pack.unit.name if pack.unit else _("whole bank")
    return f"{pack.cycle.name}-{unit}.{_extension(pack)}"


def _safe(name: str) -> str:
    """A name that stays one path segment in a ZIP."""
    return name.replace("/", "-").replace("\\", "-")


def _ready(pack: Pack) -> Iterator[tuple[PackItem, VersionPdf]]:
    """The ready items in order with their stored PDFs, read a batch at a time."""
    items = (
        pack.items.filter(state=PackItem.State.READY)
        .select_related("version", "plan__branch__region")
        .order_by("pk")
    )
    for batch in batched(items.iterator(chunk_size=BATCH), BATCH):
        pdfs = VersionPdf.objects.filter(
            version__in=[item.version_id for item in batch], state=VersionPdf.State.READY
        )
        by_key = {(pdf.version_id, pdf.kind): pdf for pdf in pdfs}
        for item in batch:
            yield item, by_key[(item.version_id, pdf_kind(item.version))]


def _failed(pack: Pack):
    return (
        pack.items.filter(state=PackItem.State.FAILED).select_related("plan__branch").order_by("pk")
    )


def _title(branch: Unit) -> str:
    return f"{branch.code} {branch.name}"


def _write_zip(pack: Pack, out) -> None:
    year = pack.cycle.year
    with zipfile.ZipFile(out, "w") as archive:
        for item, pdf in _ready(pack):
            branch = item.plan.branch
            name = _safe(f"{_title(branch)} {year}.pdf")
            if pack.unit is None and branch.region:  # 20,000 files: a folder per region
                name = f"{_safe(_title(branch.region))}/{name}"
            # PDFs are compressed already: stored as they are.
            with pdf.file.open("rb") as source, archive.open(name, "w") as target:
                while chunk := source.read(1 << 20):
                    target.write(chunk)
        failed = _failed(pack)
        if failed.exists():
            archive.writestr(
                _safe(_("Plans not included")) + ".txt",
                _report(pack, failed),
                compress_type=zipfile.ZIP_DEFLATED,
            )


def _report(pack: Pack, failed) -> str:
    count = failed.count()
    lines = [
        _("%(count)d of %(total)d plans could not be made and are not in this pack:")
        % {"count": count, "total": pack.total},
        "",
    ]
    lines += [f"{_title(item.plan.branch)}: {item.error}" for item in failed.iterator()]
    return "\n".join(lines) + "\n"


def _write_book(pack: Pack, out) -> None:
    """The contents page, then each plan's PDF, with a bookmark per plan (its own
    chapter bookmarks below it)."""
    plans = []
    for item, pdf in _ready(pack):
        with pdf.file.open("rb") as source:
            plans.append((item.plan.branch, pdf.file.name, len(PdfReader(source).pages)))
    contents = PdfReader(io.BytesIO(_contents(pack, plans)))
    # Tagged like its parts, titled and in the language of its contents page.
    book = TaggedBook(title=contents.metadata.title, language=contents.root_object["/Lang"])
    book.append(contents, outline_item=_("Contents"))
    for branch, name, _pages in plans:
        with default_storage.open(name, "rb") as source:
            book.append(PdfReader(source), outline_item=_title(branch))
    book.write(out)


def _contents(pack: Pack, plans: list[tuple[Unit, str, int]]) -> bytes:
    """The contents page(s): each plan's first page in the book. Rendered once assuming
    one page of contents, again if it took more (page numbers only grow, so this ends)."""
    failed = list(_failed(pack))
    head_office = Unit.objects.filter(kind=Unit.Kind.HEAD_OFFICE).first()
    contents_pages = 1
    while True:
        rows, page = [], contents_pages + 1
        for branch, _name, pages in plans:
            rows.append((branch, page))
            page += pages
        html = render_to_string(
            "headoffice/packs/book_contents.html",
            {
                "pack": pack,
                "bank": head_office.name if head_office else "",
                "rows": rows,
                "failed": failed,
                "language": translation.get_language(),
                "made_at": timezone.now(),
            },
        )
        pdf = html_to_pdf(html)
        counted = len(PdfReader(io.BytesIO(pdf)).pages)
        if counted == contents_pages:
            return pdf
        contents_pages = counted
