"""The plan list, the overview and the section stepper. Thin: access goes through
``access.get_plan_for``, writes through ``services``."""

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bankplan.documents.build import live_document
from bankplan.headoffice.deadlines import deadline_info
from bankplan.lib.ids import is_id
from bankplan.lib.keyset import keyset_page
from bankplan.organisation.models import Unit
from bankplan.reviews.panels import review_context

from . import autosave, errors, services
from .access import Action, branches_managed_by, get_plan_for
from .models import Cycle, Plan, Status, current_cycle
from .progress import load_plan, percent_complete, section_states
from .sections.registry import get_section, neighbours


@require_safe
def plan_list(request):
    """The plans of one cycle the user may read, 50 a page by branch code (keyset: head
    office's list of 20,000 branches costs what a branch's own does), searchable by branch
    code or name, filterable by state; and, for branch managers, the plans they may start."""
    cycles = list(Cycle.objects.order_by("-year"))
    cycle = _chosen_cycle(request, cycles)
    query = request.GET.get("q", "").strip()[:50]
    status = request.GET.get("status", "")
    plans = (
        Plan.objects.visible_to(request.user)
        .filter(cycle=cycle)
        .select_related("cycle", "branch__parent")
    )
    if query:
        plans = plans.filter(Q(branch__code__istartswith=query) | Q(branch__name__icontains=query))
    if status in Status.values:
        plans = plans.filter(status=status)
    page = keyset_page(
        plans,
        "branch__code",
        after=request.GET.get("after", "")[:20],
        before=request.GET.get("before", "")[:20],
    )
    managed = branches_managed_by(request.user)
    started = set(Plan.objects.filter(branch__in=managed).values_list("cycle_id", "branch_id"))
    to_start = [
        (open_cycle, branch)
        for open_cycle in cycles
        if open_cycle.is_open
        for branch in Unit.objects.filter(pk__in=managed)
        if (open_cycle.pk, branch.pk) not in started
    ]
    return render(
        request,
        "plans/plan_list.html",
        {
            "page": page,
            "cycle": cycle,
            "cycles": cycles,
            "query": query,
            "status": status,
            # What a link to another page keeps: keyset_pager.html adds after/before.
            "filters": urlencode(
                {"cycle": cycle.pk if cycle else "", "q": query, "status": status}
            ),
            "statuses": Status.choices,
            "to_start": to_start,
        },
    )


def _chosen_cycle(request, cycles: list[Cycle]) -> Cycle | None:
    chosen = request.GET.get("cycle", "")
    return next((cycle for cycle in cycles if str(cycle.pk) == chosen), current_cycle(cycles))


@require_POST
def start_plan(request, cycle_id):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    branch_id = request.POST.get("branch", "")
    if not is_id(branch_id):
        raise BadRequest
    branch = get_object_or_404(
        Unit.objects.filter(pk__in=branches_managed_by(request.user)), pk=branch_id
    )
    plan = services.start_plan(cycle=cycle, branch=branch, by=request.user)
    messages.success(request, _("The plan is open. Start with the background."))
    return redirect("plans:section", plan_id=plan.pk, key="background")


@require_safe
def overview(request, plan_id):
    plan = load_plan(get_plan_for(request.user, plan_id))
    document = live_document(plan, language=get_language())
    states = section_states(plan, document.findings)
    review = review_context(plan, request.user)
    return render(
        request,
        "plans/overview.html",
        {
            "plan": plan,
            "doc": document,
            "states": states,
            "percent": percent_complete(states),
            "deadline_info": deadline_info(plan),
            "editable": Action.EDIT in review["actions"],
            "chapters": [
                (chapter, review["threads_by_section"].get(chapter.key, []))
                for chapter in document.chapters
            ],
            **review,
        },
    )


