"""The target cascade (指标分解): head office shares its targets out to the regions, a
region to the units below it; by page or by XLSX sheet; and the branch sees the target it
was given on its targets step, on its overview and in its PDF, frozen in each version."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from bankplan.documents.rendering import render_plan_html, render_version_html
from bankplan.headoffice.allocations import read_allocations_xlsx, save_allocations
from bankplan.headoffice.models import Allocation
from bankplan.organisation.models import Unit, UnitKind
from bankplan.plans.models import Cycle, Kpi
from bankplan.plans.sections.products import KpiTarget
from bankplan.reviews.models import Version
from bankplan.reviews.snapshots import snapshot_plan
from tests.htmlform import form_data


def grid_url(cycle, unit, **query):
    url = reverse("headoffice:allocations", args=[cycle.pk, unit.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def cell(unit, kpi) -> str:
    return f"u{unit.pk}-k{kpi.pk}"


def allocated(unit, kpi) -> Decimal | None:
    found = Allocation.objects.filter(unit=unit, kpi=kpi).first()
    return found.target if found else None


def allocate(by, **targets):
    """allocate(head_office, R1_deposits="60000"): allocations straight into the table."""
    for key, target in targets.items():
        code, kpi_code = key.split("_", 1)
        Allocation.objects.update_or_create(
            unit=Unit.objects.get(code=code),
            kpi=Kpi.objects.get(code=kpi_code),
            defaults={"target": Decimal(target), "set_by": by},
        )


@pytest.fixture
def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


# The page


def test_head_office_sets_its_own_target_and_the_regions(english, cycle, bank, kpis, head_office):
    english.force_login(head_office)
    response = english.get(grid_url(cycle, bank["head"]))
    assert response.status_code == 200
    rows = [row.unit.code for row in response.context["rows"]]
    assert rows == ["HO", "R1", "R2"]  # head office's own row first
    assert "Head office's own target" in response.content.decode()
    data = form_data(response)
    data[cell(bank["head"], kpis["deposits"])] = "100000"
    data[cell(bank["r1"], kpis["deposits"])] = "60000"
    data[cell(bank["r2"], kpis["deposits"])] = "38000.50"
    data[cell(bank["r1"], kpis["npl"])] = "1.2"
    response = english.post(grid_url(cycle, bank["head"]), data)
    assert response.status_code == 302
    assert allocated(bank["head"], kpis["deposits"]) == Decimal("100000")
    assert allocated(bank["r1"], kpis["deposits"]) == Decimal("60000")
    assert allocated(bank["r2"], kpis["deposits"]) == Decimal("38000.50")
    assert allocated(bank["r1"], kpis["npl"]) == Decimal("1.2")
    assert allocated(bank["r2"], kpis["npl"]) is None  # left empty: none
    page = english.get(grid_url(cycle, bank["head"]))
    deposits = page.context["columns"][0]
    # What is left to share out: the bank's 100,000 less the regions' 98,000.50.
    assert (deposits.own, deposits.shared, deposits.left) == (
        Decimal("100000"),
        Decimal("98000.50"),
        Decimal("1999.50"),
    )
    assert "1,999.50" in page.content.decode()
    assert not page.context["columns"][2].adds_up  # the NPL ratio is not added up

    # Emptying a cell takes the allocation away; the others stay as they were.
    data = form_data(page)
    data[cell(bank["r2"], kpis["deposits"])] = ""
    assert english.post(grid_url(cycle, bank["head"]), data).status_code == 302
    assert allocated(bank["r2"], kpis["deposits"]) is None
    assert allocated(bank["r1"], kpis["deposits"]) == Decimal("60000")


def test_a_reviewer_allocates_below_their_region_only(
    client, cycle, bank, kpis, head_office, reviewer, sub_branch
):
    allocate(head_office, R1_deposits="60000")
    client.force_login(reviewer)
    response = client.get(grid_url(cycle, bank["r1"]))
    assert response.status_code == 200
    # The second-tier branch and the branches hanging from the region directly.
    assert [row.unit.code for row in response.context["rows"]] == ["A", "B", "S1"]
    assert response.context["columns"][0].own == Decimal("60000")  # shown, not editable
    data = form_data(response)
    assert cell(bank["r1"], kpis["deposits"]) not in data
    data[cell(bank["a"], kpis["deposits"])] = "35000"
    data[cell(bank["s1"], kpis["deposits"])] = "20000"
    data[cell(bank["r1"], kpis["deposits"])] = "99999"  # a field the page does not have
    assert client.post(grid_url(cycle, bank["r1"]), data).status_code == 302
    assert allocated(bank["a"], kpis["deposits"]) == Decimal("35000")
    assert allocated(bank["s1"], kpis["deposits"]) == Decimal("20000")
    assert allocated(bank["r1"], kpis["deposits"]) == Decimal("60000")  # head office's

    # A second-tier branch's page lists its branches; the reviewer above allocates there.
    response = client.get(grid_url(cycle, bank["s1"]))
    assert [row.unit.code for row in response.context["rows"]] == ["D"]
    assert response.context["editable"]

    # Region 1 itself, head office's page and region 2 are not theirs.
    with pytest.raises(PermissionDenied):
        save_allocations(
            by=reviewer, cycle=cycle, entries=[(bank["r1"], kpis["deposits"], Decimal(1))]
        )
    assert client.get(grid_url(cycle, bank["head"])).status_code == 404
    assert client.get(grid_url(cycle, bank["r2"])).status_code == 404
    assert client.post(grid_url(cycle, bank["r2"]), {}).status_code == 404
    assert client.get(grid_url(cycle, bank["a"])).status_code == 404  # a branch: nothing below


def test_branch_people_never_see_the_page(client, cycle, bank, author):
    client.force_login(author)
    assert client.get(grid_url(cycle, bank["r1"])).status_code == 404


def test_wrong_cells_keep_what_was_typed_and_nothing_is_saved(english, cycle, bank, kpis, reviewer):
    english.force_login(reviewer)
    data = form_data(english.get(grid_url(cycle, bank["r1"])))
    data[cell(bank["a"], kpis["deposits"])] = "5万"
    data[cell(bank["a"], kpis["new_customers"])] = "12.5"
    data[cell(bank["b"], kpis["npl"])] = "120"
    data[cell(bank["b"], kpis["deposits"])] = "30000"  # fine, but not saved alone
    data[cell(bank["b"], kpis["new_customers"])] = "-3"
    response = english.post(grid_url(cycle, bank["r1"]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    for typed in ("5万", "12.5", "120", "30000", "-3"):
        assert f'value="{typed}"' in html
    errors = response.context["form"].errors
    assert errors[cell(bank["a"], kpis["deposits"])] == ["Enter a number."]
    assert "whole" in errors[cell(bank["a"], kpis["new_customers"])][0]
    assert "between 0 and 100" in errors[cell(bank["b"], kpis["npl"])][0]
    assert "zero or more" in errors[cell(bank["b"], kpis["new_customers"])][0]
    assert 'class="form-control form-control-sm text-end is-invalid"' in html
    assert not Allocation.objects.exists()


def test_the_service_writes_all_or_nothing(cycle, bank, kpis, head_office):
    with pytest.raises(ValidationError):
        save_allocations(
            by=head_office,
            cycle=cycle,
            entries=[
                (bank["r1"], kpis["deposits"], Decimal("60000")),
                (bank["r2"], kpis["new_customers"], Decimal("0.5")),
            ],
        )
    other = Cycle.objects.create(
        year=2028, name="2028", opens_on=cycle.opens_on, deadline=cycle.deadline
    )
    stranger = Kpi.objects.create(cycle=other, code="deposits", name="存款", measure="wan_yuan")
    with pytest.raises(ValidationError):
        save_allocations(by=head_office, cycle=cycle, entries=[(bank["r1"], stranger, Decimal(1))])
    assert not Allocation.objects.exists()
    entries = [(bank["r1"], kpis["deposits"], Decimal("60000"))]
    assert save_allocations(by=head_office, cycle=cycle, entries=entries) == 1
    assert save_allocations(by=head_office, cycle=cycle, entries=entries) == 0  # unchanged
    cycle.closed_at = timezone.now()
    cycle.save()
    with pytest.raises(ValidationError):
        save_allocations(
            by=head_office, cycle=cycle, entries=[(bank["r1"], kpis["deposits"], None)]
        )


def test_a_closed_cycle_shows_its_allocations_read_only(client, cycle, bank, kpis, head_office):
    allocate(head_office, R1_deposits="60000")
    cycle.closed_at = timezone.now()
    cycle.save()
    client.force_login(head_office)
    response = client.get(grid_url(cycle, bank["head"]))
    assert not response.context["editable"]
    assert "60,000.00" in response.content.decode()
    assert client.post(grid_url(cycle, bank["head"]), {}).status_code == 403


def branches_under(region, n):
    Unit.objects.bulk_create(
        Unit(code=f"N{i:03}", name=f"支行{i}", kind=UnitKind.BRANCH, parent=region, region=region)
        for i in range(n)
    )


def count_queries(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data)
    assert response.status_code in (200, 302)
    return len(queries)


def test_a_page_costs_the_same_queries_with_two_rows_or_fifty(
    client, cycle, bank, kpis, head_office
):
    client.force_login(head_office)
    branches_under(bank["r2"], 60)
    few, many = grid_url(cycle, bank["r1"]), grid_url(cycle, bank["r2"])
    assert count_queries(client, "get", few) == count_queries(client, "get", many)

    def filled(url):
        data = form_data(client.get(url))
        return {name: "10" for name in data}

    assert count_queries(client, "post", few, filled(few)) == count_queries(
        client, "post", many, filled(many)
    )


def test_a_region_of_many_branches_is_allocated_a_page_at_a_time(
    client, cycle, bank, kpis, head_office
):
    branches_under(bank["r2"], 60)  # C, then N000 … N059
    client.force_login(head_office)
    first = client.get(grid_url(cycle, bank["r2"]))
    codes = [row.unit.code for row in first.context["rows"]]
    assert len(codes) == 50 and codes[0] == "C" and codes[-1] == "N048"
    assert first.context["next_url"] and not first.context["previous_url"]
    second = client.get(first.context["next_url"])
    assert second.context["rows"][0].unit.code == "N049"
    assert len(second.context["rows"]) == 11
    data = {name: "100" for name in form_data(second)}
    assert client.post(first.context["next_url"], data).status_code == 302
    saved = Allocation.objects.filter(kpi=kpis["deposits"]).values_list("unit__code", flat=True)
    assert sorted(saved) == [f"N{i:03}" for i in range(49, 60)]  # the page shown only


# The sheet


def upload(client, cycle, unit, book):
    out = BytesIO()
    book.save(out)
    sheet = SimpleUploadedFile("targets.xlsx", out.getvalue())
    url = reverse("headoffice:allocations_upload", args=[cycle.pk, unit.pk])
    return client.post(url, {"sheet": sheet})


def test_the_sheet_goes_out_filled_in_and_comes_back(
    english, cycle, bank, kpis, reviewer, head_office
):
    allocate(head_office, A_deposits="30000", B_deposits="25000")
    english.force_login(reviewer)
    url = reverse("headoffice:allocations_template", args=[cycle.pk, bank["r1"].pk])
    response = english.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="allocations-2027-R1.xlsx"'
    book = load_workbook(BytesIO(response.content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == [
        "Unit code",
        "Unit name",
        "deposits",
        "new_customers",
        "npl",
    ]
    assert sheet["C2"].value == "Total deposits（10k yuan）"
    assert [sheet["A3"].value, sheet["B3"].value, sheet["C3"].value] == ["A", "城关支行", 30000]
    assert sheet["A4"].value == "B"

    sheet["C3"] = 52000.5
    sheet["D3"] = 120
    sheet["E3"] = 1.25
    sheet["C4"] = None  # B's allocation taken away
    response = upload(english, cycle, bank["r1"], book)
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 targets change" in html and "for 2 units" in html
    assert "30,000.00" in html and "52,000.50" in html and "1.25%" in html
    assert "taken away" in html
    assert allocated(bank["a"], kpis["deposits"]) == Decimal("30000")  # not yet

    confirm = reverse("headoffice:allocations_upload", args=[cycle.pk, bank["r1"].pk])
    response = english.post(confirm, {"token": response.context["token"]})
    assert response.status_code == 302
    assert allocated(bank["a"], kpis["deposits"]) == Decimal("52000.50")
    assert allocated(bank["a"], kpis["new_customers"]) == Decimal("120")
    assert allocated(bank["a"], kpis["npl"]) == Decimal("1.25")
    assert allocated(bank["b"], kpis["deposits"]) is None
    assert Allocation.objects.get(unit=bank["a"], kpi=kpis["npl"]).set_by == reviewer
    # The token is spent.
    again = english.post(confirm, {"token": "whatever"})
    assert again.status_code == 302 and allocated(bank["a"], kpis["npl"]) == Decimal("1.25")


def bad_book():
    book = Workbook()
    sheet = book.active
    sheet.append(["Unit code", "Unit name", "deposits", "bogus", "new_customers"])
    sheet.append([None, None, "Total deposits", "?", "New customers"])
    sheet.append(["A", "城关支行", "abc", 1, 2.5])  # row 3: no number; not whole
    sheet.append(["C", "河西支行", 100, None, 1])  # row 4: region 2's
    sheet.append(["ZZZ", "?", 100, None, 1])  # row 5: no such unit
    sheet.append(["B", "新区支行", -5, None, 1])  # row 6: negative
    sheet.append(["B", "新区支行", 5, None, 1])  # row 7: B again
    sheet.append([None, None, None, None, None])  # blank rows are skipped
    return book


def test_a_bad_sheet_is_refused_whole_with_each_problem_by_row_and_column(
    english, cycle, bank, kpis, reviewer
):
    out = BytesIO()
    bad_book().save(out)
    out.seek(0)
    entries, errors = read_allocations_xlsx(out, cycle=cycle, user=reviewer)
    assert entries == []
    assert sorted((e.row or 0, e.column) for e in errors) == [
        (0, "D"),  # the header's unknown KPI code
        (3, "C"),
        (3, "E"),
        (4, "A"),
        (5, "A"),
        (6, "C"),
        (7, "A"),
    ]
    english.force_login(reviewer)
    response = upload(english, cycle, bank["r1"], bad_book())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "Column D: “bogus” is no KPI code of this cycle." in html
    assert "Row 3, column C (deposits): Enter a number." in html
    assert "Row 3, column E (new_customers): New active customers is counted in whole" in html
    assert "Row 4, column A: 河西支行（C） is not a unit you allocate targets to." in html
    assert "Row 5, column A: No unit has the code “ZZZ”." in html
    assert "Row 6, column C (deposits): Enter a figure of zero or more." in html
    assert "Row 7, column A: B is also on row 6." in html
    assert not Allocation.objects.exists()


def test_a_file_that_is_no_sheet_is_refused(english, cycle, bank, head_office):
    english.force_login(head_office)
    url = reverse("headoffice:allocations_upload", args=[cycle.pk, bank["head"].pk])
    response = english.post(url, {"sheet": SimpleUploadedFile("t.xlsx", b"not a zip")})
    assert "This is not an XLSX file." in response.content.decode()
    assert not Allocation.objects.exists()


# What the branch sees


@pytest.fixture
def targets(plan, kpis):
    """Branch A's own targets: 48,000 of deposits, 300 customers, an NPL ratio of 1.5%."""
    for code, target in (("deposits", "48000"), ("new_customers", "300"), ("npl", "1.5")):
        KpiTarget.objects.create(products=plan.products, kpi=kpis[code], target=Decimal(target))
    return plan


