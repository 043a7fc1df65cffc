"""The target cascade (指标分解): each level shares its targets out to the units directly
below it. Who may set which target is ``access.may_allocate``; this module checks the
figures, writes a batch of them at once, and reads and writes the XLSX sheet a region
with hundreds of branches fills in offline.

An entry is ``(unit, kpi, target)``; a target of None takes the allocation away.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from io import BytesIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bankplan.audit import record
from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Kpi
from bankplan.plans.sections.kpi_rows import figure_error

from . import sheets
from .access import may_allocate
from .models import Allocation

Entry = sheets.Entry

# An upload is checked whole and kept in the session until it is confirmed: a region's
# branches fit many times over, a bank-wide sheet of every branch does not.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_ROWS = 2000

# How the figures of each unit read in the sheet.
_NUMBER_FORMATS = {
    Kpi.Measure.WAN_YUAN: "#,##0.00",
    Kpi.Measure.PERCENT: "0.00",
    Kpi.Measure.CUSTOMERS: "#,##0",
    Kpi.Measure.CARDS: "#,##0",
}


def target_field():
    """The form field of one allocated target: its digits and places are the model's."""
    return Allocation._meta.get_field("target").formfield(required=False)


def units_below(unit: Unit) -> QuerySet[Unit]:
    """The units ``unit`` shares its targets out to, by code: head office's regions, a
    region's second-tier branches and the branches hanging from it directly, a
    second-tier branch's branches. (A queryset: the grid pages through it.)"""
    return Unit.objects.filter(parent=unit).order_by("code")


def own_row(unit: Unit) -> bool:
    """Whether ``unit``'s own target is set on its page: only head office's, which no
    level above sets."""
    return unit.kind == Unit.Kind.HEAD_OFFICE


def current(cycle: Cycle, unit_ids: Iterable[int]) -> dict[tuple[int, int], Decimal]:
    """(unit id, KPI id) -> the allocated target, for these units in this cycle."""
    rows = Allocation.objects.filter(unit__in=list(unit_ids), kpi__cycle=cycle)
    return {(unit, kpi): target for unit, kpi, target in rows.values_list("unit", "kpi", "target")}


def shared_out(cycle: Cycle, unit: Unit) -> dict[int, Decimal]:
    """KPI id -> the sum of what ``unit`` has allocated to the units below it."""
    rows = (
        Allocation.objects.filter(unit__parent=unit, kpi__cycle=cycle)
        .values("kpi")
        .annotate(total=Sum("target"))
        .values_list("kpi", "total")
    )
    return dict(rows)


def save_allocations(*, by, cycle: Cycle, entries: list[Entry]) -> int:
    """Write ``entries`` all together or not at all; returns how many allocations
    changed (unchanged ones keep who set them and when). PermissionDenied for a unit
    ``by`` may not allocate to; ValidationError for a KPI of another cycle, a figure its
    KPI does not take, a unit and KPI given twice, or a closed cycle."""
    if cycle.is_closed:
        raise ValidationError(_("The cycle is closed: its targets no longer change."))
    catalogue = {kpi.pk for kpi in cycle.kpis.all()}
    seen = set()
    for unit, kpi, target in entries:
        if not may_allocate(by, unit):
            raise PermissionDenied
        if kpi.pk not in catalogue:
            raise ValidationError(_("%(kpi)s is not a KPI of this cycle.") % {"kpi": kpi})
        if (unit.pk, kpi.pk) in seen:
            raise ValidationError(
                _("%(unit)s is given two targets for %(kpi)s.") % {"unit": unit, "kpi": kpi}
            )
        seen.add((unit.pk, kpi.pk))
        if target is not None:
            target_field().clean(target)
            if error := figure_error(kpi, target):
                raise error
    stored = current(cycle, {unit.pk for unit, _kpi, _target in entries})
    now = timezone.now()
    written, removed = [], defaultdict(list)
    for unit, kpi, target in entries:
        old = stored.get((unit.pk, kpi.pk))
        if target is None and old is not None:
            removed[kpi.pk].append(unit.pk)
        elif target is not None and target != old:
            written.append(Allocation(kpi=kpi, unit=unit, target=target, set_by=by, set_at=now))
    with transaction.atomic():
        if written:
            Allocation.objects.bulk_create(
                written,
                update_conflicts=True,
                unique_fields=["kpi", "unit"],
                update_fields=["target", "set_by", "set_at"],
            )
        if removed:
            # One condition per KPI, not per cell: a sheet clears hundreds at once.
            which = Q()
            for kpi_id, unit_ids in removed.items():
                which |= Q(kpi=kpi_id, unit__in=unit_ids)
            Allocation.objects.filter(which).delete()
        if changes := _changes(entries, stored):
            record.event(
                record.Action.ALLOCATED,
                by=by,
                subject=str(cycle),
                unit_code=_common_parent(entries),
                detail=ngettext(
                    "%(count)s target changed", "%(count)s targets changed", len(changes)
                )
                % {"count": len(changes)},
                changes=changes,
            )
    return len(written) + sum(map(len, removed.values()))


