"""Completeness: each rule asking for a narrative or a row fails on a section without it
and passes once it is there; built as small documents, without the database."""

import pytest

from bankplan.documents.document import Cell, Chapter, Column, Document, Facts, Kpi, Row, Table
from bankplan.plancheck.engine import check
from bankplan.plancheck.rules.completeness import TABLES, TEXTS


def cell(name, value):
    return Cell(Column(name, name, "text"), value, str(value or ""))


def chapter(key, fields=(), tables=()):
    return Chapter(1, key, key, tuple(fields), tuple(tables), "")


def table(name, rows):
    return Table(name, name, (), tuple(Row(str(i), f"row {i}", ()) for i in range(rows)))


def codes(*chapters):
    document = Document(Facts(), chapters, "en")
    return {finding.code for finding in check(document, overrides={}, thresholds={})}


@pytest.mark.parametrize("code, section, name", [each[:3] for each in TEXTS])
def test_a_narrative_is_asked_for_until_written(code, section, name):
    assert code in codes(chapter(section, fields=[cell(name, "")]))
    assert code in codes(chapter(section, fields=[cell(name, "   ")]))
    assert code not in codes(chapter(section, fields=[cell(name, "以农业为主")]))
    assert code not in codes()  # a plan without the section: nothing to ask of it


@pytest.mark.parametrize("code, section, name", [each[:3] for each in TABLES])
def test_a_table_is_asked_for_a_row_until_it_has_one(code, section, name):
    assert code in codes(chapter(section, tables=[table(name, 0)]))
    assert code in codes(chapter(section))  # a snapshot without the table at all
    assert code not in codes(chapter(section, tables=[table(name, 1)]))


def test_the_branch_is_described_by_location_type_and_headcount():
    described = [cell("location", "解放路 8 号"), cell("branch_type", "county")]
    assert "BKG-001" in codes(chapter("background", fields=described))
    headcount = cell("headcount", 28)
    assert "BKG-001" not in codes(chapter("background", fields=[*described, headcount]))
    assert "BKG-001" in codes(chapter("background", fields=[described[0], headcount]))


def row(key, *cells, kpi=None):
    return Row(key, key, tuple(cells), kpi)


def test_a_segment_is_pursued_and_every_one_pursued_has_a_target_share():
    def segments(*rows):
        return chapter("target_market", tables=[Table("segments", "", (), rows)])

    farmers = row("7", cell("chosen", False), cell("target_share", None))
    assert {"MKT-001"} <= codes(segments(farmers))
    pursued = row("8", cell("chosen", True), cell("target_share", None))
    found = codes(segments(farmers, pursued))
    assert "MKT-001" not in found and "MKT-002" in found
    shared = row("8", cell("chosen", True), cell("target_share", "22.5"))
    assert not {"MKT-001", "MKT-002"} & codes(segments(farmers, shared))


KPIS = (
    Kpi("deposits", "各项存款余额", "wan_yuan", "万元", "higher", True),
    Kpi("npl", "不良贷款率", "percent", "%", "lower", False),
)


def test_every_catalogue_kpi_has_a_target_split_across_the_quarters():
    def plan(*rows):
        targets = chapter("products", tables=[Table("targets", "", (), rows, kpi=True)])
        document = Document(Facts(), (targets,), "en", catalogue=KPIS)
        return {f.code for f in check(document, overrides={}, thresholds={})}

    quarters = [cell(q, "100") for q in ("q1", "q2", "q3", "q4")]
    deposits = row("deposits", cell("target", "56000"), *quarters, kpi=KPIS[0])
    assert {"PRD-001", "PRD-002"} <= plan(deposits)  # no row for the NPL ratio yet
    npl = row("npl", cell("target", "1.2"), *quarters[:3], cell("q4", None), kpi=KPIS[1])
    found = plan(deposits, npl)
    assert "PRD-001" not in found and "PRD-002" in found
    npl = row("npl", cell("target", "1.2"), *quarters, kpi=KPIS[1])
    assert not {"PRD-001", "PRD-002"} & plan(deposits, npl)
