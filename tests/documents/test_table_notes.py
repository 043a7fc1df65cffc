"""A sentence beside a dense table of figures (a KPI target's reason) is written under the
table, KPI by KPI, not squeezed into a column; on every page and in the PDF alike."""

from decimal import Decimal

from django.urls import reverse

from bankplan.documents.build import live_document
from bankplan.documents.rendering import render_plan_html
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.products import KpiTarget

REASON = "县域两家国有大行新设网点，存款分流；差额在二季度旺季争取。"


def test_a_targets_reason_is_a_note_under_the_table(client, plan, kpis, author):
    KpiTarget.objects.create(
        products=plan.products, kpi=kpis["deposits"], target=Decimal(50000), reason=REASON
    )
    KpiTarget.objects.create(products=plan.products, kpi=kpis["npl"], target=Decimal("1.2"))
    targets = (
        live_document(load_plan(plan), language="zh-hans").chapter("products").parts["targets"]
    )
    assert "reason" not in [column.name for column in targets.shown_columns]
    assert [(row.kpi.code, cell.shown) for row, cell in targets.notes] == [("deposits", REASON)]

    client.force_login(author)
    overview = client.get(reverse("plans:overview", args=[plan.pk])).content.decode()
    html = render_plan_html(plan, language="zh-hans")
    for shown in (overview, html):
        assert '<dl class="table-notes small">' in shown and REASON in shown
