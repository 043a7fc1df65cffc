"""The section stepper: every step shows, saves, refuses bad input without losing it,
adds and removes rows, and refuses a stale save."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from bankplan.plans.models import SectionNote
from bankplan.plans.sections.background import Background, Competitor, LastYearResult
from bankplan.plans.sections.base import LONG_TEXT, MAX_ROWS, ROW_TEXT
from bankplan.plans.sections.channels import Channel, ChannelActivity
from bankplan.plans.sections.incentives import Deduction, Incentives, Reward, ScorecardLine
from bankplan.plans.sections.products import KpiTarget, ProductLine
from bankplan.plans.sections.registry import SECTIONS
from bankplan.plans.sections.staffing import Portfolio, RoleDuty, TaskForceTarget, Training
from bankplan.plans.sections.swot import SwotItem, SwotStrategy
from bankplan.plans.sections.target_market import KeyAccount, Segment
from tests.htmlform import add_row, form_data


def response_tables(response):
    return [formset.forms for _table, formset in response.context["tables"]]


def url(plan, key):
    return reverse("plans:section", args=[plan.pk, key])


@pytest.fixture
def page(client, author):
    client.force_login(author)

    def get(plan, key):
        response = client.get(url(plan, key))
        assert response.status_code == 200
        return response

    return get


@pytest.mark.parametrize("key", [section.key for section in SECTIONS])
def test_every_step_shows_its_form_guidance_and_progress(page, plan, key):
    response = page(plan, key)
    html = response.content.decode()
    assert 'name="revision"' in html
    assert "guidance-lead" in html  # the section's guidance panel
    assert 'aria-current="step"' in html
    assert response.context["section"].key == key


def test_background_saves_profile_results_and_competitors(client, page, plan, kpis):
    data = form_data(page(plan, "background"))
    data.update(
        location="县城人民路 18 号",
        branch_type="county",
        headcount="24",
        local_economy="以纺织和农产品加工为主。",
    )
    # The results table has one row per KPI, in catalogue order, each named.
    assert data["results-TOTAL_FORMS"] == "3"
    names = [form.catalogue_kpi.name for form in response_tables(page(plan, "background"))[0]]
    assert names == ["各项存款余额", "新增有效客户", "不良贷款率"]
    assert "各项存款余额" in page(plan, "background").content.decode()
    data.update({"results-0-last_target": "50000", "results-0-last_actual": "51234.5"})
    add_row(
        data,
        "competitors",
        name="工商银行城关支行",
        type="state_owned",
        share="28.5",
        strengths="网点多",
    )
    response = client.post(url(plan, "background"), data)
    assert response.status_code == 302
    background = Background.objects.get(plan=plan)
    assert background.location == "县城人民路 18 号"
    assert background.revision == 1
    result = LastYearResult.objects.get(background=background, kpi=kpis["deposits"])
    assert result.last_actual == Decimal("51234.50")
    assert Competitor.objects.get(background=background).share == Decimal("28.5")


def test_invalid_input_comes_back_with_everything_typed_and_nothing_saved(client, page, plan):
    data = form_data(page(plan, "background"))
    data.update(location="人民路", headcount="-3", local_economy="工业强县")
    add_row(data, "competitors", name="农商行", type="rural", share="150", strengths="贴近农户")
    response = client.post(url(plan, "background"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "人民路" in html and "工业强县" in html and "贴近农户" in html
    assert response.context["form"].has_error("headcount")
    competitors = response.context["tables"][1][1]
    assert competitors.forms[0].has_error("share")
    assert 'class="invalid-feedback d-block"' in html
    assert Background.objects.get(plan=plan).location == ""
    assert not Competitor.objects.exists()


def test_text_over_the_limit_is_refused_at_the_field_and_kept_whole(client, page, plan):
    assert "maxlength" not in page(plan, "background").content.decode()  # a paste is not cut
    data = form_data(page(plan, "background"))
    too_long = "县域经济以农业为主。" * (LONG_TEXT // 10) + "最后一句"
    data["local_economy"] = too_long
    add_row(data, "competitors", name="农商行", type="rural", strengths="近" * (ROW_TEXT + 1))
    response = client.post(url(plan, "background"), data)
    assert response.status_code == 200
    assert response.context["form"].has_error("local_economy", "max_length")
    assert response.context["tables"][1][1].forms[0].has_error("strengths", "max_length")
    assert too_long in response.content.decode()  # nothing typed is lost
    assert Background.objects.get(plan=plan).local_economy == ""


def test_a_table_holds_at_most_max_rows_rows(client, page, plan):
    data = form_data(page(plan, "swot"))
    for n in range(MAX_ROWS + 1):
        add_row(data, "items", kind="S", text=f"优势 {n}", priority="medium")
    response = client.post(url(plan, "swot"), data)
    assert response.status_code == 200
    assert f"最多 {MAX_ROWS} 行" in response.content.decode()
    assert not SwotItem.objects.exists()
    data["items-TOTAL_FORMS"] = str(MAX_ROWS)
    assert client.post(url(plan, "swot"), data).status_code == 302
    assert SwotItem.objects.count() == MAX_ROWS


def test_a_count_kpi_refuses_fractions(client, page, plan):
    data = form_data(page(plan, "background"))
    data["results-1-last_actual"] = "12.5"  # new customers are whole
    response = client.post(url(plan, "background"), data)
    assert response.status_code == 200
    results = response.context["tables"][0][1]
    assert results.forms[1].has_error("last_actual", "whole_number")


def test_rows_are_added_and_removed(client, page, plan):
    data = form_data(page(plan, "background"))
    add_row(data, "competitors", name="甲", type="joint_stock")
    add_row(data, "competitors", name="乙", type="internet")
    client.post(url(plan, "background"), data)
    assert list(Competitor.objects.values_list("name", flat=True)) == ["甲", "乙"]

    data = form_data(page(plan, "background"))
    data["competitors-0-DELETE"] = "on"
    client.post(url(plan, "background"), data)
    assert list(Competitor.objects.values_list("name", flat=True)) == ["乙"]


def test_save_and_continue_goes_to_the_next_section_then_to_the_overview(client, page, plan):
    data = form_data(page(plan, "background"))
    data["then"] = "next"
    response = client.post(url(plan, "background"), data)
    assert response["Location"] == url(plan, "swot")

    data = form_data(page(plan, "incentives"))
    data["then"] = "next"
    response = client.post(url(plan, "incentives"), data)
    assert response["Location"] == reverse("plans:overview", args=[plan.pk])


def test_save_draft_stays_on_the_section_even_when_incomplete(client, page, plan):
    data = form_data(page(plan, "swot"))
    add_row(data, "items", kind="S", text="国有银行信誉", priority="high")
    data["then"] = "stay"
    response = client.post(url(plan, "swot"), data)
    assert response["Location"] == url(plan, "swot")
    assert SwotItem.objects.count() == 1


def test_swot_strategy_links_matching_items_only(client, page, plan):
    data = form_data(page(plan, "swot"))
    add_row(data, "items", kind="S", text="网点密集", priority="high")
    add_row(data, "items", kind="O", text="乡村振兴政策", priority="medium")
    add_row(data, "items", kind="T", text="互联网银行分流", priority="low")
    client.post(url(plan, "swot"), data)
    s, o, t = SwotItem.objects.order_by("pk")

    data = form_data(page(plan, "swot"))
    add_row(
        data, "strategies", kind="SO", text="借网点优势承接政策红利", items=[str(s.pk), str(t.pk)]
    )
    response = client.post(url(plan, "swot"), data)
    assert response.status_code == 200
    assert response.context["tables"][1][1].forms[0].has_error("items", "wrong_item_kind")

    data["strategies-0-items"] = [str(s.pk), str(o.pk)]
    response = client.post(url(plan, "swot"), data)
    assert response.status_code == 302
    assert set(SwotStrategy.objects.get().items.all()) == {s, o}


def test_target_market_segments_and_key_accounts(client, page, plan):
    data = form_data(page(plan, "target_market"))
    data["positioning"] = "做县域百姓身边的财富管家"
    add_row(
        data,
        "segments",
        segment_type="affluent",
        size="3200",
        current_share="18",
        target_share="22",
        priority="high",
        chosen="on",
    )
    add_row(data, "key_accounts", name="县人民医院", current_balance="8000.00")
    assert client.post(url(plan, "target_market"), data).status_code == 302
    assert Segment.objects.get().chosen is True
    assert KeyAccount.objects.get().current_balance == Decimal("8000.00")


@pytest.fixture
def last_year(plan, kpis):
    background = plan.background
    for kpi, actual in [("deposits", "50000"), ("new_customers", "1000"), ("npl", "1.5")]:
        LastYearResult.objects.create(
            background=background, kpi=kpis[kpi], last_actual=Decimal(actual)
        )


def test_targets_are_set_beside_last_years_actual(page, plan, last_year):
    shown = [form.last_year_actual for form in response_tables(page(plan, "products"))[0]]
    assert shown == [Decimal(50000), Decimal(1000), Decimal("1.5")]
    html = page(plan, "products").content.decode()
    assert "上年 50,000.00" in html and "上年 1,000" in html and "上年 1.5%" in html


def test_products_quarters_must_add_up_to_the_year(client, page, plan, last_year):
    data = form_data(page(plan, "products"))
    # new customers: a flow, the quarters share out the year's figure
    data.update(
        {
            "targets-1-target": "1200",
            "targets-1-q1": "300",
            "targets-1-q2": "300",
            "targets-1-q3": "300",
            "targets-1-q4": "200",
        }
    )
    response = client.post(url(plan, "products"), data)
    assert response.status_code == 200
    form = response.context["tables"][0][1].forms[1]
    assert form.has_error("__all__", "quarters_mismatch")
    # the message names the sum it found, written as the KPI's figures are
    assert "1,100" in response.content.decode()

    data["targets-1-q4"] = "300"
    # deposits: a balance, the quarters share out the growth over last year's 50,000
    data.update(
        {
            "targets-0-target": "56000",
            "targets-0-q1": "2000",
            "targets-0-q2": "1500",
            "targets-0-q3": "1500",
            "targets-0-q4": "1000",
        }
    )
    # the NPL ratio's quarters are checkpoints and need not add up
    data.update(
        {
            "targets-2-target": "1.3",
            "targets-2-q1": "1.5",
            "targets-2-q2": "1.4",
            "targets-2-q3": "1.4",
            "targets-2-q4": "1.3",
        }
    )
    response = client.post(url(plan, "products"), data)
    assert response.status_code == 302
    deposits = KpiTarget.objects.get(kpi__code="deposits")
    assert deposits.target == Decimal("56000") and deposits.q4 == Decimal("1000")


def test_a_balance_split_that_misses_the_growth_is_explained(client, page, plan, last_year):
    data = form_data(page(plan, "products"))
    data.update(
        {
            "targets-0-target": "56000",
            "targets-0-q1": "14000",
            "targets-0-q2": "14000",
            "targets-0-q3": "14000",
            "targets-0-q4": "14000",
        }
    )
    response = client.post(url(plan, "products"), data)
    assert response.status_code == 200
    assert response.context["tables"][0][1].forms[0].has_error("__all__", "quarters_mismatch")


def test_product_lines_target_only_pursued_segments(client, page, plan):
    target_market = plan.targetmarket
    pursued = Segment.objects.create(
        target_market=target_market, segment_type="farmer", chosen=True
    )
    ignored = Segment.objects.create(target_market=target_market, segment_type="mass")
    data = form_data(page(plan, "products"))
    add_row(
        data,
        "lines",
        name="惠农e贷",
        category="loan",
        segment=str(ignored.pk),
        yearly_target="3000",
        target_unit="万元",
        promotion="guided",
    )
    response = client.post(url(plan, "products"), data)
    assert response.context["tables"][1][1].forms[0].has_error("segment")

    data["lines-0-segment"] = str(pursued.pk)
    assert client.post(url(plan, "products"), data).status_code == 302
    assert ProductLine.objects.get().segment == pursued


def test_channels_and_calendar(client, page, plan):
    data = form_data(page(plan, "channels"))
    add_row(
        data,
        "rows",
        channel_type="mobile",
        role="线上获客主渠道",
        target_volume="新增签约 3,000 户",
    )
    add_row(data, "activities", month="2", channel_type="events", activity="春节迎新活动")
    assert client.post(url(plan, "channels"), data).status_code == 302
    assert Channel.objects.get().channel_type == "mobile"
    assert ChannelActivity.objects.get().month == 2


def test_channel_activity_month_must_be_a_month(client, page, plan):
    data = form_data(page(plan, "channels"))
    add_row(data, "activities", month="13", channel_type="events", activity="?")
    response = client.post(url(plan, "channels"), data)
    assert response.context["tables"][1][1].forms[0].has_error("month")


def test_staffing_tables(client, page, plan):
    data = form_data(page(plan, "staffing"))
    add_row(data, "roles", role="retail_cm", headcount="4", duty="维护中高端客户")
    add_row(
        data,
        "portfolios",
        client_manager="李娜",
        role="retail_cm",
        customers="320",
        balance="9800.50",
    )
    add_row(
        data,
        "task_force",
        month="3",
        account="县纺织集团",
        client_manager="李娜",
        sponsor="王行长",
        goal="代发工资",
    )
    add_row(data, "trainings", topic="理财产品合规销售", month="4", hours="3.5", audience="全员")
    assert client.post(url(plan, "staffing"), data).status_code == 302
    assert RoleDuty.objects.get().headcount == 4
    assert Portfolio.objects.get().balance == Decimal("9800.50")
    assert TaskForceTarget.objects.get().sponsor == "王行长"
    assert Training.objects.get().hours == Decimal("3.5")


def test_a_role_is_listed_once(client, page, plan):
    data = form_data(page(plan, "staffing"))
    add_row(data, "roles", role="teller", headcount="4")
    add_row(data, "roles", role="teller", headcount="5")
    response = client.post(url(plan, "staffing"), data)
    assert response.status_code == 200
    assert response.context["tables"][0][1].non_form_errors()


def test_incentives_weights_may_not_exceed_100(client, page, plan, kpis):
    data = form_data(page(plan, "incentives"))
    add_row(data, "scorecard", kpi=str(kpis["deposits"].pk), weight="70", scoring_rule="按完成率")
    add_row(data, "scorecard", name="客户满意度", weight="40", scoring_rule="神秘客户检查")
    response = client.post(url(plan, "incentives"), data)
    assert response.status_code == 200
    assert "110" in str(response.context["tables"][0][1].non_form_errors())

    data["scorecard-1-weight"] = "30"
    add_row(data, "deductions", kind="npl", rule="新增不良", deduction="扣减模拟利润")
    add_row(data, "rewards", name="营销之星", criterion="季度第一", award="通报表扬")
    data.update(profit_measure="收入减成本减风险", compliance_rules="不得违规揽存")
    assert client.post(url(plan, "incentives"), data).status_code == 302
    assert sum(line.weight for line in ScorecardLine.objects.all()) == 100
    assert Deduction.objects.count() == 1 and Reward.objects.count() == 1
    assert Incentives.objects.get(plan=plan).revision == 1


def test_a_scorecard_line_names_its_measure(client, page, plan):
    data = form_data(page(plan, "incentives"))
    add_row(data, "scorecard", weight="10", scoring_rule="?")
    response = client.post(url(plan, "incentives"), data)
    assert response.context["tables"][0][1].forms[0].has_error("name", "no_measure")


def test_a_stale_save_is_refused_and_the_input_shown_again(client, page, plan, colleague):
    data = form_data(page(plan, "background"))
    # The colleague saves the same section in the meantime.
    other = form_data(page(plan, "background"))
    other["location"] = "同事填写的地址"
    client.force_login(colleague)
    assert client.post(url(plan, "background"), other).status_code == 302

    client.force_login(plan.created_by)
    data["location"] = "我填写的地址"
    response = client.post(url(plan, "background"), data)
    assert response.status_code == 200
    assert "我填写的地址" in response.content.decode()
    assert str(colleague) in response.content.decode()
    assert Background.objects.get(plan=plan).location == "同事填写的地址"
    # Saving again, now knowingly, replaces the colleague's text.
    assert client.post(url(plan, "background"), form_data(response)).status_code == 302
    assert Background.objects.get(plan=plan).location == "我填写的地址"


def test_everything_typed_is_there_after_logging_out_and_back_in(client, page, plan, author):
    data = form_data(page(plan, "channels"))
    data["strategy"] = "以手机银行为主、网点为辅"
    client.post(url(plan, "channels"), data)
    client.logout()
    client.force_login(author)
    assert "以手机银行为主、网点为辅" in page(plan, "channels").content.decode()


def test_empty_choices_are_worded_in_chinese(page, plan):
    html = page(plan, "channels").content.decode()
    assert "请选择…" in html
    assert "Select an option" not in html


def test_head_offices_note_shows_on_its_section_only(page, plan):
    SectionNote.objects.create(
        cycle=plan.cycle, section="products", text="存款增速不低于 8%。\n<b>注意</b>合规"
    )
    html = page(plan, "products").content.decode()
    assert "存款增速不低于 8%。<br>&lt;b&gt;注意&lt;/b&gt;合规" in html  # escaped, lines kept
    assert "存款增速" not in page(plan, "swot").content.decode()


def test_the_note_reads_in_english_where_head_office_wrote_one(plan):
    note = SectionNote.objects.create(cycle=plan.cycle, section="swot", text="只写本行的事。")
    with translation.override("en"):
        assert note.display_text == "只写本行的事。"  # no English yet: the Chinese, not nothing
        note.text_en = "Only facts about this branch."
        assert note.display_text == "Only facts about this branch."
    assert note.display_text == "只写本行的事。"


def test_one_note_per_section_and_cycle(plan):
    SectionNote.objects.create(cycle=plan.cycle, section="swot", text="一")
    with pytest.raises(IntegrityError), transaction.atomic():
        SectionNote.objects.create(cycle=plan.cycle, section="swot", text="二")


def test_a_row_a_colleague_removed_meanwhile_is_kept_with_what_the_author_typed(
    client, page, plan, colleague
):
    Competitor.objects.create(background=plan.background, name="农商行", type="rural")
    data = form_data(page(plan, "background"))
    # The colleague removes the row and saves, while the author still has it on screen.
    other = form_data(page(plan, "background"))
    other["competitors-0-DELETE"] = "on"
    client.force_login(colleague)
    assert client.post(url(plan, "background"), other).status_code == 302
    assert not Competitor.objects.exists()

    client.force_login(plan.created_by)
    data["competitors-0-strengths"] = "贴近农户，审批快"
    response = client.post(url(plan, "background"), data)
    assert response.status_code == 200  # told, as for any stale save, not "correct the values"
    assert str(colleague) in response.content.decode()
    assert "贴近农户，审批快" in response.content.decode()
    assert client.post(url(plan, "background"), form_data(response)).status_code == 302
    assert [(c.name, c.strengths) for c in Competitor.objects.all()] == [
        ("农商行", "贴近农户，审批快")
    ]