@require_http_methods(["GET", "POST"])
def edit_section(request, plan_id, key):
    section = get_section(key)
    plan = get_plan_for(request.user, plan_id, Action.EDIT)
    in_background = autosave.is_autosave(request)
    problems = []

    if request.method == "POST":
        # A save reads this section alone; the whole plan is loaded only to show the page
        # again, so a save's queries do not grow with the rest of the plan.
        content = section.content_of(plan)
        revision = content.revision
        form, formsets = section.bind(content, request.POST)
        tables = list(zip(section.tables, formsets, strict=True))
        if form.is_valid() and all(formset.is_valid() for formset in formsets):
            try:
                services.save_section(
                    plan=plan,
                    section=section,
                    form=form,
                    formsets=formsets,
                    expected_revision=_posted_revision(request),
                    by=request.user,
                )
            except services.StaleSection as stale:
                if in_background:
                    return autosave.stale(stale.content)
                who = stale.content.updated_by or _("someone else")
                messages.error(
                    request,
                    _(
                        "%(who)s saved this section while you were editing it. Your input is "
                        "shown below and has not been saved; check it against theirs on the "
                        "overview, then save again to keep yours."
                    )
                    % {"who": who},
                )
                revision = stale.content.revision
            except services.LinksGone:
                gone = _(
                    "A row this section links to in another section was removed while you "
                    "were editing. Nothing was saved; your input is shown below: choose "
                    "again among the rows there are now, then save."
                )
                if in_background:
                    return autosave.refused(gone)
                messages.error(request, gone)
                form, formsets = section.bind(content, request.POST)
                form.is_valid()
                tables = list(zip(section.tables, formsets, strict=True))
                problems = errors.problems(section, form, tables)
            except PermissionDenied as denied:
                if in_background:
                    return autosave.refused(str(denied))
                messages.error(request, str(denied))
                return redirect("plans:overview", plan_id=plan.pk)
            else:
                if in_background:
                    return autosave.saved(form.instance, formsets)
                messages.success(request, _("“%(title)s” saved.") % {"title": section.title})
                after = neighbours(section)[1]
                if request.POST.get("then") == "next":
                    if after:
                        return redirect("plans:section", plan_id=plan.pk, key=after.key)
                    return redirect("plans:overview", plan_id=plan.pk)
                return redirect("plans:section", plan_id=plan.pk, key=section.key)
        elif in_background:
            return autosave.invalid(request, section, form, tables)
        else:
            problems = errors.problems(section, form, tables)
        plan = load_plan(plan)
    else:
        plan = load_plan(plan)
        content = section.content_of(plan)
        revision = content.revision
        form, formsets = section.bind(content)
        tables = list(zip(section.tables, formsets, strict=True))

    states = section_states(plan)
    before, after = neighbours(section)
    review = review_context(plan, request.user)
    return render(
        request,
        "plans/section_edit.html",
        {
            "actions": review["actions"],
            "threads": review["threads_by_section"].get(section.key, []),
            "open_threads_by_section": review["open_threads_by_section"],
            "note": plan.cycle.notes.filter(section=section.key).first(),
            "plan": plan,
            "section": section,
            "form": form,
            "tables": tables,
            "problems": problems,
            "revision": revision,
            "saved_at": content.updated_at,
            "states": states,
            "percent": percent_complete(states),
            "deadline_info": deadline_info(plan),
            "state": _state_of(states, section),
            "before": before,
            "after": after,
        },
    )


@require_safe
def findings(request, plan_id, key):
    """A section's findings alone: its page asks for them after each background save
    (a save checks nothing beyond its own section, to keep within its query budget)."""
    section = get_section(key)
    plan = load_plan(get_plan_for(request.user, plan_id, Action.EDIT))
    state = _state_of(section_states(plan), section)
    context = {"plan": plan, "section": section, "state": state}
    return render(request, "plans/includes/section_findings.html", context)


def _state_of(states, section):
    return next(state for state in states if state.section is section)


def _posted_revision(request) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1  # a form without a revision is treated as stale, never as current
