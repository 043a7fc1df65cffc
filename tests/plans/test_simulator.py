"""The incentive simulator (issue 12): structured scoring per scorecard line, the points it
pays at 80 %, 100 % and 120 % achievement, what a deduction takes per case; on the
incentives step and in the PDF, for the live plan and for a version frozen before the
scoring fields existed."""

import copy
from decimal import Decimal

import pytest
from django.urls import reverse

from bankplan.documents.build import live_document, version_document
from bankplan.documents.rendering import render_plan_html, render_version_html
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.incentives import Deduction, PortfolioTarget, ScorecardLine
from bankplan.plans.sections.simulator import Scoring, simulate_chapter
from bankplan.plans.sections.staffing import Portfolio
from bankplan.reviews.models import Version
from bankplan.reviews.snapshots import snapshot_plan
from tests.htmlform import add_row, form_data

D = Decimal
SCORING = ("threshold", "points_per_point", "floor", "cap")


@pytest.fixture
def scheme(plan):
    """A hand-computed scorecard (score = 0 below the threshold, else
    min(max(a × points per point, floor), cap)):

    A  threshold 50, 0.30/pt, floor 20, cap 33:
         80 % -> 24.0;  100 % -> 30.0;  120 % -> 36.0, capped 33.0
    B  threshold 90, 0.15/pt, floor 14, cap 20:
         80 % -> below the threshold 0.0;  100 % -> 15.0;  120 % -> 18.0
    C  threshold 70, 0.12/pt, floor 12, cap 16:
         80 % -> 9.6, floored 12.0;  100 % -> 12.0;  120 % -> 14.4
    E  no points per point: not structured, 0.0 everywhere
    totals: 80 % 24.0 + 0.0 + 12.0 = 36.0; 100 % 30.0 + 15.0 + 12.0 = 57.0;
            120 % 33.0 + 18.0 + 14.4 = 65.4
    deductions: NPL 1.5 a case, compliance 5.0 a case, other not structured
    """
    content = plan.incentives
    lines = [
        ("A", "40.0", ("50.0", "0.30", "20.0", "33.0")),
        ("B", "30.0", ("90.0", "0.15", "14.0", "20.0")),
        ("C", "20.0", ("70.0", "0.12", "12.0", "16.0")),
        ("E", "10.0", (None, None, None, None)),
    ]
    for name, weight, figures in lines:
        ScorecardLine.objects.create(
            incentives=content,
            name=name,
            weight=D(weight),
            scoring_rule=f"rule {name}",
            **{
                field: None if v is None else D(v)
                for field, v in zip(SCORING, figures, strict=True)
            },
        )
    for kind, per_case in (("npl", "1.5"), ("compliance", "5.0"), ("other", None)):
        Deduction.objects.create(
            incentives=content,
            kind=kind,
            rule="r",
            deduction="d",
            points_per_case=None if per_case is None else D(per_case),
        )
    return plan


def simulation_of(document):
    return simulate_chapter(document.chapter("incentives"))


def test_the_simulator_scores_a_hand_computed_scheme(scheme):
    simulation = simulation_of(live_document(load_plan(scheme), language="en"))
    assert simulation.scenarios == (D(80), D(100), D(120))
    scores = {line.label: line.scores for line in simulation.lines}
    assert scores == {
        "A": (D("24.0"), D("30.0"), D("33.0")),  # capped at 120 %
        "B": (D("0.0"), D("15.0"), D("18.0")),  # below its threshold at 80 %
        "C": (D("12.0"), D("12.0"), D("14.4")),  # floored at 80 %
        "E": (D("0.0"), D("0.0"), D("0.0")),  # not structured
    }
    assert [line.structured for line in simulation.lines] == [True, True, True, False]
    assert simulation.totals == (D("36.0"), D("57.0"), D("65.4"))
    assert simulation.unstructured == 1
    assert [(d.label, d.per_case) for d in simulation.deductions] == [
        ("Non-performing loans", D("1.5")),
        ("Compliance breach", D("5.0")),
        ("Other", None),
    ]
    # at 1, 3 and 5 cases: 1.5 / 4.5 / 7.5 and 5 / 15 / 25; "other" is not counted
    assert [d.taken for d in simulation.deductions] == [
        (D("1.5"), D("4.5"), D("7.5")),
        (D("5.0"), D("15.0"), D("25.0")),
        (),
    ]
    assert simulation.taken == (D("6.5"), D("19.5"), D("32.5"))
    assert simulation.shown_taken == ["-6.5", "-19.5", "-32.5"]
    assert all(isinstance(total, Decimal) for total in simulation.totals)
    assert [str(total) for total in simulation.totals] == ["36.0", "57.0", "65.4"]


def test_scores_round_half_up_to_a_tenth_of_a_point():
    scoring = Scoring(points_per_point=D("0.11"))
    # 75 × 0.11 = 8.25: half up 8.3 (half even would say 8.2); 85 × 0.11 = 9.35 -> 9.4
    assert scoring.score(D(75)) == D("8.3")
    assert scoring.score(D(85)) == D("9.4")
    assert Scoring(points_per_point=D("0.11"), threshold=D("75.1")).score(D(75)) == D("0.0")
    assert Scoring(points_per_point=D("0.11"), threshold=D(75)).score(D(75)) == D("8.3")


