"""Head office's page of a cycle's official actuals: the template to download, the upload
and its preview, the confirmation, and the imports so far. Head office's alone
(``headoffice.access.require_head_office``: reviewers 403, branch people 404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from bankplan.audit import record
from bankplan.headoffice.access import get_cycle, require_head_office
from bankplan.headoffice.exports import export_response
from bankplan.lib.ids import is_id

from . import importing
from .models import ActualsImport, ImportState

CHANGES_PER_PAGE = 50
HISTORY = 10  # imports the page lists


def _cycle_for(request, cycle_id, *, changing: bool = False):
    require_head_office(request.user)
    cycle = get_cycle(cycle_id)
    if changing and cycle.is_closed:
        raise PermissionDenied  # a closed cycle's roll-ups and checks are final
    return cycle


def _page(request, cycle, *, errors=(), status=200):
    """The page: the upload form (with ``errors`` of a refused file), or the preview of
    the upload waiting for confirmation; the imports so far."""
    upload = None if errors else importing.staged_for(cycle, request.user)
    context = {
        "cycle": cycle,
        "errors": [str(error) for error in errors],
        "upload": upload,
        "history": ActualsImport.objects.filter(cycle=cycle, state=ImportState.APPLIED)
        .select_related("created_by")
        .order_by("-applied_at", "-pk")[:HISTORY],
        "max_rows": importing.MAX_UPLOAD_ROWS,
    }
    if upload is not None:
        pages = Paginator(importing.changes(upload), CHANGES_PER_PAGE)
        context["changes"] = pages.get_page(request.GET.get("page"))
        context["unlisted"] = max(upload.changed - importing.PREVIEW_ROWS, 0)
    return render(request, "actuals/page.html", context, status=status)


@require_safe
def page(request, cycle_id):
    return _page(request, _cycle_for(request, cycle_id))


@require_safe
def template(request, cycle_id, fmt):
    """Every branch with the official figures so far, as XLSX or CSV."""
    cycle = _cycle_for(request, cycle_id)
    response = export_response(importing.template(cycle), fmt)
    record.exported(request.user, f"actuals-{cycle.year}.{fmt}")
    return response


@require_POST
def upload(request, cycle_id):
    """A filled-in file: read and checked whole; clean, it is staged and the page shows
    its preview (nothing written yet); otherwise every problem, by row and column."""
    cycle = _cycle_for(request, cycle_id, changing=True)
    file = request.FILES.get("file")
    if file is None:
        return _page(request, cycle, errors=[_("Choose the XLSX or CSV file to upload.")])
    staged = importing.stage(file, cycle=cycle, by=request.user)
    if staged.errors:
        return _page(request, cycle, errors=staged.errors)
    return redirect("actuals:page", cycle_id=cycle.pk)


@require_POST
def confirm(request, cycle_id):
    """Write the upload previewed, all of it or nothing."""
    cycle = _cycle_for(request, cycle_id, changing=True)
    upload_id = request.POST.get("upload", "")
    try:
        if not is_id(upload_id):
            raise ValidationError(_("This upload is no longer waiting for confirmation."))
        done = importing.apply(int(upload_id), cycle=cycle, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Imported: %(summary)s.") % {"summary": importing.summary(done)}
        )
    return redirect("actuals:page", cycle_id=cycle.pk)


@require_POST
def discard(request, cycle_id):
    """Drop the upload waiting for confirmation."""
    cycle = _cycle_for(request, cycle_id)
    ActualsImport.objects.filter(
        cycle=cycle, created_by=request.user, state=ImportState.STAGED
    ).delete()
    return redirect("actuals:page", cycle_id=cycle.pk)
