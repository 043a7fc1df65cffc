"""The SWOT family, each rule passing and failing on a few rows of the ``plan`` fixture."""

from django.utils import translation

from bankplan.plancheck.engine import Severity, check_plan
from bankplan.plancheck.rules import reading


def found(plan, code, language="en"):
    return [finding for finding in check_plan(plan, language=language) if finding.code == code]


# SWOT-001: each quadrant has an item


def test_a_grid_with_every_quadrant_passes(plan, grid):
    grid.quadrants()
    assert found(plan, "SWOT-001") == []


def test_each_empty_quadrant_blocks_and_is_named(plan, grid):
    grid.item("S", "网点多")
    grid.item("O", "乡村振兴政策")
    findings = found(plan, "SWOT-001")
    assert [f.severity for f in findings] == [Severity.BLOCKS] * 2
    assert {(f.section, f.anchor) for f in findings} == {("swot", "items")}
    weakness, threat = (f.message for f in findings)
    assert "“Weakness”" in weakness and "“Threat”" in threat
    assert "Strength" not in weakness + threat
    assert "“劣势”" in found(plan, "SWOT-001", language="zh-hans")[0].message


# SWOT-002: every high-priority W and T is addressed by a strategy


def test_high_priority_weaknesses_and_threats_cited_by_a_strategy_pass(plan, grid):
    items = grid.quadrants()
    weak = grid.item("W", "产品同质化", priority="high")
    threat = grid.item("T", "股份制银行抢夺代发客户", priority="high")
    grid.strategy("WO", "借手机银行推广差异化产品", weak, items["O"])
    grid.strategy("ST", "以网点优势稳住代发", items["S"], threat)
    grid.item("W", "营销被动", priority="medium")  # not high: may stand alone
    grid.item("S", "品牌信誉", priority="high")  # a strength needs no answer
    assert found(plan, "SWOT-002") == []


def test_an_unaddressed_high_priority_item_warns_naming_it(plan, grid):
    items = grid.quadrants()
    threat = grid.item("T", "股份制银行抢夺代发客户", priority="high")
    grid.strategy("SO", "以品牌抢占新客群", items["S"], items["O"])
    (finding,) = found(plan, "SWOT-002")
    assert finding.severity == Severity.WARNS
    assert (finding.anchor, finding.row) == ("items", str(threat.pk))
    assert "股份制银行抢夺代发客户" in finding.message
    assert "“Threat”" in finding.message and "ST / WT" in finding.message


# SWOT-003: a strategy cites the kinds its type combines, and no other


def test_a_strategy_citing_both_of_its_kinds_passes(plan, grid):
    items = grid.quadrants()
    grid.strategy("SO", "以品牌抢占新客群", items["S"], items["O"])
    grid.strategy("WT", "补齐短板守住存量", items["W"], items["T"])
    assert found(plan, "SWOT-003") == []


def test_a_strategy_missing_a_kind_warns_naming_what_is_missing(plan, grid):
    items = grid.quadrants()
    strategy = grid.strategy("WO", "借政策补短板", items["W"])
    bare = grid.strategy("ST", "稳住存量客户")
    first, second = found(plan, "SWOT-003")
    assert (first.anchor, first.row) == ("strategies", str(strategy.pk))
    assert "WO" in first.message and "借政策补短板" in first.message
    assert "“Opportunity”" in first.message and "“Weakness”" not in first.message
    assert second.row == str(bare.pk)
    assert "“Strength” or “Threat”" in second.message
    zh = found(plan, "SWOT-003", language="zh-hans")[0].message
    assert "“机会”" in zh


def test_a_strategy_citing_items_of_another_kind_warns_naming_them(plan, grid):
    items = grid.quadrants()
    # The form refuses a T item on an SO strategy; an item whose kind changed after it
    # was linked ends up there all the same.
    rate = grid.item("O", "利率市场化", priority="low")
    online = grid.item("O", "互联网平台分流", priority="low")
    strategy = grid.strategy("SO", "以品牌抢占新客群", items["S"], items["O"], rate, online)
    assert found(plan, "SWOT-003") == []
    plan.swot.items.filter(pk__in=[rate.pk, online.pk]).update(kind="T")
    (finding,) = found(plan, "SWOT-003")
    assert finding.row == str(strategy.pk) and finding.severity == Severity.WARNS
    assert "also cites “利率市场化” and “互联网平台分流”" in finding.message


def test_lists_of_items_read_as_a_sentence():
    with translation.override("en"):
        assert reading.all_of(["“a”"]) == "“a”"
        assert reading.all_of(["“a”", "“b”", "“c”"]) == "“a”, “b” and “c”"
        assert reading.either("“S”", "“O”") == "“S” or “O”"
    with translation.override("zh-hans"):
        assert reading.all_of(["“a”", "“b”", "“c”"]) == "“a”、“b”和“c”"
        assert reading.either("“S”", "“O”") == "“S”或“O”"


def test_two_items_with_the_same_name_are_matched_by_it(plan, grid):
    # Strategies keep their items by name: two items of one kind and one name are one.
    grid.quadrants()
    first = grid.item("W", "客户经理不足", priority="high")
    grid.item("W", "客户经理不足", priority="high")
    grid.strategy("WO", "招聘", first, plan.swot.items.get(kind="O"))
    assert found(plan, "SWOT-002") == []