def in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def post_scorecard(client, plan, **row):
    url = reverse("plans:section", args=[plan.pk, "incentives"])
    data = form_data(client.get(url))
    add_row(data, "scorecard", name="X", weight="10", scoring_rule="r", **row)
    return client.post(url, data)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"threshold": "200.5"}, "threshold", "Enter an achievement between 0% and 200%."),
        ({"threshold": "-1"}, "threshold", "Enter an achievement between 0% and 200%."),
        ({"points_per_point": "-0.5"}, "points_per_point", "Enter a figure of zero or more."),
        ({"cap": "-2"}, "cap", "Enter a figure of zero or more."),
        ({"floor": "-2"}, "floor", "Enter a figure of zero or more."),
        (
            {"points_per_point": "0.2", "floor": "25", "cap": "20"},
            "floor",
            "The floor is above the cap (20): lower it or raise the cap.",
        ),
    ],
)
def test_the_scoring_figures_are_checked_with_a_message_at_their_field(
    client, plan, author, row, field, message
):
    client.force_login(author)
    in_english(client)
    response = post_scorecard(client, plan, **row)
    assert response.status_code == 200
    formset = dict((t.name, f) for t, f in response.context["tables"])["scorecard"]
    assert formset.forms[-1].errors[field] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ScorecardLine.objects.exists()


def test_a_floor_equal_to_its_cap_and_a_line_without_structure_are_saved(client, plan, author):
    client.force_login(author)
    response = post_scorecard(client, plan, points_per_point="0.2", floor="20", cap="20")
    assert response.status_code == 302
    line = ScorecardLine.objects.get()
    assert (line.floor, line.cap, line.threshold) == (D("20.0"), D("20.0"), None)


def test_a_deduction_per_case_is_never_negative(client, plan, author):
    client.force_login(author)
    url = reverse("plans:section", args=[plan.pk, "incentives"])
    data = form_data(client.get(url))
    add_row(data, "deductions", kind="npl", rule="r", deduction="d", points_per_case="-1")
    in_english(client)
    response = client.post(url, data)
    formset = dict((t.name, f) for t, f in response.context["tables"])["deductions"]
    assert formset.forms[-1].errors["points_per_case"] == ["Enter a figure of zero or more."]
    assert not Deduction.objects.exists()


# The demo plan's scheme (fixtures/demo.json), full marks being each line's weight:
#   at 80 %: 16.0 + 8.0 + 8.0 + 6.4 + 5.6 + 2.4 + 6.4 + 20.0 + 0.0 (NPL, threshold 100)
#            + 0.0 (satisfaction, threshold 90) = 72.8
#   at 100 %: the weights, 100.0
#   at 120 %: 24.0 + 12.0 + 12.0 + 9.6 + 8.4 + 3.6 + 9.6 + 30.0 + 5.0 + 4.0 (capped) = 118.2
DEMO_TOTALS = ("72.8", "100.0", "118.2")


def simulator_html(html: str) -> str:
    start = html.index('id="simulator"')
    return html[start : html.index("</table>", html.index("</table>", start) + 1)]


def test_the_incentives_step_shows_the_simulator_of_the_demo_plan(client, demo):
    client.force_login(demo["manager"])
    in_english(client)
    response = client.get(reverse("plans:section", args=[demo["plan"].pk, "incentives"]))
    html = response.content.decode()
    # under the scorecard, before the deductions' rows
    assert (
        html.index('id="scorecard"') < html.index('id="simulator"') < html.index('id="deductions"')
    )
    table = simulator_html(html)
    assert "Incentive simulator" in table and "Figures as last saved." in table
    for header in ("Points at 80%", "Points at 100%", "Points at 120%"):
        assert header in table
    for total in DEMO_TOTALS:
        assert f'<td class="text-end text-nowrap">{total}</td>' in table
    assert "Not structured" not in table
    assert "-5.0" in table  # a compliance breach


def test_the_pdf_shows_the_simulator_of_the_demo_plan(demo):
    html = render_plan_html(demo["plan"], language="en")
    chapter = html[html.index('id="section-incentives"') :]
    table = simulator_html(chapter)
    assert "Incentive simulator" in table and "Figures as last saved." not in table
    for total in DEMO_TOTALS:
        assert f'<td class="text-end text-nowrap">{total}</td>' in table
    # the scorecard's own table carries the structured figures too
    assert "Points per point" in chapter and "Threshold (%)" in chapter
    zh = render_plan_html(demo["plan"], language="zh-hans")
    assert "118.2" in simulator_html(zh)


def before_the_scoring_fields(snapshot: dict) -> dict:
    """A snapshot as a version made before migration 0009 froze it: no scoring figures in
    the rows, no such columns in the description."""
    old = copy.deepcopy(snapshot)
    section = old["sections"]["incentives"]
    dropped = {*SCORING, "points_per_case"}
    for rows in section["tables"].values():
        for row in rows:
            for name in dropped:
                row["values"].pop(name, None)
    for table in section["meta"]["tables"]:
        table["columns"] = [c for c in table["columns"] if c["name"] not in dropped]
    return old