def test_the_targets_step_shows_the_allocated_target_beside_the_branchs_own(
    english, targets, author, head_office, bank
):
    allocate(head_office, A_deposits="50000", A_new_customers="250", A_npl="1.2")
    english.force_login(author)
    response = english.get(reverse("plans:section", args=[targets.pk, "products"]))
    html = response.content.decode()
    assert "allocated 50,000.00" in html
    # Short of a higher-is-better target, over a lower-is-better one: marked.
    mark = '<i class="bi bi-exclamation-triangle-fill me-1" aria-hidden="true"></i>'
    assert f'<span class="gap-adverse">{mark}-2,000.00 short</span>' in html
    assert '<span class="gap-fine">+50</span>' in html  # beyond it: not marked
    assert f'<span class="gap-adverse">{mark}+0.30 pp over</span>' in html
    # Read-only: no field to change it.
    assert "allocated" not in "".join(form_data(response))


def test_the_plan_document_shows_the_allocation_and_its_gap(targets, head_office):
    allocate(head_office, A_deposits="50000", A_npl="1.5")
    html = render_plan_html(targets, language="en")
    assert "Allocated target" in html and "Against the allocation" in html
    assert "50,000.00" in html
    assert '<td class="text-end text-nowrap text-danger fw-semibold">-2,000.00 short</td>' in html
    assert '<td class="text-end text-nowrap">on target</td>' in html  # the NPL ratio


