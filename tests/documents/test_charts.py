import re
from decimal import Decimal

from bankplan.documents import charts
from bankplan.documents.build import live_document
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.background import LastYearResult
from bankplan.plans.sections.products import KpiTarget


def document_of(plan):
    return live_document(load_plan(plan), language="zh-hans")


def fill(plan, kpis):
    figures = {
        "deposits": ("50000", "56000", ["1500", "1500", "1500", "1500"]),
        "new_customers": ("1000", "900", ["300", "200", "200", "200"]),
        "npl": ("1.32", "1.25", ["1.3", "1.3", "1.28", "1.25"]),
    }
    for code, (last, target, quarters) in figures.items():
        LastYearResult.objects.create(
            background=plan.background, kpi=kpis[code], last_actual=Decimal(last)
        )
        KpiTarget.objects.create(
            products=plan.products,
            kpi=kpis[code],
            target=Decimal(target),
            **{f"q{i}": Decimal(q) for i, q in enumerate(quarters, 1)},
        )


def test_the_change_chart_shows_each_target_against_last_year(plan, kpis):
    fill(plan, kpis)
    svg = charts.change_chart(charts.kpi_figures(document_of(plan)))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "+12.0%" in svg and "-10.0%" in svg
    assert "5.60 亿元" in svg  # 56,000 万元 reads in 亿元
    # a ratio changes by percentage points and keeps the decimal that was entered
    assert "-0.07 个百分点  1.25%" in svg
    # fewer new customers is worse (red); a lower NPL ratio is better (green)
    colours = re.findall(r'fill="(#[0-9a-f]{6})"/>', svg)
    assert colours == ["#2e7d32", "#c62828", "#2e7d32"]


def test_the_quarter_chart_shares_out_each_year(plan, kpis):
    fill(plan, kpis)
    svg = charts.quarter_chart(charts.kpi_figures(document_of(plan)))
    assert "25%" in svg and "33%" in svg  # deposits in equal quarters; new customers 300 of 900
    assert "不良贷款率" not in svg  # a ratio's quarters are checkpoints, not shares


def test_names_are_escaped_in_the_svg(plan, kpis):
    kpis["deposits"].name = "<script>x</script>"
    kpis["deposits"].save()
    fill(plan, kpis)
    svg = charts.change_chart(charts.kpi_figures(document_of(plan)))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_no_chart_without_figures(plan):
    rows = charts.kpi_figures(document_of(plan))
    assert charts.change_chart(rows) == "" and charts.quarter_chart(rows) == ""
