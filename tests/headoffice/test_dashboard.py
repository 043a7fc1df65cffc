"""The dashboard as head office, a regional reviewer and a second-tier reviewer see it:
what each may open, what the pages and exports say, and what they cost in queries."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bankplan.headoffice.models import Allocation, KpiFigure
from bankplan.organisation.models import Unit, UnitKind
from bankplan.plans.models import Plan, Status


def unit_url(cycle, unit, name="headoffice:unit"):
    return reverse(name, args=[cycle.pk, unit.pk])


def export_url(cycle, unit, table, fmt):
    return reverse("headoffice:export_table", args=[cycle.pk, unit.pk, table, fmt])


def grow(bank, cycle, kpis, head_office, n):
    """``n`` more branches in each region, every other one with an approved plan whose
    figures count, and an allocation for each."""
    for region in (bank["r1"], bank["r2"]):
        first = Unit.objects.filter(code__startswith=f"{region.code}-").count()
        made = Unit.objects.bulk_create(
            Unit(
                code=f"{region.code}-{i:03}",
                name=f"{region.name}{i}号支行",
                kind=UnitKind.BRANCH,
                parent=region,
                region=region,
            )
            for i in range(first, first + n)
        )
        plans = Plan.objects.bulk_create(
            Plan(cycle=cycle, branch=branch, status=Status.APPROVED, created_by=head_office)
            for branch in made[::2]
        )
        KpiFigure.objects.bulk_create(
            KpiFigure(plan=plan, kpi=kpi, target=Decimal(10), last_actual=Decimal(8))
            for plan in plans
            for kpi in kpis.values()
        )
        Allocation.objects.bulk_create(
            Allocation(kpi=kpis["deposits"], unit=branch, target=12, set_by=head_office)
            for branch in made
        )


@pytest.fixture
def seen(client, bank, sub_branch, cycle, kpis, head_office):
    grow(bank, cycle, kpis, head_office, 2)
    return client


def test_head_office_lands_on_the_whole_bank(seen, cycle, bank, head_office):
    seen.force_login(head_office)
    response = seen.get("/", follow=True)
    assert response.redirect_chain[-1][0] == unit_url(cycle, bank["head"])
    page = response.content.decode()
    assert bank["r1"].name in page and bank["r2"].name in page
    assert "<svg" in page  # the progress chart, drawn by the PDF's chart code


def test_a_branch_manager_lands_on_the_plans_and_has_no_dashboard(seen, author, cycle, bank):
    seen.force_login(author)
    assert seen.get("/")["Location"] == reverse("plans:list")
    assert seen.get(reverse("headoffice:dashboard")).status_code == 404
    assert seen.get(unit_url(cycle, bank["r1"])).status_code == 404


def test_a_reviewer_sees_the_region_and_nothing_of_another(seen, reviewer, cycle, bank):
    seen.force_login(reviewer)
    response = seen.get(reverse("headoffice:dashboard"))
    assert response["Location"] == unit_url(cycle, bank["r1"])
    page = seen.get(unit_url(cycle, bank["r1"])).content.decode()
    assert bank["s1"].name in page and bank["r2"].name not in page
    for url in (
        unit_url(cycle, bank["r2"]),
        unit_url(cycle, bank["head"]),
        unit_url(cycle, bank["r2"], "headoffice:branches"),
        export_url(cycle, bank["r2"], "progress", "csv"),
        export_url(cycle, bank["r2"], "kpis", "xlsx"),
        export_url(cycle, bank["r2"], "branches", "csv"),
    ):
        assert seen.get(url).status_code == 404, url


def test_a_second_tier_reviewer_sees_only_that_unit(seen, sub_reviewer, cycle, bank):
    seen.force_login(sub_reviewer)
    assert seen.get(reverse("headoffice:dashboard"))["Location"] == unit_url(cycle, bank["s1"])
    branches = seen.get(unit_url(cycle, bank["s1"], "headoffice:branches")).content.decode()
    assert bank["d"].name in branches and bank["a"].name not in branches
    assert seen.get(unit_url(cycle, bank["r1"])).status_code == 404


def test_the_branch_list_is_searched_filtered_and_paged(seen, head_office, cycle, bank):
    seen.force_login(head_office)
    url = unit_url(cycle, bank["r1"], "headoffice:branches")
    page = seen.get(url, {"q": "R1-001"}).context["page"]
    assert [row["code"] for row in page.items] == ["R1-001"]
    started = seen.get(url, {"state": "approved"}).context["page"]
    assert [row["code"] for row in started.items] == ["R1-000"]
    not_started = seen.get(url, {"state": "not_started"}).context["page"]
    assert {row["code"] for row in not_started.items} == {"A", "B", "D", "R1-001"}
    first = seen.get(url, {"state": "not_started"}).context["page"]
    assert first.after is None and first.before is None


def test_pages_follow_each_other_by_code(seen, head_office, cycle, bank, settings):
    from bankplan.headoffice import views

    seen.force_login(head_office)
    url = unit_url(cycle, bank["r1"], "headoffice:branches")
    original, views.PAGE_SIZE = views.PAGE_SIZE, 2
    try:
        first = seen.get(url).context["page"]
        second = seen.get(url, {"after": first.after}).context["page"]
        back = seen.get(url, {"before": second.before}).context["page"]
    finally:
        views.PAGE_SIZE = original
    assert [row["code"] for row in first.items] == ["A", "B"]
    assert [row["code"] for row in second.items] == ["D", "R1-000"]
    assert [row["code"] for row in back.items] == ["A", "B"] and back.before is None


def test_the_tables_download_as_csv_and_xlsx(seen, head_office, cycle, bank):
    seen.force_login(head_office)
    response = seen.get(export_url(cycle, bank["head"], "progress", "csv"))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["单位", "支行数"]
    by_unit = {row[0]: row for row in rows[1:]}
    assert by_unit[bank["r1"].name][1] == "5"  # A, B, D and two grown branches

    response = seen.get(export_url(cycle, bank["head"], "kpis", "xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.freeze_panes == "A2"
    deposits = next(
        row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "deposits"
    )
    header = [cell.value for cell in sheet[1]]
    assert deposits[header.index("计划目标合计")] == 20  # one approved grown plan per region


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("who", ["head_office", "reviewer"])
def test_query_counts_do_not_grow_with_the_bank(seen, request, who, cycle, bank, kpis, head_office):
    user = request.getfixturevalue(who)
    seen.force_login(user)
    region = bank["r1"]
    top = bank["head"] if who == "head_office" else region
    urls = [
        unit_url(cycle, top),
        unit_url(cycle, region),
        unit_url(cycle, region, "headoffice:branches"),
        export_url(cycle, top, "progress", "csv"),
        export_url(cycle, top, "kpis", "xlsx"),
        export_url(cycle, top, "kpi", "csv"),
        export_url(cycle, region, "branches", "csv"),
        reverse("reviews:queue"),
        reverse("plans:list"),
    ]
    small = [count_queries(seen, url) for url in urls]
    grow(bank, cycle, kpis, head_office, 30)
    assert [count_queries(seen, url) for url in urls] == small
