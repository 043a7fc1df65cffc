"""The head-office issue's data migrations, run forwards on data of the older shape."""

import json
from pathlib import Path

import pytest

from tests.migrating import migrate

SNAPSHOTS = Path(__file__).parent.parent / "documents" / "snapshots"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_every_unit_below_a_region_learns_its_region():
    old = migrate([("organisation", "0001_initial")])
    Unit = old.get_model("organisation", "Unit")
    head = Unit.objects.create(code="HO", name="总行", kind="head_office")
    region = Unit.objects.create(code="R1", name="东区分行", kind="region", parent=head)
    branch = Unit.objects.create(code="A", name="城关支行", kind="branch", parent=region)

    new = migrate([("organisation", "0002_second_tier_and_region")])
    regions = dict(new.get_model("organisation", "Unit").objects.values_list("code", "region"))
    assert regions == {"HO": None, "R1": None, "A": region.pk}
    assert branch.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_submitted_plans_of_before_count_in_the_rollups(plan, author, kpis):
    old = migrate([("headoffice", "0001_initial")])
    Plan = old.get_model("plans", "Plan")
    Version = old.get_model("reviews", "Version")
    Plan.objects.filter(pk=plan.pk).update(status="submitted")
    snapshot = json.loads((SNAPSHOTS / "schema_1.json").read_text())
    Version.objects.create(plan_id=plan.pk, number=1, snapshot={}, submitted_by_id=author.pk)
    Version.objects.create(plan_id=plan.pk, number=2, snapshot=snapshot, submitted_by_id=author.pk)

    new = migrate([("headoffice", "0002_figures_of_submitted_versions")])
    figures = {
        row.kpi.code: (row.target, row.last_actual, row.base_target)
        for row in new.get_model("headoffice", "KpiFigure").objects.select_related("kpi")
    }
    # The latest version's figures: a schema-1 snapshot keeps them on the row itself.
    targets = {row["key"]: row for row in snapshot["sections"]["products"]["tables"]["targets"]}
    results = {row["key"]: row for row in snapshot["sections"]["background"]["tables"]["results"]}
    deposits = figures["deposits"]
    assert str(deposits[0]) == targets["deposits"]["target"]
    assert str(deposits[1]) == results["deposits"]["last_actual"]
    assert deposits[2] is None  # deposits has no base
    # The snapshot has last year's NPL ratio but no target; the row carries its base's
    # figure, for weighting.
    assert figures["npl"][0] is None
    assert str(figures["npl"][1]) == results["npl"]["last_actual"]
    assert str(figures["npl"][2]) == targets["deposits"]["target"]
