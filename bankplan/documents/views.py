from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from bankplan.audit import record
from bankplan.plans.access import get_plan_for

from .rendering import RenderError, TooLong, pdf_filename, render_plan_pdf
from .slots import Busy, render_slot
from .stamp import is_stamped_for, stamp_reader

# A plan of ordinary size renders in a second or two.
RETRY_AFTER_SECONDS = 5


@require_safe
def plan_pdf(request, plan_id):
    plan = get_plan_for(request.user, plan_id)
    try:
        with render_slot(request.user):
            pdf = render_plan_pdf(plan)
    except Busy:
        response = render(request, "documents/pdf_busy.html", {"plan": plan}, status=429)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    except RenderError as error:
        context = {"plan": plan, "too_long": isinstance(error, TooLong)}
        return render(request, "documents/pdf_failed.html", context, status=503)
    if is_stamped_for(request.user, plan):
        pdf = stamp_reader(pdf, reader=request.user, at=timezone.now())
    filename = pdf_filename(plan, plan.get_status_display())
    record.event(record.Action.DOWNLOADED, by=request.user, plan=plan, detail=filename)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=filename
    )
    return response
