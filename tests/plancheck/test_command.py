"""python manage.py check_plan PLAN_ID [--format text|json] [--version N]"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bankplan.reviews.services import submit_plan


def run(*args):
    """The command's output and exit code."""
    out = StringIO()
    try:
        call_command("check_plan", *map(str, args), stdout=out)
    except SystemExit as exit:
        return out.getvalue(), exit.code
    return out.getvalue(), 0


def test_the_complete_demo_plan_passes_every_blocking_rule(demo):
    output, code = run(demo["plan"].pk, "--format", "json")
    assert code == 0
    findings = json.loads(output)
    assert isinstance(findings, list)
    assert all(f["severity"] != "blocks" for f in findings)
    for finding in findings:
        assert set(finding) == {"code", "severity", "section", "anchor", "row", "message"}


def test_a_half_done_plan_exits_1_with_its_blocking_findings(plan, grid):
    grid.item("S", "网点多")
    output, code = run(plan.pk, "--language", "en")
    assert code == 1
    lines = output.splitlines()
    swot = [line for line in lines if " swot: " in line]
    assert len(swot) == 4 and swot[3] == (
        "BLOCKS SWOT-004 swot: Draw at least one strategy from the grid."
    )
    assert all(line.startswith("BLOCKS SWOT-001 swot: The SWOT grid has no") for line in swot[:3])
    assert "“Weakness”" in swot[0]
    # Every other section lacks what it must hold: a line each, all blocking.
    assert all(line.startswith("BLOCKS ") for line in lines)
    assert {line.split()[1].split("-")[0] for line in lines} == {
        "BKG",
        "SWOT",
        "MKT",
        "PRD",
        "CHN",
        "STF",
        "INC",
    }

    output, code = run(plan.pk, "--format", "json")
    assert code == 1
    findings = json.loads(output)
    swot = [f["code"] for f in findings if f["section"] == "swot"]
    assert swot == ["SWOT-001", "SWOT-001", "SWOT-001", "SWOT-004"]
    assert "劣势" in findings[[f["code"] for f in findings].index("SWOT-001")]["message"]


def test_a_submitted_version_is_checked_from_its_snapshot(demo, quick_pdf):
    plan = demo["plan"]
    plan.swot.items.create(kind="W", text="客户经理人手紧", priority="high")
    submit_plan(plan_id=plan.pk, by=demo["manager"])
    plan.swot.items.filter(text="客户经理人手紧").delete()
    frozen, code = run(plan.pk, "--version", 1, "--format", "json")
    assert code == 0
    assert any("客户经理人手紧" in f["message"] for f in json.loads(frozen))
    live, _code = run(plan.pk, "--format", "json")
    assert not any("客户经理人手紧" in f["message"] for f in json.loads(live))


def test_a_missing_plan_or_version_is_an_error(plan):
    with pytest.raises(CommandError, match="no plan"):
        call_command("check_plan", str(plan.pk + 1000))
    with pytest.raises(CommandError, match="no version 3"):
        call_command("check_plan", str(plan.pk), "--version", "3")
