from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from bankplan.plans.access import get_plan_for

from .rendering import RenderError, render_plan_pdf


def plan_pdf(request, plan_id):
    plan = get_plan_for(request.user, plan_id)
    try:
        pdf = render_plan_pdf(plan)
    except RenderError:
        return render(request, "documents/pdf_failed.html", {"plan": plan}, status=503)
    filename = f"{plan.cycle.year}-{plan.branch.code}-{slugify(plan.status)}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
