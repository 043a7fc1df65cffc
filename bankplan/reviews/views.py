"""Submission, review and history screens. Thin: GET shows, POST calls a service."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bankplan.documents.build import version_document, with_findings
from bankplan.documents.reader import read
from bankplan.lib.ids import is_id
from bankplan.organisation.models import Unit
from bankplan.organisation.scope import scope_of
from bankplan.plancheck.engine import blocking, check_plan
from bankplan.plans.access import Action, get_plan_for
from bankplan.plans.models import Cycle, Plan, Status, current_cycle
from bankplan.plans.sections.registry import SECTIONS

from . import services
from .diff import diff_documents, diff_snapshots
from .downloads import version_pdf_response
from .forms import CommentForm, ReasonForm, TransitionForm
from .models import Thread, Version, VersionPdf
from .panels import last_reviewed, review_context, section_threads


@dataclass(frozen=True)
class TransitionPage:
    service: Callable
    form: type
    heading: str
    explanation: str
    button: str
    button_class: str
    success: str


TRANSITIONS = {
    Action.RETURN: TransitionPage(
        services.return_plan,
        ReasonForm,
        gettext_lazy("Return the plan for revision"),
        gettext_lazy(
            "The branch manager gets your reason by mail and sees your comments "
            "beside each section."
        ),
        gettext_lazy("Return for revision"),
        "btn-warning",
        gettext_lazy("The plan was returned to the branch."),
    ),
    Action.APPROVE: TransitionPage(
        services.approve_plan,
        TransitionForm,
        gettext_lazy("Approve the plan"),
        gettext_lazy(
            "The approved version becomes the branch's commitment for the year; "
            "its PDF carries your approval."
        ),
        gettext_lazy("Approve"),
        "btn-success",
        gettext_lazy("The plan is approved."),
    ),
    Action.REOPEN: TransitionPage(
        services.reopen_plan,
        ReasonForm,
        gettext_lazy("Reopen the approved plan"),
        gettext_lazy(
            "The branch can then revise the plan and submit it again; "
            "the approved version stays on record."
        ),
        gettext_lazy("Reopen as a draft"),
        "btn-danger",
        gettext_lazy("The plan is open for revision again."),
    ),
}


def _transition(request, plan_id, action: Action):
    plan = get_plan_for(request.user, plan_id, action)
    page = TRANSITIONS[action]
    form = page.form(request.POST or None, initial={"status": plan.status})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            page.service(
                plan_id=plan.pk, by=request.user, expected_status=data.pop("status"), **data
            )
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, page.success)
            return redirect("plans:overview", plan_id=plan.pk)
    return render(
        request,
        "reviews/transition.html",
        {"plan": plan, "form": form, "page": page, "version": plan.versions.last()},
    )


@require_http_methods(["GET", "POST"])
def return_for_revision(request, plan_id):
    return _transition(request, plan_id, Action.RETURN)


@require_http_methods(["GET", "POST"])
def approve(request, plan_id):
    return _transition(request, plan_id, Action.APPROVE)


@require_http_methods(["GET", "POST"])
def reopen(request, plan_id):
    return _transition(request, plan_id, Action.REOPEN)


@require_http_methods(["GET", "POST"])
def submit(request, plan_id):
    plan = get_plan_for(request.user, plan_id, Action.SUBMIT)
    form = TransitionForm(request.POST or None, initial={"status": plan.status})
    # The service checks the plan itself, under its lock; the page lists the findings.
    if request.method == "POST" and form.is_valid():
        try:
            version = services.submit_plan(
                plan_id=plan.pk, by=request.user, expected_status=form.cleaned_data["status"]
            )
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Version %(number)d was submitted for review.") % {"number": version.number},
            )
            return redirect("plans:overview", plan_id=plan.pk)
    findings = check_plan(plan)
    return render(
        request,
        "reviews/submit.html",
        {
            "plan": plan,
            "missing": blocking(findings),
            "others": [finding for finding in findings if not finding.blocks],
            "titles": {section.key: section.title for section in SECTIONS},
            "form": form,
        },
    )


def _version(plan, number) -> Version:
    return get_object_or_404(
        plan.versions.select_related("submitted_by", "approved_by"), number=number
    )


@require_safe
def version(request, plan_id, number):
    """The review screen: the version whole, its threads beside each section, what changed
    since the version last reviewed, and the reviewer's actions in reach on every part."""
    plan = get_plan_for(request.user, plan_id)
    shown = _version(plan, number)
    review = review_context(plan, request.user)
    versions = review["versions"]
    previous = last_reviewed(versions, review["history"], number)
    # The version's own findings: what the plan check says of it as it was submitted.
    document = with_findings(version_document(shown, language=get_language()), plan.cycle)
    is_latest = shown.number == versions[-1].number
    return render(
        request,
        "reviews/version.html",
        {
            "plan": plan,
            "version": shown,
            "versions": versions,
            "doc": document,
            "sections": section_threads(document.chapters, review["threads_by_section"]),
            "changes": (
                diff_documents(read(previous.snapshot, language=get_language()), document)
                if previous
                else None
            ),
            "previous": previous,
            "actions": review["actions"],
            "is_latest": is_latest,
            # Comments open on the latest version only; a row button's link (for pages
            # without JavaScript) names the row to preselect.
            "can_open": is_latest and Action.COMMENT in review["actions"],
            "chosen_row": request.GET.get("row", ""),
            "section_titles": {chapter.key: chapter.title for chapter in document.chapters},
            **pdfs_context(shown),
        },
    )


