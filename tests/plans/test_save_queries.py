"""Saving a section costs the same few queries whatever the number of rows: choices and
uniqueness are checked against data read once per request, and rows are written in bulk.

Each section is saved three times, as an author would over a few sittings: rows added to
every table, then every row changed (SWOT strategies linked to their items), then every
row replaced. The same three saves are made with one row and with a full table, and must
cost the same queries, at most ``MAX_QUERIES``. What was posted is read back, value by
value.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bankplan.plans.models import Cycle, Kpi
from bankplan.plans.sections.background import Competitor, CompetitorType, LastYearResult
from bankplan.plans.sections.base import LONG_TEXT, MAX_ROWS
from bankplan.plans.sections.channels import ChannelType
from bankplan.plans.sections.incentives import DeductionKind
from bankplan.plans.sections.products import Category, ProductLine
from bankplan.plans.sections.registry import SECTIONS, get_section
from bankplan.plans.sections.staffing import Portfolio, RoleDuty, StaffRole
from bankplan.plans.sections.swot import ItemKind, SwotItem, SwotStrategy
from bankplan.plans.sections.target_market import KeyAccount, Segment, SegmentType
from bankplan.plans.services import start_plan
from tests.htmlform import add_row, form_data

MAX_QUERIES = 40
SIZES = (1, MAX_ROWS)


def pick(choices, i):
    return choices[i % len(choices)]


def weight(n: int) -> str:
    """Scorecard weights of n lines adding up to 100."""
    return f"{Decimal(100) / n:.1f}"


# A realistic row of each table: row(i, n, context) -> posted values.
ROWS = {
    "competitors": lambda i, n, c: {
        "name": f"竞争银行 {i}",
        "type": pick(CompetitorType.values, i),
        "share": "12.5",
        "strengths": "网点多，代发工资客户稳定",
    },
    "items": lambda i, n, c: {
        "kind": pick(ItemKind.values, i),
        "text": f"县城网点密集，老客户信任度高 {i}",
        "priority": "high",
    },
    "strategies": lambda i, n, c: {"kind": "SO", "text": f"借网点优势承接乡村振兴政策 {i}"},
    "segments": lambda i, n, c: {
        "segment_type": pick(SegmentType.values, i),
        "description": "县城公务员及事业单位",
        "size": "3200",
        "current_share": "18.0",
        "target_share": "22.5",
        "needs": "理财、房贷",
        "priority": "high",
        "chosen": "on",
    },
    "key_accounts": lambda i, n, c: {
        "name": f"县人民医院 {i}",
        "current_balance": "8000.00",
        "relationship": "代发工资",
        "plan": "争取基本户",
        "client_manager": "李娜",
    },
    "lines": lambda i, n, c: {
        "name": f"惠农e贷 {i}",
        "category": pick(Category.values, i),
        "segment": str(c["segment"].pk),
        "kpi": str(pick(c["kpis"], i).pk),
        "strategies": c["strategies"],
        "yearly_target": "3000.50",
        "target_unit": "万元",
        "pricing_note": "利率优惠 20 个基点",
        "promotion": "guided",
    },
    "rows": lambda i, n, c: {
        "channel_type": pick(ChannelType.values, i),
        "role": "线上获客主渠道",
        "target_volume": "新增签约 3,000 户",
        "segments": [str(c["segment"].pk)],
    },
    "activities": lambda i, n, c: {
        "month": "2",  # (rows are listed by month: one month keeps the order they were added)
        "channel_type": "events",
        "activity": f"春节迎新活动 {i}",
        "goal": "新增客户 200 户",
        "strategies": c["strategies"],
    },
    "roles": lambda i, n, c: {
        "role": pick(StaffRole.values, i),
        "headcount": "4",
        "duty": "维护中高端客户",
    },
    "portfolios": lambda i, n, c: {
        "client_manager": f"客户经理 {i}",
        "role": "retail_cm",
        "customers": "320",
        "balance": "9800.50",
    },
    "task_force": lambda i, n, c: (
        (
            # A key account of the plan, or an account named that is not one.
            {"key_account": str(c["key_account"].pk)} if i % 2 else {"account": f"县纺织集团 {i}"}
        )
        | {
            "month": "3",
            "client_manager": "李娜",
            "sponsor": "王行长",
            "goal": "代发工资",
            "strategies": c["strategies"],
        }
    ),
    "trainings": lambda i, n, c: {
        "topic": f"理财产品合规销售 {i}",
        "month": "4",
        "hours": "3.5",
        "audience": "全员",
        "products": [str(c["product"].pk)],
        "strategies": c["strategies"],
    },
    "scorecard": lambda i, n, c: (
        ({"kpi": str(pick(c["kpis"], i).pk)} if i % 2 else {"name": "客户满意度"})
        | {"weight": weight(n), "scoring_rule": "按完成率计分"}
        | {"threshold": "60.0", "points_per_point": "0.25", "floor": "10.0", "cap": "30.0"}
    ),
    "deductions": lambda i, n, c: {
        "kind": pick(DeductionKind.values, i),
        "rule": "新增不良贷款",
        "deduction": "扣减模拟利润 10 万元",
        "points_per_case": "1.5",
    },
    "rewards": lambda i, n, c: {
        "name": f"营销之星 {i}",
        "criterion": "季度业绩第一",
        "award": "通报表扬",
    },
    # one row per client manager and KPI: three KPIs a manager, every row a pair of its own
    "portfolio_targets": lambda i, n, c: {
        "client_manager": c["portfolios"][(i // 3) % len(c["portfolios"])].client_manager,
        "kpi": str(pick(c["kpis"], i).pk),
        "target": str(10 + i % 50),  # a figure every KPI takes, the NPL ratio's percent too
    },
}

# The column each row has changed in the second save.
CHANGED = {
    "competitors": "strengths",
    "items": "text",
    "strategies": "text",
    "segments": "needs",
    "key_accounts": "plan",
    "lines": "pricing_note",
    "rows": "role",
    "activities": "goal",
    "roles": "duty",
    "portfolios": "client_manager",
    "task_force": "goal",
    "trainings": "audience",
    "scorecard": "scoring_rule",
    "deductions": "rule",
    "rewards": "award",
    "portfolio_targets": "target",  # a figure: raised by one
}

# A table that cannot hold MAX_ROWS rows: one row per staff role.
ROW_LIMITS = {"roles": len(StaffRole.values)}

# The fields above the tables, as typed in the first save.
FIELDS = {
    "background": {
        "location": "县城人民路 18 号",
        "branch_type": "county",
        "outlets": "3",
        "self_service_areas": "2",
        "headcount": "24",
        "local_economy": "以纺织和农产品加工为主，外出务工人员多。",
        "customer_trends": "年轻客户转向手机银行。",
    },
    "swot": {"summary": "网点是最大优势，线上是最大短板。"},
    "target_market": {"positioning": "做县域百姓身边的财富管家"},
    "products": {"focus": "代发工资带动储蓄和理财"},
    "channels": {"strategy": "以手机银行为主、网点为辅"},
    "staffing": {"approach": "全员营销，按月通报"},
    "incentives": {"profit_measure": "收入减成本减风险", "compliance_rules": "不得违规揽存"},
}

# The fixed KPI tables (deposits, new customers, NPL ratio), in the first and second save.
KPI_FIGURES = {
    "results": [
        [
            {"last_target": "50000", "last_actual": "51234.50"},
            {"last_target": "1000", "last_actual": "980"},
            {"last_target": "1.5", "last_actual": "1.42"},
        ],
        [
            {"last_target": "50000", "last_actual": "51300"},
            {"last_target": "1000", "last_actual": "1010"},
            {"last_target": "1.5", "last_actual": "1.38"},
        ],
    ],
    # Deposits is a balance: its quarters share out the growth over last year's 50,000.
    "targets": [
        [
            {"target": "56000", "q1": "1500", "q2": "1500", "q3": "1500", "q4": "1500"},
            {"target": "1200", "q1": "300", "q2": "300", "q3": "300", "q4": "300"},
            {"target": "1.3", "q1": "1.5", "q2": "1.4", "q3": "1.4", "q4": "1.3"},
        ],
        [
            {"target": "58000", "q1": "2000", "q2": "2000", "q3": "2000", "q4": "2000"},
            {"target": "1600", "q1": "400", "q2": "400", "q3": "400", "q4": "400"},
            {"target": "1.2", "q1": "1.4", "q2": "1.3", "q3": "1.3", "q4": "1.2"},
        ],
    ],
}


def rows_in(table, n):
    return min(n, ROW_LIMITS.get(table.name, n))


def fill_kpi_table(data, table, figures):
    for i, values in enumerate(figures):
        for name, value in values.items():
            data[f"{table.name}-{i}-{name}"] = value


def set_row(data, table, i, values):
    for name, value in values.items():
        data[f"{table.name}-{i}-{name}"] = value


class Author:
    """The branch manager saving one section of one plan, counting each save's queries."""

    def __init__(self, client, plan, section):
        self.client, self.plan, self.section = client, plan, section
        self.url = reverse("plans:section", args=[plan.pk, section.key])
        self.context = {"kpis": list(plan.cycle.kpis.order_by("position"))}
        if section.key == "products":
            # Targets are set against last year's actuals, products aimed at a pursued segment.
            for kpi, actual in zip(self.context["kpis"], ["50000", "1000", "1.5"], strict=True):
                LastYearResult.objects.create(
                    background=plan.background, kpi=kpi, last_actual=Decimal(actual)
                )
        if section.key in ("products", "channels", "staffing"):
            # Rows of earlier sections that this one's rows link to.
            self.context["segment"] = Segment.objects.create(
                target_market=plan.targetmarket, segment_type="farmer", chosen=True
            )
            strategies = [
                SwotStrategy.objects.create(swot=plan.swot, kind=kind, text=f"{kind} 策略")
                for kind in ("SO", "WT")
            ]
            self.context["strategies"] = [str(strategy.pk) for strategy in strategies]
            self.context["key_account"] = KeyAccount.objects.create(
                target_market=plan.targetmarket, name="县人民医院", segment=self.context["segment"]
            )
        if section.key == "staffing":
            self.context["product"] = ProductLine.objects.create(
                products=plan.products, name="惠农e贷", category="loan"
            )
        if section.key == "incentives":
            # The client managers (section 6) whose targets the incentives section sets.
            self.context["portfolios"] = [
                Portfolio.objects.create(
                    staffing=plan.staffing, client_manager=f"客户经理 {i}", role="retail_cm"
                )
                for i in range(20)
            ]
        # What each table should hold: the posted values of each row, in order.
        self.expected: dict[str, list[dict]] = {}

    def form(self) -> dict:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.url)
        assert response.status_code == 200
        self.page_queries = len(queries)
        return form_data(response)

    def save(self, data) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(self.url, data)
        errors = response.context and [
            (table.name, formset.errors, formset.non_form_errors())
            for table, formset in response.context["tables"]
        ]
        assert response.status_code == 302, (response.status_code, errors)
        self.check_saved()
        return len(queries)

    def tables(self, fixed=False):
        return [table for table in self.section.tables if table.fixed == fixed]

    def add_rows(self, n) -> int:
        data = self.form() | FIELDS[self.section.key]
        for table in self.tables(fixed=True):
            fill_kpi_table(data, table, KPI_FIGURES[table.name][0])
            self.expected[table.name] = KPI_FIGURES[table.name][0]
        for table in self.tables():
            rows = [ROWS[table.name](i, n, self.context) for i in range(rows_in(table, n))]
            for values in rows:
                add_row(data, table.name, **values)
            self.expected[table.name] = rows
        return self.save(data)

    def change_rows(self) -> int:
        data = self.form()
        for table in self.tables(fixed=True):
            fill_kpi_table(data, table, KPI_FIGURES[table.name][1])
            self.expected[table.name] = KPI_FIGURES[table.name][1]
        items = list(SwotItem.objects.filter(swot__plan=self.plan).order_by("pk"))
        segments = list(Segment.objects.filter(target_market__plan=self.plan).order_by("pk"))
        for table in self.tables():
            for i, values in enumerate(self.expected[table.name]):
                name = CHANGED[table.name]
                if table.name == "portfolio_targets":
                    values[name] = str(int(values[name]) + 1)
                else:
                    values[name] = f"{values[name]}（已修改）"
                if table.name == "strategies":
                    # An SO strategy combines a strength with an opportunity.
                    linked = [item for item in items if item.kind in "SO"][i % 4 : i % 4 + 2]
                    values["items"] = [str(item.pk) for item in linked]
                if table.name == "key_accounts":
                    # A key account belongs to a segment saved in the first save.
                    values["segment"] = str(segments[i % len(segments)].pk)
                set_row(data, table, i, values)
        return self.save(data)

    def replace_rows(self, n) -> int:
        data = self.form()
        for table in self.tables():
            for i in range(len(self.expected[table.name])):
                data[f"{table.name}-{i}-DELETE"] = "on"
            rows = [ROWS[table.name](i + n, n, self.context) for i in range(rows_in(table, n))]
            for values in rows:
                add_row(data, table.name, **values)
            self.expected[table.name] = rows
        return self.save(data)

    def refuse_a_save(self) -> tuple[int, int]:
        """Post the page with one field too long: it comes back with nothing saved.
        Returns the queries of showing the page and of the refused save."""
        data = self.form()
        name = next(iter(FIELDS[self.section.key]))
        data[name] = "长" * (LONG_TEXT + 1)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(self.url, data)
        assert response.status_code == 200
        assert response.context["form"].has_error(name)
        self.check_saved()
        return self.page_queries, len(queries)

    def check_saved(self):
        content = self.section.model.objects.get(plan=self.plan)
        for name, value in FIELDS[self.section.key].items():
            assert_value(content, name, value)
        for table in self.section.tables:
            rows = table.row_model.objects.filter(**{table.formset.fk.name: content})
            order = ["kpi__position"] if table.fixed else ["pk"]
            rows = list(rows.order_by(*order))
            expected = self.expected.get(table.name, [])
            assert len(rows) == len(expected), table.name
            for row, values in zip(rows, expected, strict=True):
                for name, value in values.items():
                    assert_value(row, name, value)


