"""The numbers family: a target that departs from last year, from head office's growth
band or from what was allocated to the branch says why; product targets add up to their
KPI's target."""

from decimal import Decimal as D

import pytest

from bankplan.headoffice.models import Allocation
from bankplan.plancheck.config import GROWTH_BANDS
from bankplan.plancheck.engine import check_plan
from bankplan.plans.sections.background import LastYearResult
from bankplan.plans.sections.products import KpiTarget


@pytest.fixture
def figures(plan, kpis, head_office):
    """Sets a KPI's last actual, target (and reason) and allocation on ``plan``."""

    def put(code, *, last=None, target=None, allocated=None, reason=""):
        kpi = kpis[code]
        LastYearResult.objects.update_or_create(
            background=plan.background, kpi=kpi, defaults={"last_actual": last}
        )
        KpiTarget.objects.update_or_create(
            products=plan.products, kpi=kpi, defaults={"target": target, "reason": reason}
        )
        if allocated is not None:
            Allocation.objects.update_or_create(
                unit=plan.branch, kpi=kpi, defaults={"target": allocated, "set_by": head_office}
            )

    return put


def found(plan, code, **thresholds):
    options = {"overrides": {}, "thresholds": thresholds}
    return [f for f in check_plan(plan, language="en", **options) if f.code == code]


def test_targets_short_of_the_allocation_need_a_reason(plan, figures):
    figures("deposits", last=D(50000), target=D(54000), allocated=D(55000))
    figures("new_customers", last=D(1000), target=D(1100), allocated=D(1200))
    [finding] = found(plan, "NUM-004")  # one finding for every KPI short
    assert (finding.severity, finding.section, finding.anchor, finding.row) == (
        "warns",
        "products",
        "targets",
        "",
    )
    assert (
        "Total deposits (54,000.00 against 55,000.00) and "
        "New active customers (1,100 against 1,200)"
    ) in finding.message
    figures("deposits", last=D(50000), target=D(54000), reason="县域两家大行新设网点")
    [finding] = found(plan, "NUM-004")
    assert "Total deposits" not in finding.message and "New active customers" in finding.message
    figures("new_customers", last=D(1000), target=D(1200))
    assert found(plan, "NUM-004") == []  # meets the allocation: nothing to explain


def test_short_means_above_for_a_kpi_where_lower_is_better(plan, figures):
    figures("npl", last=D("1.4"), target=D("1.3"), allocated=D("1.2"))
    [finding] = found(plan, "NUM-004")
    assert "NPL ratio (1.3% against 1.2%)" in finding.message
    figures("npl", last=D("1.4"), target=D("1.1"), allocated=D("1.2"))
    assert found(plan, "NUM-004") == []


def test_a_target_worse_than_last_year_needs_a_reason(plan, figures):
    figures("new_customers", last=D(1200), target=D(1100))
    [finding] = found(plan, "NUM-003")
    assert finding.severity == "warns" and finding.row == "new_customers"
    assert "1,100" in finding.message and "1,200" in finding.message
    figures("new_customers", last=D(1200), target=D(1100), reason="代发单位搬迁出县")
    assert found(plan, "NUM-003") == []
    figures("new_customers", last=D(1200), target=D(1300))
    assert found(plan, "NUM-003") == []


def test_growth_outside_head_offices_band_needs_a_reason(plan, figures):
    band = {GROWTH_BANDS: {"deposits": (D(0), D(25))}}
    figures("deposits", last=D(40000), target=D(52000))  # +30 %
    [finding] = found(plan, "NUM-002", **band)
    assert "+30.0%" in finding.message and "0.0%" in finding.message and "25.0%" in finding.message
    figures("deposits", last=D(40000), target=D(50000))  # +25 %: on the edge, inside
    assert found(plan, "NUM-002", **band) == []
    figures("deposits", last=D(40000), target=D(52000), reason="新开两个网点")
    assert found(plan, "NUM-002", **band) == []
    # A KPI head office set no band for is not judged on growth.
    figures("deposits", last=D(40000), target=D(80000))
    assert found(plan, "NUM-002", **{GROWTH_BANDS: {}}) == []
