"""Roll-ups against a hand-computed case.

Region 1 holds branch A (submitted), branch B (draft) and, below second-tier branch S1,
branch D (approved); region 2 holds branch C (not started). Deposits add up; the NPL ratio
is weighted by deposits (the test catalogue's stand-in for loans)."""

from decimal import Decimal

import pytest

from bankplan.headoffice import rollup
from bankplan.headoffice.models import Allocation
from bankplan.plans.models import Status
from bankplan.plans.sections.products import KpiTarget, Products
from tests.kpi_figures import counted


@pytest.fixture
def case(bank, sub_branch, cycle, kpis, start, head_office):
    counted(start("a"), Status.SUBMITTED, kpis, {"deposits": ("100", "80"), "npl": ("2.0", "2.5")})
    counted(start("d"), Status.APPROVED, kpis, {"deposits": ("50", "40"), "npl": ("1.0", "1.5")})
    draft = start("b")
    KpiTarget.objects.create(
        products=Products.objects.get(plan=draft), kpi=kpis["deposits"], target=30
    )
    for unit, target in ((bank["head"], 200), (bank["r1"], 160), (bank["r2"], 50)):
        Allocation.objects.create(
            kpi=kpis["deposits"], unit=unit, target=target, set_by=head_office
        )
    Allocation.objects.create(kpi=kpis["npl"], unit=bank["r1"], target="1.5", set_by=head_office)
    return bank


def line(lines, code):
    return next(line for line in lines if line.kpi.code == code)


def of_group(rolled, groups, kpi_code, unit_code):
    kpi = line(rolled.whole, kpi_code).kpi
    return next(line for group, line in rolled.for_kpi(kpi, groups) if group.unit.code == unit_code)


def test_progress_counts_branches_by_state_per_region(case, cycle):
    groups, whole = rollup.progress(cycle, case["head"])
    by_code = {group.unit.code: group for group in groups}
    assert by_code["R1"].counts == {
        "not_started": 0,
        "draft": 1,
        "submitted": 1,
        "returned": 0,
        "approved": 1,
    }
    assert by_code["R2"].counts["not_started"] == 1
    assert (whole.total, by_code["R1"].total, by_code["R2"].total) == (4, 3, 1)
    assert by_code["R1"].approved_share == Decimal(100) / 3


def test_a_region_is_split_into_its_second_tier_branches_and_the_branches_under_it(case, cycle):
    groups, whole = rollup.progress(cycle, case["r1"])
    assert [(group.unit.code, group.direct, group.total) for group in groups] == [
        ("S1", False, 1),
        ("R1", True, 2),
    ]
    assert whole.total == 3


def test_sums_weighted_ratios_and_gaps_by_hand(case, cycle):
    groups, _whole = rollup.progress(cycle, case["head"])
    rolled = rollup.rollup(cycle, case["head"], groups)
    r1 = of_group(rolled, groups, "deposits", "R1")
    assert (r1.target, r1.last_actual, r1.allocated) == (150, 120, 160)
    assert r1.growth == 25
    assert r1.gap == -10 and r1.gap_is_adverse  # short of a higher-is-better target
    assert (r1.sums.plans, r1.sums.drafts, r1.sums.draft_target) == (2, 1, 30)

    npl = next(
        line
        for group, line in rolled.for_kpi(line(rolled.whole, "npl").kpi, groups)
        if group.unit.code == "R1"
    )
    # (2.0 x 100 + 1.0 x 50) / 150 and (2.5 x 80 + 1.5 x 40) / 120: never 3.0 (a sum).
    assert npl.target.quantize(Decimal("0.0001")) == Decimal("1.6667")
    assert npl.last_actual.quantize(Decimal("0.0001")) == Decimal("2.1667")
    assert npl.growth.quantize(Decimal("0.01")) == Decimal("-0.50")  # percentage points
    assert npl.gap > 0 and npl.gap_is_adverse  # over a lower-is-better target
    assert (npl.sums.lowest, npl.sums.highest) == (1, 2)

    bank_deposits = line(rolled.whole, "deposits")
    assert (bank_deposits.target, bank_deposits.allocated, bank_deposits.gap) == (150, 200, -50)
    r2 = next(
        line for group, line in rolled.for_kpi(bank_deposits.kpi, groups) if group.unit.code == "R2"
    )
    assert (r2.target, r2.allocated, r2.gap) == (None, 50, None)


def test_drafts_are_never_counted(case, cycle):
    groups, _whole = rollup.progress(cycle, case["r1"])
    rolled = rollup.rollup(cycle, case["r1"], groups)
    deposits = line(rolled.whole, "deposits")
    assert deposits.target == 150  # A and D; B's draft 30 stands apart
    assert deposits.sums.draft_target == 30


def test_the_sums_are_kept_until_a_plan_of_the_cycle_changes(
    case, cycle, kpis, start, django_assert_num_queries
):
    groups, _whole = rollup.progress(cycle, case["head"])
    before = line(rollup.rollup(cycle, case["head"], groups).whole, "deposits")
    with django_assert_num_queries(4):  # the catalogue, two of stamps, the allocations
        rollup.rollup(cycle, case["head"], groups)
    counted(start("c"), Status.APPROVED, kpis, {"deposits": ("70", "60"), "npl": ("1", "1")})
    groups, _whole = rollup.progress(cycle, case["head"])
    after = line(rollup.rollup(cycle, case["head"], groups).whole, "deposits")
    assert (before.target, after.target) == (150, 220)
