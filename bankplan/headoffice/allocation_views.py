"""Sharing targets out (指标分解): one unit's page lists the units directly below it, a
column per KPI, 50 units a page; the same figures go out and come back as an XLSX sheet.
The rules and the writing are ``allocations``; access through ``access``."""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bankplan.audit import record
from bankplan.lib.keyset import keyset_page
from bankplan.organisation.models import Unit
from bankplan.organisation.scope import scope_of
from bankplan.plans.models import Kpi
from bankplan.plans.sections.kpi_rows import WHOLE_NUMBER_MEASURES, figure_error

from . import allocations
from .access import get_cycle, get_unit_for, may_allocate

PAGE_SIZE = 50
# The upload waiting for its confirmation, in the session: one at a time per person.
PENDING_KEY = "allocation_upload"
PREVIEW_ROWS = 500  # changes listed on the preview page; the rest are counted


@dataclass(frozen=True)
class KpiColumn:
    """A KPI of the grid with what its header says: the unit's own target, what is
    shared out below so far (all pages), and what is left (for KPIs that add up)."""

    kpi: Kpi
    own: Decimal | None
    shared: Decimal | None

    @property
    def adds_up(self) -> bool:
        return self.kpi.aggregation == Kpi.Aggregation.SUM

    @property
    def left(self) -> Decimal | None:
        if not self.adds_up or self.own is None:
            return None
        return self.own - (self.shared or 0)


@dataclass(frozen=True)
class GridCell:
    kpi: Kpi
    stored: Decimal | None
    field: forms.BoundField | None  # None: read-only


@dataclass(frozen=True)
class GridRow:
    unit: Unit
    own: bool  # head office's own target, above the regions'
    cells: list[GridCell]
    has_units_below: bool


def _as_typed(target: Decimal | None, kpi: Kpi) -> Decimal | None:
    """A stored target as a person would type it: customers and cards whole (300, not
    300.00)."""
    if target is not None and kpi.measure in WHOLE_NUMBER_MEASURES:
        return target.quantize(Decimal(1))
    return target


class AllocationGridForm(forms.Form):
    """One field per editable unit and KPI, named ``u<unit>-k<kpi>``; the figures are
    checked the way the plan's KPI tables check theirs."""

    def __init__(self, data=None, *, units: list[Unit], kpis: list[Kpi], stored: dict):
        super().__init__(data)
        self.cells = {}
        for unit in units:
            for kpi in kpis:
                field = allocations.target_field()
                field.widget = forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm text-end",
                        "inputmode": "decimal",
                        "aria-label": f"{unit.name} · {kpi.display_name}",
                    }
                )
                name = f"u{unit.pk}-k{kpi.pk}"
                field.initial = _as_typed(stored.get((unit.pk, kpi.pk)), kpi)
                self.fields[name] = field
                self.cells[name] = (unit, kpi)

    def clean(self):
        cleaned = super().clean()
        for name, (_unit, kpi) in self.cells.items():
            value = cleaned.get(name)
            if value is not None and (error := figure_error(kpi, value)):
                self.add_error(name, error)
        for name in self.errors:
            if name in self.fields:  # the cell shows it is wrong, beside its message
                widget = self.fields[name].widget
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"
        return cleaned

    def entries(self) -> list[allocations.Entry]:
        return [(unit, kpi, self.cleaned_data[name]) for name, (unit, kpi) in self.cells.items()]


def _units_with_targets(request, unit_id) -> Unit:
    """The unit whose page it is: overseen by the user, with units below it."""
    unit = get_unit_for(request.user, unit_id)
    if unit.kind == Unit.Kind.BRANCH:
        raise Http404  # a branch shares nothing out
    return unit


def _page_url(cycle, unit, query: dict | None = None) -> str:
    url = reverse("headoffice:allocations", args=[cycle.pk, unit.pk])
    query = {key: value for key, value in (query or {}).items() if value}
    return f"{url}?{urlencode(query)}" if query else url


@require_http_methods(["GET", "POST"])
def grid(request, cycle_id, unit_id):
    """The grid: the page's units as rows, the cycle's KPIs as columns. Saving writes the
    page shown, all of it or (when a cell is wrong) none of it. Queries do not grow with
    the rows: one per table read."""
    unit = _units_with_targets(request, unit_id)
    cycle = get_cycle(cycle_id)
    paging = {key: request.GET.get(key, "")[:20] for key in ("after", "before")}
    page = keyset_page(allocations.units_below(unit), "code", size=PAGE_SIZE, **paging)
    units = list(page.items)
    if allocations.own_row(unit) and page.before is None:
        units.insert(0, unit)
    kpis = list(cycle.kpis.all())
    stored = allocations.current(cycle, [unit.pk, *(u.pk for u in units)])
    editable = [u for u in units if not cycle.is_closed and may_allocate(request.user, u)]
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form = AllocationGridForm(
        request.POST if request.method == "POST" else None,
        units=editable,
        kpis=kpis,
        stored=stored,
    )
    if form.is_bound and form.is_valid():
        try:
            changed = allocations.save_allocations(
                by=request.user, cycle=cycle, entries=form.entries()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext("%(n)d target saved.", "%(n)d targets saved.", changed) % {"n": changed},
            )
            return redirect(_page_url(cycle, unit, paging))
    shared = allocations.shared_out(cycle, unit)
    editable_ids = {u.pk for u in editable}
    rows = [
        GridRow(
            unit=row_unit,
            own=row_unit == unit,
            cells=[
                GridCell(
                    kpi,
                    stored.get((row_unit.pk, kpi.pk)),
                    form[f"u{row_unit.pk}-k{kpi.pk}"] if row_unit.pk in editable_ids else None,
                )
                for kpi in kpis
            ],
            has_units_below=row_unit != unit and row_unit.kind != Unit.Kind.BRANCH,
        )
        for row_unit in units
    ]
    parent = unit.parent
    return render(
        request,
        "headoffice/allocations/grid.html",
        {
            "cycle": cycle,
            "unit": unit,
            "up": parent if parent and scope_of(request.user).covers(parent) else None,
            "columns": [
                KpiColumn(kpi, stored.get((unit.pk, kpi.pk)), shared.get(kpi.pk)) for kpi in kpis
            ],
            "rows": rows,
            "form": form,
            "page": page,
            "next_url": _page_url(cycle, unit, {"after": page.after}) if page.after else "",
            "previous_url": _page_url(cycle, unit, {"before": page.before}) if page.before else "",
            "action": _page_url(cycle, unit, paging),
            "editable": bool(editable),
            "own_editable": may_allocate(request.user, unit),
        },
    )