def test_a_plan_without_allocations_has_no_allocation_columns(targets):
    html = render_plan_html(targets, language="en")
    assert "Allocated target" not in html


def test_the_overview_shows_the_allocation(client, targets, author, head_office):
    allocate(head_office, A_deposits="50000")
    client.force_login(author)
    html = client.get(reverse("plans:overview", args=[targets.pk])).content.decode()
    assert "50,000.00" in html


def test_a_version_keeps_the_allocation_it_was_submitted_with(targets, author, head_office):
    allocate(head_office, A_deposits="50000")
    version = Version.objects.create(
        plan=targets, number=1, snapshot=snapshot_plan(targets), submitted_by=author
    )
    allocate(head_office, A_deposits="47000")
    html = render_version_html(version, approved=False, language="en")
    assert "50,000.00" in html and "-2,000.00 short" in html
    assert "47,000.00" not in html
    assert "47,000.00" in render_plan_html(targets, language="en")  # the live plan moves on


def test_the_snapshot_reads_the_allocations_in_one_query(targets, head_office):
    from bankplan.plans.progress import load_plan

    loaded = load_plan(targets)

    def snapshot_queries():
        with CaptureQueriesContext(connection) as queries:
            snapshot = snapshot_plan(loaded, loaded=True)
        return len(queries), snapshot["sections"]["products"]["tables"]["targets"]

    allocate(head_office, A_deposits="50000")
    one, rows = snapshot_queries()
    assert [row["values"].get("allocated") for row in rows] == ["50000.00", None, None]
    allocate(head_office, A_new_customers="250", A_npl="1.2")
    three, rows = snapshot_queries()
    assert [row["values"]["allocated"] for row in rows] == ["50000.00", "250.00", "1.20"]
    assert one == three


def test_an_old_snapshot_without_allocations_still_reads(targets, author, head_office):
    snapshot = snapshot_plan(targets)
    version = Version.objects.create(plan=targets, number=1, snapshot=snapshot, submitted_by=author)
    allocate(head_office, A_deposits="50000")  # set after the version was made
    html = render_version_html(version, approved=False, language="en")
    assert "Allocated target" not in html and "48,000.00" in html
