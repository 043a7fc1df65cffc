"""Template filters for figures in plans: ``{{ value|wan }}``, ``{{ value|pct }}``,
``{{ value|kpi_value:kpi }}``, ``{{ value|in_unit:unit }}``."""

from django import template

from bankplan.lib import figures

register = template.Library()

register.filter("wan", figures.wan)
register.filter("count", figures.count)
register.filter("pct", figures.percent)


@register.filter
def kpi_value(value, kpi) -> str:
    """A figure written the way its KPI's unit is written."""
    return figures.in_measure(value, kpi.measure)


@register.filter
def in_unit(value, unit: str) -> str:
    """A figure in a unit the author typed: 万元 with two places, a whole count whole."""
    if value is None:
        return "–"
    whole = unit != "万元" and value == value.to_integral_value()
    return f"{figures.count(value) if whole else figures.wan(value)} {unit}".strip()
