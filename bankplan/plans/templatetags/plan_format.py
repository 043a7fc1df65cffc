"""Template filters for figures in plans: ``{{ value|wan }}``, ``{{ value|pct }}``,
``{{ value|kpi_value:kpi }}``."""

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