def test_a_version_made_before_the_scoring_fields_still_reads(scheme, author):
    snapshot = snapshot_plan(scheme)
    assert (
        snapshot["sections"]["incentives"]["tables"]["scorecard"][0]["values"]["points_per_point"]
        == "0.30"
    )  # today's snapshots carry the figures
    columns = {
        column["name"]: (column["kind"], column.get("places"))
        for table in snapshot["sections"]["incentives"]["meta"]["tables"]
        for column in table["columns"]
    }
    assert [columns[name] for name in (*SCORING, "points_per_case")] == [
        ("decimal", 1),
        ("decimal", 2),
        ("decimal", 1),
        ("decimal", 1),
        ("decimal", 1),
    ]
    version = Version.objects.create(
        plan=scheme, number=1, snapshot=before_the_scoring_fields(snapshot), submitted_by=author
    )
    simulation = simulation_of(version_document(version, language="en"))
    assert [line.label for line in simulation.lines] == ["A", "B", "C", "E"]
    assert not any(line.structured for line in simulation.lines)
    assert simulation.totals == (D("0.0"), D("0.0"), D("0.0"))
    assert [d.per_case for d in simulation.deductions] == [None, None, None]
    html = render_version_html(version, approved=False, language="en")
    table = simulator_html(html)
    assert table.count("Not structured: no points per point set, scores nothing.") == 4

    # and a version frozen today keeps its figures after the plan changes
    today = Version.objects.create(plan=scheme, number=2, snapshot=snapshot, submitted_by=author)
    ScorecardLine.objects.update(points_per_point=None)
    frozen = simulation_of(version_document(today, language="en"))
    assert frozen.totals == (D("36.0"), D("57.0"), D("65.4"))
    assert simulation_of(live_document(load_plan(scheme), language="en")).totals == (
        D("0.0"),
        D("0.0"),
        D("0.0"),
    )


def test_each_client_managers_portfolio_scores_the_lines_of_the_kpis_they_carry(plan, kpis):
    """李娜 carries deposits (a line as A above) and new customers (as B): 24.0 + 0.0,
    30.0 + 15.0, 33.0 + 18.0; 王强 new customers only; NPL has no line: it scores nothing."""
    content = plan.incentives
    for kpi, weight, figures in (
        (kpis["deposits"], "40.0", ("50.0", "0.30", "20.0", "33.0")),
        (kpis["new_customers"], "30.0", ("90.0", "0.15", "14.0", "20.0")),
    ):
        ScorecardLine.objects.create(
            incentives=content,
            kpi=kpi,
            weight=D(weight),
            scoring_rule="按完成率计分",
            **dict(zip(SCORING, map(D, figures), strict=True)),
        )
    ScorecardLine.objects.create(
        incentives=content, name="客户满意度", weight=D(30), scoring_rule="r"
    )
    managers = {
        name: Portfolio.objects.create(
            staffing=plan.staffing, client_manager=name, role="retail_cm"
        )
        for name in ("李娜", "王强")
    }
    for name, code, target in (
        ("李娜", "deposits", "9000"),
        ("李娜", "new_customers", "300"),
        ("王强", "new_customers", "250"),
        ("王强", "npl", "1.2"),
    ):
        PortfolioTarget.objects.create(
            incentives=content,
            client_manager=managers[name].client_manager,
            kpi=kpis[code],
            target=D(target),
        )
    simulation = simulation_of(live_document(load_plan(plan), language="en"))
    scored = {p.manager: (p.lines, p.weight, p.scores) for p in simulation.portfolios}
    assert scored == {
        "李娜": (
            ("Total deposits", "New active customers"),
            D(70),
            (D("24.0"), D("45.0"), D("51.0")),
        ),
        "王强": (("New active customers",), D(30), (D("0.0"), D("15.0"), D("18.0"))),
    }
    html = render_plan_html(plan, language="en")
    assert "Weight scored" in html and "李娜" in html and "45.0" in html


def test_a_target_is_set_for_one_of_the_plans_client_managers_only(client, plan, author, kpis):
    Portfolio.objects.create(staffing=plan.staffing, client_manager="李娜", role="retail_cm")
    client.force_login(author)
    url = reverse("plans:section", args=[plan.pk, "incentives"])
    data = form_data(client.get(url))
    add_row(data, "portfolio_targets", client_manager="王五", kpi=kpis["deposits"].pk, target="100")
    response = client.post(url, data)
    assert response.status_code == 200
    formset = dict((t.name, f) for t, f in response.context["tables"])["portfolio_targets"]
    assert list(formset.forms[-1].errors) == ["client_manager"]
    assert not PortfolioTarget.objects.exists()

    data["portfolio_targets-0-client_manager"] = "李娜"
    assert client.post(url, data).status_code == 302
    assert PortfolioTarget.objects.get().client_manager == "李娜"