def assert_value(obj, name, posted):
    field = obj._meta.get_field(name)
    if field.many_to_many:
        saved = sorted(str(pk) for pk in getattr(obj, name).values_list("pk", flat=True))
        assert saved == sorted(posted), name
    elif isinstance(field, models.BooleanField):
        assert getattr(obj, name) is (posted == "on"), name
    else:
        assert getattr(obj, field.attname) == field.to_python(posted), name


def other_cycle_plan(plan):
    """The same branch's plan in another cycle with the same catalogue: a second, empty
    plan for the same author."""
    cycle = Cycle.objects.create(
        year=2028,
        name="2028 年度营销计划",
        opens_on=plan.cycle.opens_on,
        deadline=datetime.date(2027, 12, 31),
    )
    for kpi in plan.cycle.kpis.all():
        Kpi.objects.create(
            cycle=cycle,
            code=kpi.code,
            name=kpi.name,
            name_en=kpi.name_en,
            measure=kpi.measure,
            is_balance=kpi.is_balance,
            direction=kpi.direction,
            position=kpi.position,
        )
    return start_plan(cycle=cycle, branch=plan.branch, by=plan.created_by)


def three_saves(author: Author, n: int) -> list[int]:
    return [author.add_rows(n), author.change_rows(), author.replace_rows(n)]


