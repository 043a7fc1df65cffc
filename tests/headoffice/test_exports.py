"""Downloads: any dashboard table as CSV or XLSX, and every branch's targets of a cycle.

The hand-made case: region 1 holds branch A (submitted), branch B (draft, nothing counted
yet) and, below second-tier branch S1, branch D (approved); region 2 holds branch C (not
started, but allocated a target)."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from bankplan.headoffice.exports import csv_response, export_response, xlsx_response
from bankplan.headoffice.models import Allocation, KpiFigure
from bankplan.headoffice.tables import Column, ColumnKind, Table
from bankplan.organisation.models import Unit, UnitKind
from bankplan.plans.models import Plan, Status

BOM = "\ufeff"


def counted(plan, status, kpis, targets):
    """The plan as if its latest version were submitted with ``targets`` (KPI code ->
    target)."""
    Plan.objects.filter(pk=plan.pk).update(status=status)
    KpiFigure.objects.bulk_create(
        KpiFigure(plan=plan, kpi=kpis[code], target=Decimal(target))
        for code, target in targets.items()
    )


@pytest.fixture
def case(bank, sub_branch, cycle, kpis, start, head_office):
    counted(
        start("a"),
        Status.SUBMITTED,
        kpis,
        {"deposits": "12345.6", "new_customers": "120", "npl": "1.25"},
    )
    start("b")
    counted(start("d"), Status.APPROVED, kpis, {"deposits": "500", "npl": "0.8"})
    for unit, code, target in (("a", "deposits", "12000"), ("c", "new_customers", "45")):
        Allocation.objects.create(
            kpi=kpis[code], unit=bank[unit], target=Decimal(target), set_by=head_office
        )
    return bank


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    text = content(response).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


def sheet_of(response):
    return load_workbook(io.BytesIO(content(response))).active


def targets_url(cycle, fmt="xlsx", unit=None):
    name = "headoffice:branch_targets" if fmt == "xlsx" else "headoffice:branch_targets_csv"
    url = reverse(name, args=[cycle.pk])
    return f"{url}?unit={unit.pk}" if unit is not None else url


def branch_codes(rows) -> list[str]:
    return [row[2] for row in rows[1:]]


# Any dashboard table


def sample_table(rows) -> Table:
    return Table(
        title="进度: 2027 [东区]",
        filename="progress-2027",
        columns=[
            Column("name", "支行"),
            Column("plans", "计划数", ColumnKind.INTEGER),
            Column("deposits", "存款（万元）", ColumnKind.AMOUNT),
            Column("npl", "不良率", ColumnKind.PERCENT),
        ],
        rows=rows,
    )


SAMPLE_ROWS = [
    ("城关支行", 3, Decimal("12345.60"), Decimal("1.25")),
    ('=HYPERLINK("http://x")', Decimal("7.00"), Decimal("1E+5"), None),
    ("新区\x07支行", None, Decimal("-3.5"), Decimal("0.125")),
]


def test_csv_is_streamed_with_a_bom_figures_as_shown_and_text_kept_as_text():
    pulled = []

    def rows():
        for row in SAMPLE_ROWS:
            pulled.append(row)
            yield row

    response = csv_response(sample_table(rows()))
    assert response.streaming and pulled == []  # nothing read before it is sent
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="progress-2027.csv"'
    assert csv_rows(response) == [
        ["支行", "计划数", "存款（万元）", "不良率"],
        ["城关支行", "3", "12345.60", "1.25"],
        ['\'=HYPERLINK("http://x")', "7", "100000.00", ""],
        ["新区\x07支行", "", "-3.50", "0.13"],
    ]


def test_xlsx_has_a_bold_frozen_header_and_formatted_number_cells():
    response = xlsx_response(sample_table(iter(SAMPLE_ROWS)))
    assert response["Content-Disposition"] == 'attachment; filename="progress-2027.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = sheet_of(response)
    assert sheet.title == "进度  2027  东区"  # Excel refuses ":" and brackets in a name
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == ["支行", "计划数", "存款（万元）", "不良率"]
    assert all(cell.font.b for cell in sheet[1])
    name, plans, deposits, npl = sheet[2]
    assert (name.value, name.data_type) == ("城关支行", "s")
    assert (plans.value, plans.data_type, plans.number_format) == (3, "n", "#,##0")
    assert (deposits.value, deposits.number_format) == (12345.6, "#,##0.00")
    assert (npl.value, npl.number_format) == (1.25, '0.00"%"')
    formula, whole, large, missing = sheet[3]
    assert (formula.value, formula.data_type) == ('=HYPERLINK("http://x")', "s")
    assert (whole.value, large.value, missing.value) == (7, 100000, None)
    assert sheet["A4"].value == "新区支行"  # a control character Excel would refuse
    assert (sheet["C4"].value, sheet["D4"].value) == (-3.5, 0.125)  # shown rounded, kept whole
    assert sheet.max_row == 4


def test_a_wide_table_keeps_its_columns_past_z():
    columns = [Column(f"k{number}", f"指标{number}", ColumnKind.INTEGER) for number in range(60)]
    table = Table("宽表", "wide", columns, [tuple(range(60))])
    sheet = sheet_of(xlsx_response(table))
    assert [cell.value for cell in sheet[2]] == list(range(60))
    assert (sheet["AA1"].value, sheet["BH2"].value) == ("指标26", 59)
    assert sheet.column_dimensions["BH"].width >= 10


def test_a_chinese_file_name_is_sent_for_any_browser():
    table = sample_table([])
    table.filename = "进度-2027"
    disposition = export_response(table, "xlsx")["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''%E8%BF%9B%E5%BA%A6-2027.xlsx"


def test_only_csv_and_xlsx_exist():
    assert export_response(sample_table([]), "csv").streaming
    with pytest.raises(Http404):
        export_response(sample_table([]), "pdf")


# Every branch's targets


def test_branch_targets_csv_lists_every_branch_with_its_counted_and_allocated_targets(
    client, case, cycle, head_office
):
    client.force_login(head_office)
    response = client.get(targets_url(cycle, "csv"))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="branch-targets-2027.csv"'
    rows = csv_rows(response)
    with translation.override("zh-hans"):
        not_started = translation.gettext("Not started")
        header = [
            translation.gettext("%(kpi)s: plan target (%(unit)s)") % {"kpi": kpi, "unit": unit}
            for kpi, unit in (("各项存款余额", "万元"), ("新增有效客户", "户"), ("不良贷款率", "%"))
        ]
    assert rows[0][5::2] == header
    assert "各项存款余额" in rows[0][6] and "万元" in rows[0][6]
    assert rows[1:] == [
        ["东区分行", "", "A", "城关支行", "已提交", "12345.60", "12000.00", "120", "", "1.25", ""],
        ["东区分行", "", "B", "新区支行", "草稿", "", "", "", "", "", ""],
        ["东区分行", "东区二级分行", "D", "山前支行", "已批准", "500.00", "", "", "", "0.80", ""],
        ["西区分行", "", "C", "河西支行", not_started, "", "", "", "45", "", ""],
    ]


def test_branch_targets_xlsx_has_number_cells_and_chinese_headers(client, case, cycle, head_office):
    client.force_login(head_office)
    response = client.get(targets_url(cycle))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="branch-targets-2027.xlsx"'
    sheet = sheet_of(response)
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    with translation.override("zh-hans"):
        assert header[:2] == [
            translation.gettext("Region"),
            translation.gettext("Second-tier branch"),
        ]
    assert "各项存款余额" in header[5] and "万元" in header[5]
    assert "新增有效客户" in header[7] and "户" in header[7]
    assert "不良贷款率" in header[9] and "%" in header[9]
    a = sheet[2]
    assert [cell.value for cell in a[:5]] == ["东区分行", None, "A", "城关支行", "已提交"]
    assert (a[5].value, a[5].data_type, a[5].number_format) == (12345.6, "n", "#,##0.00")
    assert (a[6].value, a[6].number_format) == (12000, "#,##0.00")
    assert (a[7].value, a[7].number_format) == (120, "#,##0")
    assert (a[9].value, a[9].number_format) == (1.25, '0.00"%"')
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == ["A", "B", "D", "C"]


def test_branch_targets_speak_english_to_an_english_reader(client, case, cycle, head_office):
    client.force_login(head_office)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    sheet = sheet_of(client.get(targets_url(cycle)))
    header = [cell.value for cell in sheet[1]]
    assert header[5:8] == [
        "Total deposits: plan target (10k yuan)",
        "Total deposits: allocated (10k yuan)",
        "New active customers: plan target (customers)",
    ]
    assert sheet["E2"].value == "Submitted"
    assert sheet["E5"].value == "Not started"


def test_a_unit_narrows_the_export_to_the_branches_below_it(client, case, cycle, head_office):
    client.force_login(head_office)
    r1 = csv_rows(client.get(targets_url(cycle, "csv", case["r1"])))
    assert branch_codes(r1) == ["A", "B", "D"]
    s1 = client.get(targets_url(cycle, "xlsx", case["s1"]))
    assert s1["Content-Disposition"] == 'attachment; filename="branch-targets-2027-S1.xlsx"'
    assert [row[2].value for row in sheet_of(s1).iter_rows(min_row=2)] == ["D"]
    whole = csv_rows(client.get(targets_url(cycle, "csv", case["head"])))
    assert branch_codes(whole) == ["A", "B", "D", "C"]


def test_a_reviewer_exports_their_own_branches_only(
    client, case, cycle, reviewer, other_reviewer, sub_reviewer
):
    client.force_login(other_reviewer)
    data = content(client.get(targets_url(cycle, "csv"))).decode("utf-8")
    assert branch_codes(csv_rows(client.get(targets_url(cycle, "csv")))) == ["C"]
    assert "东区" not in data and "12345.60" not in data
    sheet = sheet_of(client.get(targets_url(cycle)))
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == ["C"]
    for fmt in ("csv", "xlsx"):
        assert client.get(targets_url(cycle, fmt, case["r1"])).status_code == 404
        assert client.get(targets_url(cycle, fmt, case["a"])).status_code == 404
        assert client.get(targets_url(cycle, fmt, case["head"])).status_code == 404

    client.force_login(sub_reviewer)
    assert branch_codes(csv_rows(client.get(targets_url(cycle, "csv")))) == ["D"]
    assert client.get(targets_url(cycle, "csv", case["r1"])).status_code == 404

    client.force_login(reviewer)
    assert branch_codes(csv_rows(client.get(targets_url(cycle, "csv")))) == ["A", "B", "D"]


def test_branch_people_and_unknown_things_get_404(client, case, cycle, author, head_office):
    client.force_login(author)
    for fmt in ("csv", "xlsx"):
        assert client.get(targets_url(cycle, fmt)).status_code == 404
        assert client.get(targets_url(cycle, fmt, case["a"])).status_code == 404
    client.force_login(head_office)
    url = reverse("headoffice:branch_targets", args=[cycle.pk])
    assert client.get(f"{url}?unit=R1").status_code == 404
    assert client.get(f"{url}?unit=999999").status_code == 404
    assert client.get(reverse("headoffice:branch_targets", args=[999999])).status_code == 404
    assert client.post(url).status_code == 405


def more_branches(bank, cycle, kpis, head_office, count: int) -> None:
    """``count`` more branches in region 2, each with a submitted plan counted and every
    KPI allocated."""
    branches = Unit.objects.bulk_create(
        Unit(
            code=f"X{number:03d}",
            name=f"测试支行{number}",
            kind=UnitKind.BRANCH,
            parent=bank["r2"],
            region=bank["r2"],
        )
        for number in range(count)
    )
    plans = Plan.objects.bulk_create(
        Plan(cycle=cycle, branch=branch, status=Status.SUBMITTED, created_by=head_office)
        for branch in branches
    )
    KpiFigure.objects.bulk_create(
        KpiFigure(plan=plan, kpi=kpi, target=Decimal(10)) for plan in plans for kpi in kpis.values()
    )
    Allocation.objects.bulk_create(
        Allocation(kpi=kpi, unit=branch, target=Decimal(9), set_by=head_office)
        for branch in branches
        for kpi in kpis.values()
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_reads_the_database_the_same_number_of_times_at_any_size(
    client, case, cycle, kpis, head_office, fmt
):
    client.force_login(head_office)

    def queries_and_rows() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(targets_url(cycle, fmt))
            rows = len(csv_rows(response)) if fmt == "csv" else sheet_of(response).max_row
        return len(queries), rows - 1

    small = queries_and_rows()
    more_branches(case, cycle, kpis, head_office, 26)
    large = queries_and_rows()
    assert (small[1], large[1]) == (4, 30)
    assert small[0] == large[0]
