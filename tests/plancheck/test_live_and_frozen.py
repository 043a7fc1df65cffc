"""The same findings from the live draft and from a submitted version's snapshot; and
what the check costs in queries."""

import json
from pathlib import Path
from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bankplan.plancheck.engine import check_plan, check_version
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.swot import SwotItem, SwotStrategy
from bankplan.reviews.services import submit_plan


def test_a_frozen_version_gives_the_findings_of_the_draft_it_froze(demo, quick_pdf):
    plan = demo["plan"]
    swot = plan.swot
    # Planted: a threat nobody answers, and a strategy citing an item of another kind.
    threat = SwotItem.objects.create(
        swot=swot, kind="T", text="互联网平台分流存款", priority="high"
    )
    strength = swot.items.filter(kind="S").first()
    wt = SwotStrategy.objects.create(swot=swot, kind="WT", text="压降高成本存款")
    wt.items.add(strength)
    draft = check_plan(plan, language="zh-hans")
    planted = {("SWOT-002", str(threat.pk)), ("SWOT-003", str(wt.pk))}
    assert {(f.code, f.row) for f in draft} >= planted

    version = submit_plan(plan_id=plan.pk, by=demo["manager"])
    assert check_version(version, language="zh-hans") == draft
    assert check_version(version, language="en", overrides={}) == check_plan(plan, language="en")

    # The draft moves on; the version's findings stay those of what was submitted.
    threat.delete()
    assert check_version(version, language="zh-hans") == draft
    assert check_plan(plan, language="zh-hans") != draft


def count(plan):
    with CaptureQueriesContext(connection) as queries:
        check_plan(plan)
    return len(queries)


def grow(plan, n):
    items = SwotItem.objects.bulk_create(
        SwotItem(swot=plan.swot, kind="SWOT"[i % 4], text=f"item {i}", priority="high")
        for i in range(n)
    )
    for i in range(n):
        SwotStrategy.objects.create(swot=plan.swot, kind="WT", text=f"s{i}").items.add(
            *items[i : i + 3]
        )


def test_the_check_costs_the_queries_of_loading_the_plan_however_long_it_is(plan):
    grow(plan, 2)
    with CaptureQueriesContext(connection) as loading:
        loaded = load_plan(plan)
    few = count(plan)
    grow(plan, 40)
    assert count(plan) == few
    # load_plan's queries, the two the snapshot makes for the KPI tables' ``given``
    # figures (the targets head office allocated to the branch, its official actuals),
    # and the cycle's check settings (one query while head office has set none)
    assert few == len(loading) + 3
    with CaptureQueriesContext(connection) as queries:
        check_plan(loaded, loaded=True)
    assert len(queries) == 3


def test_a_version_frozen_before_the_schema_changed_is_checked_too():
    # Schema 1 kept a strategy's items, and the items' labels, as "S省内…" (no colon).
    stored = Path(__file__).parent.parent / "documents" / "snapshots" / "schema_1.json"
    old = json.loads(stored.read_text())
    version = SimpleNamespace(snapshot=old)
    found = check_version(version, language="en", overrides={})
    found = {(f.code, f.row, f.message) for f in found}
    assert {code for code, _row, _message in found} == {"SWOT-001"}  # the ST strategy is fine
    assert any("“Weakness”" in message for _code, _row, message in found)

    swot = old["sections"]["swot"]["tables"]
    swot["items"][1]["priority"] = "high"  # the threat
    swot["strategies"][0]["items"] = ["S省内法人银行，审批快"]
    found = check_version(version, language="en", overrides={})
    assert [(f.code, f.row) for f in found if f.code != "SWOT-001"] == [
        ("SWOT-002", "12"),
        ("SWOT-003", "21"),
    ]