@pytest.mark.parametrize("section", SECTIONS, ids=lambda section: section.key)
def test_a_save_costs_the_same_few_queries_with_one_row_or_a_full_table(
    client, plan, author, section
):
    client.force_login(author)
    plans = {SIZES[0]: plan, SIZES[1]: other_cycle_plan(plan)}
    authors = {n: Author(client, plans[n], section) for n in SIZES}
    saves = {n: three_saves(authors[n], n) for n in SIZES}
    assert saves[SIZES[0]] == saves[SIZES[1]]
    assert max(saves[SIZES[1]]) <= MAX_QUERIES
    for n in SIZES:
        content = section.model.objects.get(plan=plans[n])
        assert content.revision == 3 and content.updated_by == author
    # Showing the page, and showing it again after a refused save, do not grow either.
    refused = {n: authors[n].refuse_a_save() for n in SIZES}
    assert refused[SIZES[0]] == refused[SIZES[1]]


# For each check constraint of a row model: what breaks it, and the field that refuses it.
# A row form leaves these to its fields (no query per row); the database stands behind.
BROKEN = {
    "competitor_type_valid": ("competitors", {"type": "bank"}, "type"),
    "swot_item_kind_valid": ("items", {"kind": "X"}, "kind"),
    "swot_item_priority_valid": ("items", {"priority": "urgent"}, "priority"),
    "swot_strategy_kind_valid": ("strategies", {"kind": "SX"}, "kind"),
    "segment_type_valid": ("segments", {"segment_type": "aliens"}, "segment_type"),
    "segment_priority_valid": ("segments", {"priority": "urgent"}, "priority"),
    "product_category_valid": ("lines", {"category": "gold"}, "category"),
    "product_promotion_valid": ("lines", {"promotion": "spam"}, "promotion"),
    "product_target_not_negative": ("lines", {"yearly_target": "-1"}, "yearly_target"),
    "key_account_balance_not_negative": (
        "key_accounts",
        {"current_balance": "-0.01"},
        "current_balance",
    ),
    "channel_type_valid": ("rows", {"channel_type": "pigeon"}, "channel_type"),
    "channel_activity_month_valid": ("activities", {"month": "13"}, "month"),
    "channel_activity_type_valid": ("activities", {"channel_type": "pigeon"}, "channel_type"),
    "role_duty_role_valid": ("roles", {"role": "janitor"}, "role"),
    "portfolio_role_valid": ("portfolios", {"role": "janitor"}, "role"),
    "portfolio_balance_not_negative": ("portfolios", {"balance": "-1"}, "balance"),
    "task_force_month_valid": ("task_force", {"month": "0"}, "month"),
    "training_month_valid": ("trainings", {"month": "13"}, "month"),
    "scorecard_weight_range": ("scorecard", {"weight": "100.5"}, "weight"),
    "scorecard_line_names_a_measure": ("scorecard", {"name": ""}, "name"),
    "deduction_kind_valid": ("deductions", {"kind": "bogus"}, "kind"),
    "scorecard_threshold_range": ("scorecard", {"threshold": "200.1"}, "threshold"),
    "scorecard_points_per_point_not_negative": (
        "scorecard",
        {"points_per_point": "-0.1"},
        "points_per_point",
    ),
    "scorecard_cap_not_negative": ("scorecard", {"cap": "-1", "floor": ""}, "cap"),
    "scorecard_floor_not_negative": ("scorecard", {"floor": "-1"}, "floor"),
    "scorecard_floor_within_cap": ("scorecard", {"floor": "30.1", "cap": "30.0"}, "floor"),
    "deduction_points_per_case_not_negative": (
        "deductions",
        {"points_per_case": "-1"},
        "points_per_case",
    ),
    "portfolio_target_not_negative": ("portfolio_targets", {"target": "-1"}, "target"),
}

