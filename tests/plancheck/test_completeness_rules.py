"""Completeness: each rule asking for a narrative or a row fails on a section without it
and passes once it is there; built as small documents, without the database."""

import pytest

from bankplan.documents.document import Cell, Chapter, Column, Document, Facts, Row, Table
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
