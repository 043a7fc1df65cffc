"""``{{ value|kpi_value:kpi }}``: a figure written the way its KPI's unit is, where a form
shows it (plan documents write their figures in ``documents/values.py``)."""

from django import template

from bankplan.lib import figures

register = template.Library()


@register.filter
def kpi_value(value, kpi) -> str:
    """A figure written the way its KPI's unit is written."""
    return figures.in_measure(value, kpi.measure)
