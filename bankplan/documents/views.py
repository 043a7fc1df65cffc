from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from bankplan.plans.access import get_plan_for

from .rendering import RenderError, pdf_filename, render_plan_pdf


def plan_pdf(request, plan_id):
    plan = get_plan_for(request.user, plan_id)
    try:
        pdf = render_plan_pdf(plan)
    except RenderError:
        return render(request, "documents/pdf_failed.html", {"plan": plan}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=pdf_filename(plan, plan.get_status_display())
    )
    return response
