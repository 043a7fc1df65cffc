"""Head office's audit log (filterable, a page at a time, or all of it as CSV or XLSX)
and a plan's full history for those who oversee its branch."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET

from bankplan.headoffice.access import require_head_office
from bankplan.headoffice.exports import export_response
from bankplan.headoffice.tables import Column, Table
from bankplan.lib.ids import is_id
from bankplan.lib.keyset import keyset_page
from bankplan.plans.access import Action as PlanAction
from bankplan.plans.access import get_plan_for
from bankplan.plans.sections.registry import SECTIONS
from bankplan.reviews.diff import SectionDiff, diff_section

from . import record
from .forms import LogFilter
from .models import Action, Event

CSV_CHUNK = 2000
# What a section save's counts say, in the plural the count needs.
_COUNTED = {
    "fields": ngettext_lazy("%(count)s field changed", "%(count)s fields changed", "count"),
    "added": ngettext_lazy("%(count)s row added", "%(count)s rows added", "count"),
    "removed": ngettext_lazy("%(count)s row removed", "%(count)s rows removed", "count"),
    "changed": ngettext_lazy("%(count)s row changed", "%(count)s rows changed", "count"),
}
_TITLES = {section.key: section for section in SECTIONS}


@dataclass(frozen=True)
class Shown:
    """An entry as a plan's history shows it: for a section save, what changed."""

    event: Event
    diff: SectionDiff | None = None

    @property
    def changes(self) -> list[SectionDiff]:
        """For reviews/includes/changes.html, which lists sections."""
        return [self.diff] if self.diff else []

    @property
    def section(self) -> str:
        return _section_of(self.event)

    @property
    def revisions(self) -> str:
        return revisions(self.event)

    @property
    def summary(self) -> str:
        return summary(self.event)


def section_title(key: str) -> str:
    section = _TITLES.get(key)
    return f"{section.number}. {section.title}" if section else key


def summary(event: Event) -> str:
    """One line saying what the entry changed or carried."""
    if event.action == Action.SECTION_SAVED:
        counts = event.changes or {}
        parts = [
            said % {"count": counts[name]} for name, said in _COUNTED.items() if counts.get(name)
        ]
        return " · ".join(parts) or _("saved without changes")
    return event.detail


def section_diff(event: Event) -> SectionDiff | None:
    """What a section save changed, in the reader's language."""
    if event.action != Action.SECTION_SAVED or event.state_after is None:
        return None
    return diff_section(event.section, event.state_before or {}, event.state_after)


def _entry_id(value: str) -> str:
    """A page boundary as posted: an entry id, or nothing (the first page) if it is not
    one a database takes."""
    return value if is_id(value) else ""


def _page(request, events, *, filters: dict):
    page = keyset_page(
        events,
        "id",
        after=_entry_id(request.GET.get("after", "")),
        before=_entry_id(request.GET.get("before", "")),
        descending=True,
    )
    return page, urlencode({k: v for k, v in filters.items() if v not in (None, "")})


@require_GET
def log(request):
    require_head_office(request.user)
    form = LogFilter(request.GET or None)
    events = Event.objects.filter(**form.filters()).defer("state_before", "state_after")
    page, query = _page(request, events, filters=form.data.dict() if form.is_bound else {})
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "filters": query,
            "rows": [(event, _section_of(event), summary(event)) for event in page.items],
        },
    )


@require_GET
def log_export(request, fmt: str):
    """Every entry the filters select, streamed in chunks, newest first."""
    require_head_office(request.user)
    form = LogFilter(request.GET or None)
    events = Event.objects.filter(**form.filters()).defer("state_before", "state_after")
    local = timezone.get_current_timezone()
    columns = [
        Column("at", _("At")),
        Column("until", _("Last save")),
        Column("by", _("By")),
        Column("action", _("Action")),
        Column("unit", _("Unit code")),
        Column("about", _("About")),
        Column("section", _("Section")),
        Column("revision", _("Revision")),
        Column("version", _("Version")),
        Column("summary", _("What")),
    ]

    def rows():
        for event in events.order_by("-id").iterator(chunk_size=CSV_CHUNK):
            yield (
                event.at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S"),
                event.until.astimezone(local).strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_name,
                event.get_action_display(),
                event.unit_code,
                event.subject,
                _section_of(event),
                revisions(event),
                event.version,
                summary(event),
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    table = Table(_("Audit log"), f"audit-log-{stamp}", columns, rows())
    response = export_response(table, fmt)
    record.exported(request.user, f"{table.filename}.{fmt}")
    return response


def _section_of(event: Event) -> str:
    return section_title(event.section) if event.section else ""


def revisions(event: Event) -> str:
    """The revision a save made, or the first and last of a sitting's merged saves."""
    if event.revision is None:
        return ""
    if event.revision_from is not None and event.revision_from != event.revision:
        return f"{event.revision_from}–{event.revision}"
    return str(event.revision)


@require_GET
def plan_history(request, plan_id):
    """Everything done to the plan, newest first: each sitting's saves of a section with
    what they changed, transitions, comments, downloads."""
    plan = get_plan_for(request.user, plan_id, PlanAction.AUDIT)
    page, query = _page(request, plan.events.all(), filters={})
    return render(
        request,
        "audit/plan_history.html",
        {
            "plan": plan,
            "page": page,
            "filters": query,
            "entries": [Shown(event, section_diff(event)) for event in page.items],
        },
    )