def pdfs_context(version: Version) -> dict:
    """The version's PDFs for reviews/includes/version_pdfs.html."""
    pdfs = list(version.pdfs.all())
    return {
        "version_pdfs": pdfs,
        "version_pdfs_pending": any(pdf.state == VersionPdf.State.PENDING for pdf in pdfs),
    }


@require_safe
def version_pdfs(request, plan_id, number):
    """The PDF buttons alone: the version page asks for them until every PDF is made."""
    plan = get_plan_for(request.user, plan_id)
    shown = _version(plan, number)
    context = {"plan": plan, "version": shown, **pdfs_context(shown)}
    return render(request, "reviews/includes/version_pdfs.html", context)


@require_safe
def version_pdf(request, plan_id, number, kind):
    plan = get_plan_for(request.user, plan_id)
    stored = get_object_or_404(
        VersionPdf, version=_version(plan, number), kind=kind, state=VersionPdf.State.READY
    )
    return version_pdf_response(stored, plan=plan, reader=request.user)


@require_safe
def compare(request, plan_id):
    plan = get_plan_for(request.user, plan_id)
    versions = list(plan.versions.select_related("submitted_by"))
    if len(versions) < 2:
        raise Http404
    by_number = {version.number: version for version in versions}
    try:
        before = by_number[int(request.GET.get("from", versions[-2].number))]
        after = by_number[int(request.GET.get("to", versions[-1].number))]
    except (KeyError, ValueError):
        raise Http404 from None
    return render(
        request,
        "reviews/compare.html",
        {
            "plan": plan,
            "before": before,
            "after": after,
            "versions": versions,
            "pickers": [("from", _("From version"), before), ("to", _("To version"), after)],
            "changes": diff_snapshots(
                before.snapshot, after.snapshot, language=get_language(), unchanged=True
            ),
        },
    )


def _back(request, plan) -> str:
    """Where a comment form returns to: the page it was on, if it is one of ours (a path:
    redirect() takes anything else for a URL name, and fails on one that is none)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return reverse("plans:overview", args=[plan.pk])


@require_POST
def comment(request, plan_id):
    plan = get_plan_for(request.user, plan_id, Action.COMMENT)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        thread = get_object_or_404(plan.threads, pk=data["thread"]) if data["thread"] else None
        try:
            services.add_comment(
                plan=plan,
                by=request.user,
                body=data["body"],
                section=data["section"],
                row_key=data["row"],
                thread=thread,
            )
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Comment added."))
    elif form.has_error("body", "required"):
        messages.error(request, _("Write something before sending."))
    else:
        messages.error(request, " ".join(form.errors.get("body", [])) or _("Check the comment."))
    return redirect(_back(request, plan))


@require_POST
def resolve(request, plan_id, thread_id):
    plan = get_plan_for(request.user, plan_id, Action.RESOLVE)
    thread = get_object_or_404(plan.threads, pk=thread_id)
    services.resolve_thread(thread=thread, by=request.user)
    messages.success(request, _("Thread marked resolved."))
    return redirect(_back(request, plan))


def _count_open_threads(plans) -> None:
    """Each plan's unresolved comment threads as ``open_threads``: one query for the page
    shown, not one per plan, and none over the thousands of plans the page is cut from."""
    counts = dict(
        Thread.objects.filter(plan__in=[plan.pk for plan in plans], resolved_at__isnull=True)
        .order_by()
        .values("plan")
        .annotate(count=Count("pk"))
        .values_list("plan", "count")
    )
    for plan in plans:
        plan.open_threads = counts.get(plan.pk, 0)


@require_safe
def queue(request):
    """Plans of one cycle waiting for review, oldest submission first. The user's scope
    becomes a plain filter (see ``Scope``), so the database serves the queue from its
    indexes on the cycle, status and units instead of scanning every plan."""
    scope = scope_of(request.user)
    cycles = list(Cycle.objects.order_by("-year"))
    chosen = request.GET.get("cycle", "")
    cycle = next((c for c in cycles if str(c.pk) == chosen), current_cycle(cycles))
    status = request.GET.get("status", Status.SUBMITTED)
    if status not in Status.values:
        status = Status.SUBMITTED
    units = Unit.objects.filter(
        scope.unit_filter(), kind__in=[Unit.Kind.REGION, Unit.Kind.SUB_BRANCH]
    ).order_by("code")
    unit = request.GET.get("unit", "")
    plans = (
        Plan.objects.visible_to(request.user)
        .filter(cycle=cycle, status=status)
        .select_related("cycle", "branch__parent")
        .annotate(
            submitted_at=Max("versions__submitted_at"),
            version_number=Max("versions__number"),
        )
        .filter(version_number__isnull=False)
    )
    if is_id(unit):
        plans = plans.filter(Q(branch__region=int(unit)) | Q(branch__parent=int(unit)))
    page = Paginator(plans.order_by("submitted_at", "pk"), 25).get_page(request.GET.get("page"))
    shown = list(page)
    _count_open_threads(shown)
    now = timezone.now()
    return render(
        request,
        "reviews/queue.html",
        {
            "page": page,
            "rows": [(plan, (now - plan.submitted_at).days) for plan in shown],
            "cycles": cycles,
            "units": units,
            "statuses": Status.choices,
            "chosen": {"status": status, "cycle": str(cycle.pk) if cycle else "", "unit": unit},
        },
    )