@require_safe
def template_sheet(request, cycle_id, unit_id):
    """The page's units and current allocations as an XLSX sheet to fill in."""
    unit = _units_with_targets(request, unit_id)
    cycle = get_cycle(cycle_id)
    response = HttpResponse(
        allocations.allocations_workbook(cycle, unit),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"allocations-{cycle.year}-{unit.code}.xlsx"
    record.exported(request.user, name, unit=unit)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@dataclass(frozen=True)
class Change:
    unit: Unit
    kpi: Kpi
    old: Decimal | None
    new: Decimal | None


@require_POST
def upload(request, cycle_id, unit_id):
    """A filled-in sheet: checked whole and previewed (old -> new), nothing written; or,
    with the preview's token, the previewed changes written."""
    unit = _units_with_targets(request, unit_id)
    cycle = get_cycle(cycle_id)
    if cycle.is_closed:
        raise PermissionDenied
    if "token" in request.POST:
        return _apply_upload(request, cycle, unit)
    context = {"cycle": cycle, "unit": unit, "back": _page_url(cycle, unit)}
    sheet = request.FILES.get("sheet")
    if sheet is None:
        context["errors"] = [_("Choose the XLSX file to upload.")]
        return render(request, "headoffice/allocations/preview.html", context)
    entries, errors = allocations.read_allocations_xlsx(sheet, cycle=cycle, user=request.user)
    if errors:
        context["errors"] = [str(error) for error in errors]
        return render(request, "headoffice/allocations/preview.html", context)
    stored = allocations.current(cycle, {u.pk for u, _kpi, _target in entries})
    changes = [
        Change(u, kpi, stored.get((u.pk, kpi.pk)), target)
        for u, kpi, target in entries
        if stored.get((u.pk, kpi.pk)) != target
    ]
    if not changes:
        messages.info(request, _("The sheet changes no target."))
        return redirect(context["back"])
    token = secrets.token_urlsafe(16)
    request.session[PENDING_KEY] = {
        "token": token,
        "cycle": cycle.pk,
        "unit": unit.pk,
        "entries": [[c.unit.pk, c.kpi.pk, None if c.new is None else str(c.new)] for c in changes],
    }
    context |= {
        "token": token,
        "changes": changes[:PREVIEW_ROWS],
        "more": max(len(changes) - PREVIEW_ROWS, 0),
        "total": len(changes),
        "cleared": sum(c.new is None for c in changes),
        "unit_count": len({c.unit.pk for c in changes}),
    }
    return render(request, "headoffice/allocations/preview.html", context)


def _apply_upload(request, cycle, unit):
    """Write the upload previewed with this token (its rights and figures checked again:
    they may have changed since)."""
    pending = request.session.get(PENDING_KEY) or {}
    back = _page_url(cycle, unit)
    if (pending.get("token"), pending.get("cycle"), pending.get("unit")) != (
        request.POST["token"],
        cycle.pk,
        unit.pk,
    ):
        messages.error(request, _("This upload is no longer waiting; upload the sheet again."))
        return redirect(back)
    rows = pending["entries"]
    units = Unit.objects.in_bulk({unit_id for unit_id, _kpi, _target in rows})
    kpis = {kpi.pk: kpi for kpi in cycle.kpis.all()}
    try:
        entries = [
            (units[unit_id], kpis[kpi_id], None if target is None else Decimal(target))
            for unit_id, kpi_id, target in rows
        ]
    except KeyError:  # a unit or KPI removed meanwhile
        messages.error(request, _("The units or KPIs changed since the upload; upload again."))
        return redirect(back)
    try:
        changed = allocations.save_allocations(by=request.user, cycle=cycle, entries=entries)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    del request.session[PENDING_KEY]
    messages.success(
        request,
        ngettext(
            "%(n)d target saved from the sheet.", "%(n)d targets saved from the sheet.", changed
        )
        % {"n": changed},
    )
    return redirect(back)


urlpatterns = [
    path(
        "<int:cycle_id>/units/<int:unit_id>/allocations/",
        grid,
        name="allocations",
    ),
    path(
        "<int:cycle_id>/units/<int:unit_id>/allocations/template.xlsx",
        template_sheet,
        name="allocations_template",
    ),
    path(
        "<int:cycle_id>/units/<int:unit_id>/allocations/upload/",
        upload,
        name="allocations_upload",
    ),
]