TABLES = {table.name: (section, table) for section in SECTIONS for table in section.tables}


def test_every_check_constraint_of_a_row_has_its_broken_row_below():
    constraints = {
        constraint.name
        for _section, table in TABLES.values()
        for constraint in table.row_model._meta.constraints
        if isinstance(constraint, models.CheckConstraint)
    }
    assert constraints == set(BROKEN)


@pytest.mark.parametrize("constraint", BROKEN)
def test_a_row_breaking_a_check_constraint_is_refused_at_its_field(
    client, plan, author, constraint
):
    name, broken, field = BROKEN[constraint]
    section, table = TABLES[name]
    client.force_login(author)
    writer = Author(client, plan, section)
    data = writer.form()
    add_row(data, name, **(ROWS[name](0, 1, writer.context) | broken))
    response = client.post(writer.url, data)
    assert response.status_code == 200
    formset = dict(response.context["tables"])[table]
    assert formset.forms[-1].has_error(field)
    assert not table.row_model.objects.exists()


def test_unique_rows_are_unique_within_their_table():
    """What RowFormSet checks in memory: each unique constraint of a row model is scoped
    to the row's section, so the table's rows are all the rows it concerns."""
    for _section, table in TABLES.values():
        opts, parent = table.row_model._meta, table.formset.fk.name
        unique = [c for c in opts.constraints if isinstance(c, models.UniqueConstraint)]
        assert unique == list(opts.total_unique_constraints), table.name
        assert all(parent in constraint.fields for constraint in unique), table.name
        assert all(parent in fields for fields in opts.unique_together), table.name
        assert not [f for f in opts.local_fields if f.unique and not f.primary_key], table.name


