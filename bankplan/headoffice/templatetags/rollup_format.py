"""How the dashboard writes roll-up figures: in the KPI's unit, growth in percent (or
percentage points for a ratio), gaps signed."""

from django import template

from bankplan.lib import figures
from bankplan.plans.models import Measure

register = template.Library()


@register.filter
def growth(line) -> str:
    change = line.growth
    if change is None:
        return ""
    if line.kpi.measure == Measure.PERCENT:
        return figures.points(change)
    return figures.signed(change, figures.percent)


@register.filter
def gap(line) -> str:
    if line.gap is None:
        return ""
    return figures.change_in_measure(line.gap, line.kpi.measure)


@register.filter
def share(value) -> str:
    return figures.percent(value) if value is not None else ""
