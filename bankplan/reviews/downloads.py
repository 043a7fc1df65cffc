"""A version's stored PDF going out, the same way for the page's button and the API."""

import io

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from bankplan.audit import record
from bankplan.documents.rendering import pdf_filename
from bankplan.documents.stamp import is_stamped_for, stamp_reader

from .models import VersionPdf


def version_pdf_response(stored: VersionPdf, *, plan, reader) -> FileResponse:
    """``stored`` (ready, of a version of ``plan``) as a download: recorded in the audit
    log, and stamped with the reader's name when they are not the branch's own people."""
    if stored.kind == VersionPdf.Kind.APPROVED:
        state = _("%(version)s, approved") % {"version": stored.version}
    else:
        state = str(stored.version)
    name = pdf_filename(plan, state)
    record.event(
        record.Action.DOWNLOADED, by=reader, plan=plan, version=stored.version.number, detail=name
    )
    file = stored.file.open("rb")
    if is_stamped_for(reader, plan):  # the stored file itself stays as it is
        with file:
            file = io.BytesIO(stamp_reader(file, reader=reader, at=timezone.now()))
    return FileResponse(file, content_type="application/pdf", filename=name)