def test_a_role_removed_and_added_back_in_one_save_is_kept(client, plan, author):
    client.force_login(author)
    staffing = Author(client, plan, get_section("staffing"))
    staffing.add_rows(2)
    data = staffing.form()
    data["roles-0-DELETE"] = "on"
    add_row(data, "roles", role=StaffRole.values[0], headcount="6")
    assert client.post(staffing.url, data).status_code == 302
    roles = RoleDuty.objects.filter(staffing__plan=plan).order_by("pk")
    assert [(row.role, row.headcount) for row in roles] == [
        (StaffRole.values[1], 4),
        (StaffRole.values[0], 6),
    ]


@pytest.mark.parametrize("swap", [True, False], ids=["swapped", "taken"])
def test_a_saved_row_may_not_take_the_role_of_another_saved_row(client, plan, author, swap):
    client.force_login(author)
    staffing = Author(client, plan, get_section("staffing"))
    staffing.add_rows(2)
    data = staffing.form()
    data["roles-1-role"] = StaffRole.values[0]
    if swap:
        data["roles-0-role"] = StaffRole.values[1]
    response = client.post(staffing.url, data)
    assert response.status_code == 200  # refused at the rows, never a database error
    roles = dict(response.context["tables"])[TABLES["roles"][1]]
    assert roles.forms[1].non_field_errors()
    assert roles.forms[0].non_field_errors() or not swap
    saved = RoleDuty.objects.filter(staffing__plan=plan).order_by("pk")
    assert [row.role for row in saved] == StaffRole.values[:2]


