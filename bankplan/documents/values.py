"""How a stored value reads, by its column's kind: the one place that writes the figures
of the overview, the versions, the comparison and the PDF (with ``lib/figures.py``)."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from bankplan.lib import figures
from bankplan.plans.sections.describe import Kind

from .document import Column, Kpi, pick


def number(value) -> Decimal | None:
    """A stored figure as a Decimal (numbers are stored as text, counts as integers)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _figure(column: Column, value: Decimal, kpi: Kpi | None, unit: str | None) -> str:
    if unit is not None:
        return figures.in_unit(value, unit)
    if column.kind == Kind.KPI_FIGURE:
        return figures.in_measure(value, kpi.measure) if kpi else figures.wan(value)
    if column.kind == Kind.SHARE:
        return figures.percent(value)
    if column.kind == Kind.DECIMAL:
        # Amounts keep their two places (万元); a one-place figure such as training hours
        # reads whole when it is (2, not 2.0; but 1.5).
        if column.places < 2 and value == value.to_integral_value():
            return figures.count(value)
        return figures.wan(value, column.places)
    return figures.count(value)


def shown(
    column: Column, value, *, language: str, kpi: Kpi | None = None, unit: str | None = None
) -> str:
    """A value as a person reads it, in the active language; "" when there is none.
    ``unit`` is what another column of the row names (万元, 户 …) for a figure counted in it."""
    if value is None or value == "" or value == []:
        return ""
    if column.kind == Kind.CHOICE:
        return column.choice_label(value)
    if column.kind == Kind.BOOLEAN:
        return _("Yes") if value else _("No")
    if column.kind == Kind.LINK:
        return pick(value, language)
    if column.kind == Kind.LINKS:
        return "；".join(linked(value, language))
    if column.kind == Kind.KPI_GAP and kpi and (gap := number(value)) is not None:
        return figures.gap_in_measure(gap, kpi.measure, kpi.direction)
    if column.figure:
        figure = number(value)
        if figure is not None:
            return _figure(column, figure, kpi, unit)
    return str(value)


def falls_short(column: Column, value, kpi: Kpi | None) -> bool:
    """Whether a gap to an allocated target falls short in its KPI's direction."""
    if column.kind != Kind.KPI_GAP or kpi is None or (gap := number(value)) is None:
        return False
    return figures.falls_short(gap, kpi.direction)


def linked(value, language: str) -> list[str]:
    """The names of the rows a LINKS value points to."""
    return [pick(item, language) for item in value] if isinstance(value, list) else []


def shown_change(column: Column, delta: Decimal, *, kpi: Kpi | None, unit: str | None) -> str:
    """A signed difference of two figures, written like them: ``+1,200.00``, ``+4``,
    ratios and shares in percentage points (1.25% -> 1.2% is -0.05 points, not -4%)."""
    if column.kind == Kind.KPI_FIGURE and kpi:
        return figures.change_in_measure(delta, kpi.measure)
    if column.kind == Kind.SHARE:
        return figures.points(delta)
    return figures.signed(delta, lambda size: _figure(column, size, kpi, unit))
