"""Head office imports last year's official actuals: a template to fill, a preview of what
changes with every problem by row and column, and a confirmation writing all or nothing."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bankplan.actuals import importing
from bankplan.actuals.models import ActualsImport, OfficialActual
from bankplan.audit.models import Action, Event
from bankplan.organisation.models import Role, Unit, UnitKind
from tests.conftest import make_user

from .conftest import HEADER, csv_file, xlsx_file

CLEAN = [
    HEADER,
    ("", "", "Total deposits (10k yuan)", "", ""),  # the template's second header row
    ("A", "城关支行", "52000.50", "310", "1.25"),
    ("B", "新区支行", "41000", "", "2"),
]


def official() -> dict[tuple[str, str], D]:
    return {
        (f.branch.code, f.kpi.code): f.actual
        for f in OfficialActual.objects.select_related("branch", "kpi")
    }


# The template


def test_the_template_lists_every_branch_and_kpi_code_with_the_figures_so_far(
    planner, cycle, bank, kpis, head_office
):
    staged = importing.stage(csv_file(CLEAN), cycle=cycle, by=head_office).upload
    importing.apply(staged.pk, cycle=cycle, by=head_office)
    response = planner.get(reverse("actuals:template", args=[cycle.pk, "xlsx"]))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0] == ("Branch code", "Branch name", "deposits", "new_customers", "npl")
    assert rows[1][:3] == (None, None, "Total deposits（10k yuan）")
    assert [row[:2] for row in rows[2:]] == [
        ("A", "城关支行"),
        ("B", "新区支行"),
        ("C", "河西支行"),
    ]
    assert rows[2][2:] == (52000.5, 310, 1.25) and rows[4][2:] == (None, None, None)

    response = planner.get(reverse("actuals:template", args=[cycle.pk, "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][2:] == ["deposits", "new_customers", "npl"]
    assert rows[3] == ["B", "新区支行", "41000.00", "", "2.00"]
    assert Event.objects.filter(action=Action.EXPORTED, detail="actuals-2027.csv").exists()


def test_the_filled_template_comes_back_unchanged(planner, cycle, bank, head_office):
    staged = importing.stage(csv_file(CLEAN), cycle=cycle, by=head_office).upload
    importing.apply(staged.pk, cycle=cycle, by=head_office)
    for fmt in ("csv", "xlsx"):
        response = planner.get(reverse("actuals:template", args=[cycle.pk, fmt]))
        file = xlsx_file([]) if fmt == "xlsx" else csv_file([])
        file.file = io.BytesIO(b"".join(response.streaming_content))
        file.size = len(file.file.getvalue())
        again = importing.stage(file, cycle=cycle, by=head_office)
        assert not again.errors
        assert (again.upload.added, again.upload.changed, again.upload.unchanged) == (0, 0, 5)


# The preview


def test_a_file_with_mistakes_is_reported_by_row_and_column_and_nothing_is_written(
    upload, cycle, bank
):
    rows = [
        (*HEADER, "bogus"),
        ("A", "城关支行", "lots", "310.5", "101", ""),
        ("ZZZ", "nowhere", "1", "1", "1", ""),
        ("R1", "东区分行", "1", "1", "1", ""),
        ("B", "新区支行", "-5", "", "", ""),
        ("B", "新区支行", "5", "", "", ""),
    ]
    response = upload(csv_file(rows))
    html = response.content.decode()
    assert "Nothing was imported" in html
    for message in (
        "Column F: “bogus” is no KPI code of this cycle.",
        "Row 2, column C (deposits): Enter a number.",
        "Row 2, column D (new_customers): New active customers is counted in whole customers.",
        "Row 2, column E (npl): A percentage lies between 0 and 100.",
        "Row 3, column A: No unit has the code “ZZZ”.",
        "Row 4, column A: 东区分行（R1） is not a branch: official actuals are a branch&#x27;s.",
        "Row 5, column C (deposits): Enter a figure of zero or more.",
        "Row 6, column A: B is also on row 5.",
    ):
        assert message in html, message
    assert not OfficialActual.objects.exists() and not ActualsImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xef\xbb\xbf", "empty.csv", "The file is empty."),
        (b"code,name,deposits\r\n", "header.csv", "The file has no branch rows"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "This is not an XLSX file."),
        (b"\x00\x01\x02\xff\xfe", "binary.csv", "This is neither an XLSX file nor a CSV file."),
    ],
)
def test_an_empty_or_unreadable_file_is_refused(upload, cycle, bank, content, name, message):
    html = upload(SimpleUploadedFile(name, content)).content.decode()
    assert message in html
    assert not ActualsImport.objects.exists()


def test_a_clean_file_previews_what_changes_and_the_confirmation_writes_it(
    upload, confirm, cycle, bank, kpis, head_office
):
    first = importing.stage(
        csv_file([HEADER, ("A", "", "50000", "310", "")]), cycle=cycle, by=head_office
    )
    importing.apply(first.upload.pk, cycle=cycle, by=head_office)
    response = upload(csv_file(CLEAN))
    html = response.content.decode()
    staged = ActualsImport.objects.get(state="staged")
    assert (staged.branches, staged.added, staged.changed, staged.unchanged) == (2, 3, 1, 1)
    assert '<dd class="col-sm-9" data-count="changed">1</dd>' in html
    assert "50,000.00" in html and "52,000.50" in html  # old -> new
    assert official() == {("A", "deposits"): D("50000"), ("A", "new_customers"): D("310")}

    response = confirm(staged)
    assert "Imported: actuals.csv: 2 branches; 3 new, 1 changed, 1 unchanged figures." in (
        response.content.decode()
    )
    assert official() == {
        ("A", "deposits"): D("52000.50"),
        ("A", "new_customers"): D("310"),
        ("A", "npl"): D("1.25"),
        ("B", "deposits"): D("41000"),
        ("B", "npl"): D("2"),
    }
    event = Event.objects.filter(action=Action.ACTUALS_IMPORTED).latest("pk")
    assert event.changes | {"sha256": ""} == {
        "file": "actuals.csv",
        "sha256": "",
        "branches": 2,
        "added": 3,
        "changed": 1,
        "unchanged": 1,
    }
    assert event.actor == head_office and event.subject == str(cycle)
    # Confirmed once: a second confirmation (a double click) is told.
    response = confirm(staged)
    assert "no longer waiting" in response.content.decode()
    assert Event.objects.filter(action=Action.ACTUALS_IMPORTED).count() == 2


def test_an_xlsx_file_reads_as_the_csv_does(upload, cycle, bank):
    upload(xlsx_file([HEADER, ("A", "城关支行", 52000.5, 310, 1.25)]))
    staged = ActualsImport.objects.get()
    assert staged.staged["figures"] == [
        [bank["a"].pk, staged.cycle.kpis.get(code=code).pk, figure]
        for code, figure in (("deposits", "52000.50"), ("new_customers", "310.00"), ("npl", "1.25"))
    ]


def test_a_csv_saved_by_chinese_excel_reads_too(upload, cycle, bank):
    upload(csv_file([HEADER, ("A", "城关支行", "1", "2", "3")], encoding="gb18030"))
    assert ActualsImport.objects.get().added == 3


# The confirmation


def test_a_branch_removed_since_the_preview_refuses_the_import(
    upload, confirm, cycle, bank, head_office
):
    upload(csv_file(CLEAN))
    staged = ActualsImport.objects.get()
    bank["b"].delete()
    html = confirm(staged).content.decode()
    assert "The KPI catalogue or the branches changed since the preview" in html
    assert not OfficialActual.objects.exists()
    assert not Event.objects.filter(action=Action.ACTUALS_IMPORTED).exists()


def test_a_kpi_added_since_the_preview_refuses_the_import(upload, confirm, cycle, bank, kpis):
    upload(csv_file(CLEAN))
    cycle.kpis.create(code="cards", name="新增信用卡", measure="cards", position=4)
    html = confirm(ActualsImport.objects.get()).content.decode()
    assert "The KPI catalogue or the branches changed" in html
    assert not OfficialActual.objects.exists()


def test_of_two_previews_the_second_to_be_confirmed_is_told(cycle, bank, head_office):
    colleague = make_user("planner2", bank["head"], Role.HEAD_OFFICE_PLANNER)
    mine = importing.stage(csv_file(CLEAN), cycle=cycle, by=head_office).upload
    theirs = importing.stage(csv_file(CLEAN[:3]), cycle=cycle, by=colleague).upload
    importing.apply(theirs.pk, cycle=cycle, by=colleague)
    with pytest.raises(ValidationError, match="Another import of this cycle was confirmed"):
        importing.apply(mine.pk, cycle=cycle, by=head_office)
    assert set(official()) == {("A", "deposits"), ("A", "new_customers"), ("A", "npl")}


def test_a_failure_while_writing_leaves_nothing_written(cycle, bank, head_office):
    staged = importing.stage(csv_file(CLEAN), cycle=cycle, by=head_office).upload
    # The last figure is one the database refuses, after the others were sent.
    staged.staged["figures"][-1][2] = "-1"
    staged.save()
    with pytest.raises(IntegrityError):
        importing.apply(staged.pk, cycle=cycle, by=head_office)
    assert not OfficialActual.objects.exists()
    staged.refresh_from_db()
    assert staged.state == "staged"
    assert not Event.objects.filter(action=Action.ACTUALS_IMPORTED).exists()


def test_a_new_preview_replaces_the_one_waiting_and_any_left_for_a_day(
    upload, cycle, bank, head_office
):
    colleague = make_user("planner2", bank["head"], Role.HEAD_OFFICE_PLANNER)
    theirs = importing.stage(csv_file(CLEAN), cycle=cycle, by=colleague).upload
    upload(csv_file(CLEAN))
    upload(csv_file(CLEAN[:3]))
    assert sorted(ActualsImport.objects.values_list("created_by", "branches")) == [
        (head_office.pk, 1),
        (colleague.pk, 2),
    ]
    ActualsImport.objects.filter(pk=theirs.pk).update(
        created_at=timezone.now() - importing.STAGED_FOR
    )
    upload(csv_file(CLEAN))
    assert list(ActualsImport.objects.values_list("created_by", flat=True)) == [head_office.pk]


def test_a_closed_cycle_takes_no_import(planner, cycle, bank, head_office):
    cycle.closed_at, cycle.closed_by = timezone.now(), head_office
    cycle.save()
    url = reverse("actuals:upload", args=[cycle.pk])
    assert planner.post(url, {"file": csv_file(CLEAN)}).status_code == 403
    assert planner.get(reverse("actuals:page", args=[cycle.pk])).status_code == 200


# Who may


def test_only_head_office_imports(client, cycle, bank, author, reviewer):
    urls = [
        ("get", reverse("actuals:page", args=[cycle.pk])),
        ("get", reverse("actuals:template", args=[cycle.pk, "csv"])),
        ("post", reverse("actuals:upload", args=[cycle.pk])),
        ("post", reverse("actuals:confirm", args=[cycle.pk])),
    ]
    for user, status in ((author, 404), (reviewer, 403)):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == status, (user, url)


def test_the_changes_are_listed_a_page_at_a_time(planner, upload, cycle, bank, head_office):
    branches = Unit.objects.bulk_create(
        Unit(code=f"X{n:03}", name=f"支行{n}", kind=UnitKind.BRANCH, parent=bank["r1"])
        for n in range(60)
    )
    rows = [(branch.code, "", str(n + 1), "", "") for n, branch in enumerate(branches)]
    importing.apply(
        importing.stage(csv_file([HEADER, *rows]), cycle=cycle, by=head_office).upload.pk,
        cycle=cycle,
        by=head_office,
    )
    rows = [(code, "", str(int(figure) * 10), "", "") for code, _n, figure, *_ in rows]
    first = upload(csv_file([HEADER, *rows])).content.decode()
    assert first.count('fw-semibold">') >= 50 and "Page 1 of 2" in first
    second = planner.get(reverse("actuals:page", args=[cycle.pk]), {"page": 2})
    html = second.content.decode()
    assert "Page 2 of 2" in html and "X059" in html and "X000" not in html


def test_each_step_reads_the_database_as_often_whatever_the_size_of_the_bank(
    planner, cycle, bank, head_office
):
    def queries(rows):
        with CaptureQueriesContext(connection) as reading:
            staged = importing.stage(csv_file([HEADER, *rows]), cycle=cycle, by=head_office)
        with CaptureQueriesContext(connection) as writing:
            importing.apply(staged.upload.pk, cycle=cycle, by=head_office)
        with CaptureQueriesContext(connection) as downloading:
            response = planner.get(reverse("actuals:template", args=[cycle.pk, "csv"]))
            b"".join(response.streaming_content)
        return len(reading), len(writing), len(downloading)

    few = queries([("A", "", "1", "2", "3")])
    Unit.objects.bulk_create(
        Unit(code=f"X{n:03}", name=f"支行{n}", kind=UnitKind.BRANCH, parent=bank["r1"])
        for n in range(120)
    )
    many = queries([(f"X{n:03}", "", "1", "2", "3") for n in range(120)])
    assert few == many


def test_a_bank_wide_file_is_taken_beyond_the_allocation_sheets_limit(upload, cycle, bank):
    Unit.objects.bulk_create(
        (
            Unit(code=f"X{n:04}", name=f"支行{n}", kind=UnitKind.BRANCH, parent=bank["r1"])
            for n in range(2500)
        ),
        batch_size=500,
    )
    upload(csv_file([HEADER, *((f"X{n:04}", "", "1", "2", "3") for n in range(2500))]))
    assert ActualsImport.objects.get().added == 7500


def test_a_file_over_the_row_limit_is_refused(upload, cycle, bank, monkeypatch):
    monkeypatch.setattr(importing, "MAX_UPLOAD_ROWS", 2)
    # The rows, the two header rows the template has, and one more
    html = upload(csv_file([HEADER, *(("A", "", "1", "", "") for _ in range(4))])).content
    assert "A sheet holds at most 2 rows, one per unit." in html.decode()
    assert not ActualsImport.objects.exists()
