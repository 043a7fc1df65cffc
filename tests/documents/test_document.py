"""One document for every view of a plan: the live plan and frozen versions read the same
way, and a version stands on its own after the models change."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bankplan.documents import charts
from bankplan.documents.build import live_document, version_document
from bankplan.documents.reader import read
from bankplan.documents.rendering import render_version_html
from bankplan.documents.snapshot import SCHEMA, upgrade
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.background import Competitor, LastYearResult
from bankplan.plans.sections.registry import SECTIONS
from bankplan.plans.sections.target_market import Segment
from bankplan.reviews.diff import diff_snapshots
from bankplan.reviews.models import Version
from bankplan.reviews.snapshots import snapshot_plan

SNAPSHOTS = Path(__file__).parent / "snapshots"


def stored(name: str) -> dict:
    return json.loads((SNAPSHOTS / name).read_text(encoding="utf-8"))


def freeze(plan, author, snapshot=None) -> Version:
    number = plan.versions.count() + 1
    return Version.objects.create(
        plan=plan, number=number, snapshot=snapshot or snapshot_plan(plan), submitted_by=author
    )


def page(client, url, language: str) -> str:
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_snapshot_carries_its_schema_labels_and_kinds_in_both_languages(plan, kpis):
    LastYearResult.objects.create(
        background=plan.background, kpi=kpis["npl"], last_target=Decimal("1.5")
    )
    snapshot = snapshot_plan(plan)
    assert snapshot["schema"] == SCHEMA == 2
    assert snapshot["plan"] | {"author": ""} == {
        "bank": "总行",
        "region": "东区分行",
        "branch": "城关支行",
        "branch_code": "A",
        "cycle": "2027 年度营销计划",
        "year": 2027,
        "author": "",
    }
    background = snapshot["sections"]["background"]
    assert background["title"] == {
        "zh-hans": "背景与现状分析",
        "en": "Background and current position",
    }
    fields = {field["name"]: field for field in background["meta"]["fields"]}
    assert fields["headcount"] == {
        "name": "headcount",
        "label": {"zh-hans": "人数", "en": "Headcount"},
        "kind": "integer",
    }
    assert ["county", {"zh-hans": "县域", "en": "County"}] in fields["branch_type"]["choices"]
    results, competitors = background["meta"]["tables"]
    assert results["kpi"] and results["title"]["en"] == "Last year's results"
    assert {c["kind"] for c in results["columns"]} == {"kpi_figure"}
    assert [c["kind"] for c in competitors["columns"]] == ["text", "choice", "share", "long_text"]
    row = background["tables"]["results"][0]
    assert row["kpi"] == {
        "code": "npl",
        "name": {"zh-hans": "不良贷款率", "en": "NPL ratio"},
        "measure": "percent",
        "unit": {"zh-hans": "%", "en": "%"},
        "direction": "lower",
        "is_balance": False,
    }
    assert row["values"] == {"last_target": "1.50", "last_actual": None}
    lines = {t["name"]: t for t in snapshot["sections"]["products"]["meta"]["tables"]}["lines"]
    yearly = next(c for c in lines["columns"] if c["name"] == "yearly_target")
    assert yearly == {
        "name": "yearly_target",
        "label": {"zh-hans": "年度目标", "en": "Yearly target"},
        "kind": "decimal",
        "places": 2,
        "unit_from": "target_unit",
    }


def test_a_schema_1_snapshot_is_upgraded_on_read():
    upgraded = upgrade(stored("schema_1.json"))
    assert upgraded["schema"] == SCHEMA
    background = upgraded["sections"]["background"]
    fields = {field["name"]: field for field in background["meta"]["fields"]}
    assert fields["headcount"]["kind"] == "integer"
    # a field today's models do not have: labelled by its name, never dropped
    assert fields["branch_motto"]["label"] == {"zh-hans": "branch_motto", "en": "branch_motto"}
    assert background["fields"]["branch_motto"] == "贴近农户"
    row = background["tables"]["results"][0]
    assert row["kpi"]["unit"] == {"zh-hans": "万元", "en": "10k yuan"}
    assert row["values"] == {"last_target": "54000.00", "last_actual": "53200.00"}
    strategy = upgraded["sections"]["swot"]["tables"]["strategies"][0]
    assert strategy["values"]["items"][0] == {
        "zh-hans": "S省内法人银行，审批快",
        "en": "S省内法人银行，审批快",
    }
    assert upgrade(upgraded) == upgraded  # a current snapshot is left as it is


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-hans",
            [
                "支行概况",
                "县域",
                "branch_motto",
                "贴近农户",
                "农村信用社 / 农村商业银行",
                "31.0%",
                "2,265",
                "完成率",
                "S</span>优势",
                "T</span>威胁",
                "40 户",
                "代发工资客户 · 开发区企业员工",
            ],
        ),
        (
            "en",
            [
                "Branch profile",
                "County",
                "branch_motto",
                "贴近农户",
                "Rural credit cooperative / rural commercial bank",
                "31.0%",
                "2,265",
                "Achievement",
                "Strength",
                "Threat",
                "40 户",
                "Settlement",
            ],
        ),
    ],
)
def test_a_schema_1_version_renders_in_either_language(
    client, plan, author, reviewer, language, expected
):
    client.force_login(reviewer)
    version = freeze(plan, author, stored("schema_1.json"))
    html = page(client, reverse("reviews:version", args=[plan.pk, version.number]), language)
    for text in expected:
        assert text in html, text
    assert "1.32%" in html  # a ratio as it was entered
    assert 'class="swot-grid' in html.replace("row row-cols-1 row-cols-md-2 g-3 ", "")

    # and it compares with a version of today's schema
    background = plan.background
    background.headcount, background.branch_type = 24, "county"
    background.save()
    freeze(plan, author)
    html = page(client, reverse("reviews:compare", args=[plan.pk]), language)
    headcount = "人数" if language == "zh-hans" else "Headcount"
    assert f'<span class="fw-semibold">{headcount}</span>' in html
    assert '<del>20</del> → <ins>24</ins> <span class="diff-delta">(+4)</span>' in html
    assert "branch_motto" in html  # gone since: shown as removed, by its name


@pytest.mark.parametrize(
    ("language", "renamed", "share"),
    [("zh-hans", "员工人数", "市场份额（%）"), ("en", "Staff count", "Market share (%)")],
)
def test_a_renamed_field_still_shows_and_diffs(
    client, plan, author, reviewer, language, renamed, share
):
    client.force_login(reviewer)
    old = freeze(plan, author, stored("schema_2_renamed.json"))
    background = plan.background
    background.headcount, background.branch_type = 24, "county"
    background.save()
    current = freeze(plan, author)

    html = page(client, reverse("reviews:version", args=[plan.pk, old.number]), language)
    assert renamed in html and ">20<" in html  # under the label it was stored with
    assert share in html and "31.0%" in html  # a renamed column of a table too
    assert "98.5%" in html  # achievement, worked out from the stored figures

    changes = {d.key: d for d in diff_snapshots(old.snapshot, current.snapshot, language=language)}
    fields = {change.label: change for change in changes["background"].fields}
    assert (fields[renamed].old, fields[renamed].new) == ("20", "–")
    headcount = "人数" if language == "zh-hans" else "Headcount"
    assert (fields[headcount].old, fields[headcount].new) == ("–", "24")
    assert "支行类型" not in fields and "Branch type" not in fields  # same code: no change
    compare = reverse("reviews:compare", args=[plan.pk]) + "?from=1&to=2"
    html = page(client, compare, language)
    assert renamed in html and "1. " in html


def test_numbers_diff_as_numbers_whatever_their_type(plan, author):
    old = stored("schema_1.json")  # headcount stored as an integer
    background = plan.background
    background.headcount = 24
    background.save()
    new = snapshot_plan(plan)
    changes = {d.key: d for d in diff_snapshots(old, new, language="zh-hans")}
    headcount = next(c for c in changes["background"].fields if c.label == "人数")
    assert (headcount.old, headcount.new, headcount.delta) == ("20", "24", 4)
    assert headcount.delta_shown == "+4"
    assert headcount.marked == "<del>20</del> → <ins>24</ins>"


def test_a_share_changes_in_percentage_points(plan, author):
    competitor = Competitor.objects.create(
        background=plan.background, name="建行", type="state_owned", share=Decimal("12.5")
    )
    before = snapshot_plan(plan)
    competitor.share = Decimal("15")
    competitor.save()
    (diff,) = diff_snapshots(before, snapshot_plan(plan), language="en")
    (change,) = diff.tables[0].rows[0].changes
    assert (change.old, change.new, change.delta_shown) == ("12.5%", "15.0%", "+2.50 pp")


def test_the_live_plan_and_its_version_read_the_same(client, plan, author, reviewer):
    Segment.objects.create(
        target_market=plan.targetmarket, segment_type="farmer", chosen=True, priority="high"
    )
    version = freeze(plan, author)
    live = live_document(load_plan(plan), language="zh-hans")
    frozen = version_document(version, language="zh-hans")
    assert [(c.number, c.key, c.title) for c in live.chapters] == [
        (c.number, c.key, c.title) for c in frozen.chapters
    ]
    assert [c.key for c in live.chapters] == [section.key for section in SECTIONS]
    for mine, theirs in zip(live.chapters, frozen.chapters, strict=True):
        assert [(f.label, f.shown) for f in mine.fields] == [
            (f.label, f.shown) for f in theirs.fields
        ]
    client.force_login(reviewer)
    overview = client.get(reverse("plans:overview", args=[plan.pk])).content.decode()
    shown = client.get(reverse("reviews:version", args=[plan.pk, 1])).content.decode()
    for html in (overview, shown):
        assert 'class="table-success"' in html  # the pursued segment, marked
        assert "priority-high" in html and "农户" in html


def test_the_overview_lays_out_every_field_and_table_of_every_section(client, plan, author):
    background = plan.background
    background.location, background.branch_type = "人民路", "urban"
    background.save()
    plan.swot.summary = "小结"
    plan.swot.save()
    client.force_login(author)
    html = client.get(reverse("plans:overview", args=[plan.pk])).content.decode()
    for section in SECTIONS:
        described = section.describe()
        # a profile field, a narrative and a table title each under their own label
        for field in described["fields"]:
            assert field["label"]["zh-hans"] in html, (section.key, field["name"])
        for table in described["tables"]:
            assert table["title"]["zh-hans"] in html, (section.key, table["name"])


def test_a_version_renders_from_its_snapshot_alone(plan, author, reviewer):
    background = plan.background
    background.location = '<img src="file:///etc/passwd">'
    background.save()
    version = freeze(plan, author)
    background.location = "改过的地址"
    background.save()
    Competitor.objects.create(background=background, name="后来加的同业", type="rural")

    submitted = render_version_html(version, approved=False, language="zh-hans")
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in submitted
    assert "改过的地址" not in submitted and "后来加的同业" not in submitted
    assert "已提交" in submitted and 'class="draft-mark"' in submitted
    assert 'class="approval"' not in submitted

    version.approved_by, version.approved_at = reviewer, version.submitted_at
    version.save()
    approved = render_version_html(version, approved=True, language="en")
    assert 'class="draft-mark"' not in approved
    assert "Approved by Reviewer on" in approved and "(version 1)" in approved
    assert "总行" in approved and "城关支行（A）" in approved


def test_the_version_page_costs_the_same_queries_however_long_the_plan(
    client, plan, author, reviewer
):
    freeze(plan, author)
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as short:
        client.get(reverse("reviews:version", args=[plan.pk, 1]))
    for i in range(20):
        Competitor.objects.create(background=plan.background, name=f"同业{i}", type="rural")
        Segment.objects.create(target_market=plan.targetmarket, segment_type="farmer")
    freeze(plan, author)
    with CaptureQueriesContext(connection) as long:
        response = client.get(reverse("reviews:version", args=[plan.pk, 2]))
    assert response.context["changes"]  # and it compares with version 1
    assert len(long) == len(short)


def test_charts_read_the_document_of_an_old_version(plan, author):
    rows = charts.kpi_figures(read(stored("schema_1.json"), language="zh-hans"))
    deposits = rows[0]
    assert (deposits.kpi.name, deposits.last_actual, deposits.target) == (
        "各项存款余额",
        Decimal("53200.00"),
        Decimal("58600.00"),
    )
    assert "各项存款余额" in charts.change_chart(rows)


def test_a_scorecard_line_reads_under_one_measure_column_its_kpi_or_its_own_name(
    plan, author, kpis
):
    incentives = plan.incentives
    incentives.scorecard.create(kpi=kpis["deposits"], weight=Decimal(60), scoring_rule="完成率")
    incentives.scorecard.create(name="客户满意度", weight=Decimal(40), scoring_rule="神秘客户")
    for language, first in (("zh-hans", "各项存款余额"), ("en", "Total deposits")):
        document = version_document(freeze(plan, author), language=language)
        table = document.chapter("incentives").parts["scorecard"]
        labels = [column.label for column in table.shown_columns]
        assert labels[0] == ("考核指标" if language == "zh-hans" else "Measure")
        # measure, weight, scoring rule, quality condition, and the rule in figures
        # (threshold, points per point, floor, cap)
        assert len(labels) == 8
        assert [row.shown_cells[0].shown for row in table.rows] == [first, "客户满意度"]
