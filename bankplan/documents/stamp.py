"""The reader's stamp: a PDF of a plan downloaded by someone outside the plan's branch
(its regional reviewer, head office) says on every page who downloaded it and when.

The stamp is laid over the PDF as it goes out, never re-rendering the plan: WeasyPrint
sets one transparent A4 page holding nothing but the line (so Chinese names get the
app's CJK font, fetched like every PDF's from the app's own static files), and pypdf
draws that page, as a form XObject shared by all pages, over each page of the
document. The drawing is an artifact (``/Artifact BMC … EMC``), outside the structure
tree like the running header and page numbers (see tagging.py), and the document's
catalog (structure tree, /Lang, /MarkInfo, viewer preferences) and metadata are kept:
the stamped PDF is as tagged as the one it was made from. The page's own content is
not parsed or rewritten, only bracketed by ``q … Q`` so that its graphics state does
not reach the stamp.
"""

import io
import logging
from datetime import datetime
from typing import BinaryIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)
from weasyprint import HTML

from bankplan.plans.access import BRANCH_PEOPLE, plan_roles

from .fetcher import BASE_URL, StaticFilesFetcher

logger = logging.getLogger(__name__)

# The name the stamp goes by in each page's resources: unlikely to be WeasyPrint's.
XOBJECT_NAME = "/BankplanReaderStamp"


def is_stamped_for(user, plan) -> bool:
    """Whether a download by ``user`` is stamped: everyone but the branch's own people."""
    return not plan_roles(user, plan) & BRANCH_PEOPLE


def stamp_text_html(*, reader, at: datetime) -> str:
    """The overlay page's HTML: "Downloaded by 王芳 on 2026-11-29 10:32", in the
    reader's language and the bank's local time (settings.TIME_ZONE)."""
    local = timezone.localtime(at, timezone.get_default_timezone())
    context = {
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "name": reader.get_full_name(),
        "time": local.strftime("%Y-%m-%d %H:%M"),
    }
    return render_to_string("pdf/stamp.html", context)


def render_overlay(*, reader, at: datetime) -> bytes:
    """The one-page overlay PDF (untagged: it is all artifact once laid over a page)."""
    html = HTML(
        string=stamp_text_html(reader=reader, at=at),
        base_url=BASE_URL,
        url_fetcher=StaticFilesFetcher(),
    )
    return html.write_pdf()


def _stream(writer: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _overlay_form(writer: PdfWriter, overlay: bytes):
    """The overlay's page as a form XObject of the writer's document, added once."""
    page = PdfReader(io.BytesIO(overlay)).pages[0]
    form = StreamObject()
    form.set_data(page.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): page.mediabox,
            NameObject("/Resources"): page["/Resources"].get_object().clone(writer),
        }
    )
    return writer._add_object(form)


def _resources(page) -> DictionaryObject:
    if "/Resources" not in page:
        page[NameObject("/Resources")] = DictionaryObject()
    return page["/Resources"].get_object()


class Unreadable(Exception):
    """pypdf cannot read the document: there are no pages to stamp."""


def _open(pdf: bytes) -> PdfWriter:
    try:
        reader = PdfReader(io.BytesIO(pdf))
        writer = PdfWriter(clone_from=reader)
    except PyPdfError as error:
        raise Unreadable(str(error)) from error
    writer.pdf_header = reader.pdf_header  # PDF/UA-1 is PDF 1.7 (pypdf would say 1.3)
    return writer


def stamp(pdf: bytes, overlay: bytes) -> bytes:
    """``pdf`` with the first page of ``overlay`` drawn over each of its pages, as an
    artifact; everything else of the document kept. Unreadable if pypdf cannot read
    ``pdf``."""
    return _stamp(_open(pdf), overlay)


def _stamp(writer: PdfWriter, overlay: bytes) -> bytes:
    form = _overlay_form(writer, overlay)
    save = _stream(writer, b"q\n")
    draw = _stream(writer, f"\nQ\n/Artifact BMC\nq {XOBJECT_NAME} Do Q\nEMC\n".encode())
    for page in writer.pages:
        resources = _resources(page)
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        resources["/XObject"].get_object()[NameObject(XOBJECT_NAME)] = form
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if isinstance(contents, ArrayObject):
            originals = list(contents)
        elif contents is None:
            originals = []
        elif isinstance(page.raw_get("/Contents"), IndirectObject):
            originals = [page.raw_get("/Contents")]
        else:  # a stream drawn directly in the page: an array holds references only
            originals = [writer._add_object(contents)]
        page[NameObject("/Contents")] = ArrayObject([save, *originals, draw])
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def stamp_reader(pdf: bytes | BinaryIO, *, reader, at: datetime) -> bytes:
    """``pdf`` stamped on every page with ``reader``'s name and the time ``at``.

    A document pypdf cannot read is not one WeasyPrint made (the tests' stand-ins, a
    damaged file): there is nothing to lay the stamp on, and it goes out as it is, with
    an error logged. Anything else that fails, failing the download, is not hidden."""
    data = pdf if isinstance(pdf, bytes) else pdf.read()
    try:
        writer = _open(data)
    except Unreadable as error:
        logger.error("PDF for %s not stamped: pypdf cannot read it (%s)", reader.pk, error)
        return data
    return _stamp(writer, render_overlay(reader=reader, at=at))