def _changes(entries: list[Entry], stored: dict) -> list[dict]:
    """What the audit log keeps of a save: each target that changed, old and new."""
    changes = []
    for unit, kpi, target in entries:
        old = stored.get((unit.pk, kpi.pk))
        if target != old:
            changes.append(
                {
                    "unit": unit.code,
                    "kpi": kpi.code,
                    "old": "" if old is None else str(old),
                    "new": "" if target is None else str(target),
                }
            )
    return changes


def _common_parent(entries: list[Entry]) -> str:
    """The code of the unit whose page the targets were set on (the parent of the units
    given targets), or of the unit itself when it is head office's own row."""
    parents = {unit.parent_id or unit.pk for unit, _kpi, _target in entries}
    if len(parents) != 1:
        return ""
    return Unit.objects.filter(pk=parents.pop()).values_list("code", flat=True).first() or ""


# The sheet: row 1 names the columns (unit code, unit name, then each KPI's code), row 2
# says what each KPI is and how it is counted, one row per unit below (``sheets``).
_FIRST_ROW = 3


def allocations_workbook(cycle: Cycle, unit: Unit) -> bytes:
    """The XLSX sheet of ``unit``'s page: the units below it (and head office's own row
    on head office's page) with their current allocations filled in. Three queries."""
    kpis = list(cycle.kpis.all())
    units = ([unit] if own_row(unit) else []) + list(units_below(unit))
    stored = current(cycle, [u.pk for u in units])
    book = Workbook()
    sheet = book.active
    sheet.title = _("Allocations")[:31]
    bold = Font(bold=True)
    sheet.append([_("Unit code"), _("Unit name"), *(kpi.code for kpi in kpis)])
    sheet.append(["", "", *(f"{kpi.display_name}（{kpi.get_measure_display()}）" for kpi in kpis)])
    for cell in (*sheet[1], *sheet[2]):
        cell.font = bold
    for row_unit in units:
        name = _("%(unit)s (own target)") % {"unit": row_unit.name} if row_unit == unit else None
        sheet.append(
            [
                row_unit.code,
                name or row_unit.name,
                *(stored.get((row_unit.pk, kpi.pk)) for kpi in kpis),
            ]
        )
    for offset, kpi in enumerate(kpis):
        column = sheets.FIRST_KPI_COLUMN + offset
        sheet.column_dimensions[get_column_letter(column)].width = 18
        for (cell,) in sheet.iter_rows(min_row=_FIRST_ROW, min_col=column, max_col=column):
            cell.number_format = _NUMBER_FORMATS.get(kpi.measure, "General")
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = sheet.cell(row=_FIRST_ROW, column=sheets.FIRST_KPI_COLUMN)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def read_allocations_xlsx(
    file, *, cycle: Cycle, user
) -> tuple[list[Entry], list[sheets.SheetError]]:
    """The entries of an uploaded sheet (as ``allocations_workbook`` lays it out) and
    every problem in it, by row and column (``sheets.read_figures``). An empty cell
    clears the unit's allocation; a KPI without a column, or a unit without a row, is
    left as it is. Two queries."""
    rows, errors = sheets.read_rows(file, max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_UPLOAD_ROWS)
    if errors:
        return [], errors

    def refuse(unit: Unit) -> str:
        if may_allocate(user, unit):
            return ""
        return _("%(unit)s is not a unit you allocate targets to.") % {"unit": unit}

    entries, errors, _count = sheets.read_figures(
        rows,
        kpis=cycle.kpis.all(),
        units=lambda codes: {unit.code: unit for unit in Unit.objects.filter(code__in=codes)},
        refuse=refuse,
        field=target_field(),
    )
    return entries, errors