def test_links_to_saved_items_are_kept_but_not_to_an_item_removed_in_the_same_save(
    client, plan, author
):
    client.force_login(author)
    swot = Author(client, plan, get_section("swot"))
    swot.add_rows(4)
    strength, weakness, opportunity, _threat = SwotItem.objects.order_by("pk")
    data = swot.form()
    data["items-0-DELETE"] = "on"
    data["strategies-0-items"] = [str(strength.pk), str(opportunity.pk)]
    add_row(data, "strategies", kind="WO", text="借政策补短板", items=[str(weakness.pk)])
    assert client.post(swot.url, data).status_code == 302
    assert not SwotItem.objects.filter(pk=strength.pk).exists()
    first, *_others, added = SwotStrategy.objects.order_by("pk")
    assert list(first.items.all()) == [opportunity]
    assert list(added.items.all()) == [weakness]


def test_rows_of_another_plan_are_not_reached_through_a_posted_id(
    client, plan, author, other_manager, bank
):
    others = start_plan(cycle=plan.cycle, branch=bank["b"], by=other_manager)
    theirs = Competitor.objects.create(background=others.background, name="他行", type="postal")
    client.force_login(author)
    background = Author(client, plan, get_section("background"))
    background.add_rows(1)
    data = background.form()
    data["competitors-0-id"] = str(theirs.pk)
    data["competitors-0-name"] = "改名"
    assert client.post(background.url, data).status_code == 200
    assert Competitor.objects.get(pk=theirs.pk).name == "他行"
    assert not Competitor.objects.filter(name="改名").exists()


def test_a_kpi_row_takes_only_a_kpi_of_the_plans_catalogue(client, plan, author):
    elsewhere = other_cycle_plan(plan).cycle.kpis.first()
    client.force_login(author)
    background = Author(client, plan, get_section("background"))
    data = background.form()
    data["results-0-kpi"] = str(elsewhere.pk)
    data["results-0-last_actual"] = "100"
    response = client.post(background.url, data)
    assert response.status_code == 200
    assert not LastYearResult.objects.exists()
