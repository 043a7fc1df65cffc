"""``{% plan_charts doc %}``: the target charts of a document, on every page and in the PDF."""

from django import template
from django.utils.html import format_html_join

from bankplan.documents import charts

register = template.Library()


@register.simple_tag
def plan_charts(document):
    rows = charts.kpi_figures(document)
    drawn = [svg for svg in (charts.change_chart(rows), charts.quarter_chart(rows)) if svg]
    return format_html_join("", '<figure class="plan-chart">{}</figure>', ((svg,) for svg in drawn))
