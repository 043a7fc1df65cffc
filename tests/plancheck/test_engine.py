"""The mechanism: registering rules, severities head office may change, findings."""

import pytest
from django.utils import translation

from bankplan.documents.document import Document, Facts
from bankplan.plancheck import engine
from bankplan.plancheck.engine import OFF, Finding, Flag, Severity, blocking, check, rule


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test's own rules (the real ones are left alone)."""
    monkeypatch.setattr(engine, "REGISTRY", {})
    return engine.REGISTRY


def empty(language="en"):
    return Document(Facts(), (), language)


def test_a_rule_registers_with_its_code_severity_and_sections(registry):
    @rule("T-001", Severity.WARNS, "swot")
    def look(document, settings):
        yield "plain message"
        yield Flag("pointed", anchor="items", row="7", section="products")

    assert registry["T-001"].sections == ("swot",)
    assert check(empty()) == [
        Finding(code="T-001", severity=Severity.WARNS, section="swot", message="plain message"),
        Finding(
            code="T-001",
            severity=Severity.WARNS,
            section="products",
            anchor="items",
            row="7",
            message="pointed",
        ),
    ]


def test_a_code_cannot_be_registered_twice(registry):
    rule("T-001", Severity.WARNS, "swot")(lambda document, settings: ())
    with pytest.raises(ValueError, match="T-001"):
        rule("T-001", Severity.BLOCKS, "swot")(lambda document, settings: ())


def test_blocking_findings_come_first_then_warnings_then_information(registry):
    for code, severity in [("I", Severity.INFORMS), ("W", Severity.WARNS), ("B", "blocks")]:
        rule(code, severity, "swot")(lambda document, settings, code=code: [code])
    found = check(empty())
    assert [finding.code for finding in found] == ["B", "W", "I"]
    assert [finding.code for finding in blocking(found)] == ["B"]


def test_head_office_switches_a_blocking_rule_to_warn_or_off(registry):
    rule("B-001", Severity.BLOCKS, "swot")(lambda document, settings: ["wrong"])
    assert blocking(check(empty()))
    (warned,) = check(empty(), overrides={"B-001": "warns"})
    assert warned.severity == Severity.WARNS and not warned.blocks
    assert check(empty(), overrides={"B-001": OFF}) == []
    assert check(empty(), overrides={"UNKNOWN-1": OFF})  # a rule gone since: ignored
    with pytest.raises(ValueError):
        check(empty(), overrides={"B-001": "sometimes"})


def test_rules_read_thresholds_and_write_in_the_documents_language(registry):
    @rule("T-002", Severity.INFORMS, "staffing")
    def capacity(document, settings):
        yield translation.get_language() + f" {settings.threshold('per_manager', 300)}"

    with translation.override("en"):
        (finding,) = check(empty("zh-hans"), thresholds={"per_manager": 250})
    assert finding.message == "zh-hans 250"
    assert check(empty())[0].message == "en 300"


def test_a_finding_as_json_data():
    finding = Finding(code="X-1", severity=Severity.BLOCKS, section="swot", message="m")
    assert finding.as_dict() == {
        "code": "X-1",
        "severity": "blocks",
        "section": "swot",
        "anchor": "",
        "row": "",
        "message": "m",
    }


def test_the_swot_rules_are_registered_when_the_app_is_ready():
    codes = {each.code: each for each in engine.registered()}
    assert codes["SWOT-001"].severity == Severity.BLOCKS
    assert codes["SWOT-002"].severity == codes["SWOT-003"].severity == Severity.WARNS
    assert all(codes[code].title for code in ("SWOT-001", "SWOT-002", "SWOT-003"))
