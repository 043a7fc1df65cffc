"""The official actuals beside and in place of what a branch typed: its background step,
overview and PDF show both and flag a difference; head office's roll-ups and the plan
check count the official figure where there is one."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bankplan.actuals import importing
from bankplan.documents.rendering import render_plan_html
from bankplan.headoffice import rollup
from bankplan.plancheck.engine import check_plan
from bankplan.plans.models import Status
from bankplan.plans.sections.background import LastYearResult
from bankplan.plans.sections.products import KpiTarget
from bankplan.plans.services import start_plan
from tests.kpi_figures import counted

from .conftest import HEADER, csv_file


def imported(cycle, by, *rows):
    """Official actuals imported the way head office does: a file previewed, confirmed."""
    staged = importing.stage(csv_file([HEADER, *rows]), cycle=cycle, by=by)
    assert not staged.errors, staged.errors
    return importing.apply(staged.upload.pk, cycle=cycle, by=by)


@pytest.fixture
def typed(plan, kpis):
    """Branch A typed last year's deposits as 48,000 and its NPL ratio as 1.5 %, and
    left its new customers empty."""
    for code, actual in (("deposits", D("48000")), ("new_customers", None), ("npl", D("1.5"))):
        LastYearResult.objects.create(
            background=plan.background, kpi=kpis[code], last_actual=actual
        )
    return plan


def test_the_background_step_shows_the_official_figure_and_flags_a_difference(
    client, typed, author, cycle, head_office
):
    imported(cycle, head_office, ("A", "", "50000", "", "1.5"))
    client.force_login(author)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("plans:section", args=[typed.pk, "background"])).content.decode()
    assert '<div class="small official-actual">official 50,000.00</div>' in html
    assert (
        '<span class="gap-adverse official-differs"><i class="bi bi-exclamation-triangle-fill'
        ' me-1" aria-hidden="true"></i>differs from the official figure by -2,000.00</span>'
    ) in html
    assert '<div class="small official-actual">official 1.5%</div>' in html
    assert html.count("official-differs") == 1  # the NPL ratio agrees


def test_the_plan_document_shows_both_figures(typed, cycle, head_office):
    assert "Official actual" not in render_plan_html(typed, language="en")
    imported(cycle, head_office, ("A", "", "50000", "", "1.5"))
    html = render_plan_html(typed, language="en")
    assert "Official actual" in html and "Typed less official" in html
    assert "50,000.00" in html and "-2,000.00" in html


def test_the_plan_check_measures_the_target_against_the_official_actual(
    typed, kpis, cycle, head_office
):
    KpiTarget.objects.create(products=typed.products, kpi=kpis["deposits"], target=D("49000"))

    def worse_than_last_year():
        with CaptureQueriesContext(connection) as queries:
            findings = check_plan(typed, language="en")
        found = [f.message for f in findings if f.code == "NUM-003"]
        return found, len(queries)

    found, before = worse_than_last_year()
    assert found == []  # 49,000 against the 48,000 typed
    imported(cycle, head_office, ("A", "", "50000", "", ""))
    found, after = worse_than_last_year()
    assert len(found) == 1 and "last year's actual 50,000.00" in found[0]
    assert after == before  # the official figures are one query, with or without them


def test_the_roll_ups_add_up_the_official_actuals_where_there_are_some(
    cycle, bank, kpis, author, other_manager, head_office
):
    a = start_plan(cycle=cycle, branch=bank["a"], by=author)
    b = start_plan(cycle=cycle, branch=bank["b"], by=other_manager)
    counted(a, Status.SUBMITTED, kpis, {"deposits": ("100", "80"), "npl": ("2.0", "2.5")})
    counted(b, Status.APPROVED, kpis, {"deposits": ("50", "40"), "npl": ("1.0", "1.5")})

    def whole():
        groups, _total = rollup.progress(cycle, bank["head"])
        lines = rollup.rollup(cycle, bank["head"], groups).whole
        return {line.kpi.code: line.last_actual for line in lines}

    assert whole() == {"deposits": 120, "new_customers": None, "npl": (D("2.5") * 80 + 60) / 120}
    # Branch A's official deposits and NPL ratio replace what it typed, in the sum and in
    # the ratio's weights; branch B keeps its own. The kept sums see the import.
    imported(cycle, head_office, ("A", "", "90", "", "2.0"))
    assert whole() == {"deposits": 130, "new_customers": None, "npl": D(240) / 130}


def test_an_official_actual_stands_for_the_one_the_branch_did_not_type(
    typed, kpis, cycle, head_office
):
    def lacking():
        return [f.code for f in check_plan(typed, language="en") if f.code == "BKG-002"]

    assert lacking() == ["BKG-002"]  # new customers: nothing typed
    imported(cycle, head_office, ("A", "", "", "310", ""))
    assert lacking() == []
