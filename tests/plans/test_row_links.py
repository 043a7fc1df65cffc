"""Links between a plan's rows: a select offers the plan's own rows only, and a row of
another plan posted anyway is refused next to its field; a task-force target names its
account one way or the other; the data migration turns the older text and types into
links."""

import pytest
from django.conf import settings
from django.urls import reverse

from bankplan.plans.sections.products import ProductLine
from bankplan.plans.sections.staffing import TaskForceTarget, Training
from bankplan.plans.sections.swot import SwotStrategy
from bankplan.plans.sections.target_market import KeyAccount
from bankplan.plans.services import start_plan
from tests.htmlform import add_row, form_data
from tests.migrating import migrate


@pytest.fixture
def manager(client, author):
    client.force_login(author)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def theirs(plan, other_manager, bank):
    """Another branch's plan, with a strategy and a key account of its own."""
    other = start_plan(cycle=plan.cycle, branch=bank["b"], by=other_manager)
    return {
        "strategy": SwotStrategy.objects.create(swot=other.swot, kind="SO", text="他行策略"),
        "key_account": KeyAccount.objects.create(target_market=other.targetmarket, name="他行大户"),
    }


def staffing_post(manager, plan, **rows):
    url = reverse("plans:section", args=[plan.pk, "staffing"])
    data = form_data(manager.get(url))
    for table, values in rows.items():
        add_row(data, table, **values)
    response = manager.post(url, data)
    return response, response.context and dict(
        (table.name, formset) for table, formset in response.context["tables"]
    )


def test_the_selects_offer_the_plans_own_rows_only(manager, plan, theirs):
    ours = SwotStrategy.objects.create(swot=plan.swot, kind="WT", text="压降高息存款")
    account = KeyAccount.objects.create(target_market=plan.targetmarket, name="县人民医院")
    url = reverse("plans:section", args=[plan.pk, "staffing"])
    response = manager.get(url)
    formset = dict((t.name, f) for t, f in response.context["tables"])["task_force"]
    fields = formset.empty_form.fields
    assert [pk for pk, _label in fields["strategies"].choices] == [ours.pk]
    offered = [str(pk) for pk, _label in fields["key_account"].choices if pk]
    assert offered == [str(account.pk)]


def test_another_plans_strategy_is_refused_next_to_the_field(manager, plan, theirs):
    response, tables = staffing_post(
        manager,
        plan,
        trainings={
            "topic": "合规销售",
            "month": "3",
            "hours": "2",
            "strategies": [str(theirs["strategy"].pk)],
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(tables["trainings"].forms[-1].errors["strategies"])
    assert not Training.objects.exists()


def test_another_plans_key_account_is_refused_next_to_the_field(manager, plan, theirs):
    response, tables = staffing_post(
        manager,
        plan,
        task_force={
            "month": "3",
            "key_account": str(theirs["key_account"].pk),
            "client_manager": "李娜",
        },
    )
    assert response.status_code == 200
    assert tables["task_force"].forms[-1].has_error("key_account")
    assert not TaskForceTarget.objects.exists()


def test_a_task_force_target_names_a_key_account_or_an_account(manager, plan):
    account = KeyAccount.objects.create(target_market=plan.targetmarket, name="县人民医院")
    response, tables = staffing_post(
        manager, plan, task_force={"month": "3", "client_manager": "李娜"}
    )
    assert response.status_code == 200
    assert tables["task_force"].forms[-1].has_error("key_account", "no_account")
    response, _tables = staffing_post(
        manager,
        plan,
        task_force={"month": "3", "key_account": str(account.pk), "client_manager": "李娜"},
    )
    assert response.status_code == 302
    assert TaskForceTarget.objects.get().key_account == account


def test_a_training_links_the_plans_products_and_strategies(manager, plan):
    product = ProductLine.objects.create(products=plan.products, name="园区快贷", category="loan")
    strategy = SwotStrategy.objects.create(swot=plan.swot, kind="SO", text="抢园区新客")
    response, _tables = staffing_post(
        manager,
        plan,
        trainings={
            "topic": "小微财务报表识别",
            "month": "3",
            "hours": "2",
            "products": [str(product.pk)],
            "strategies": [str(strategy.pk)],
        },
    )
    assert response.status_code == 302
    training = Training.objects.get()
    assert list(training.products.all()) == [product]
    assert list(training.strategies.all()) == [strategy]


BEFORE = [("plans", "0012_row_links")]
AFTER = [("plans", "0013_link_rows")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_the_migration_links_key_accounts_to_segments_and_targets_to_key_accounts(plan, bank):
    old = migrate(BEFORE)
    Segment = old.get_model("plans", "Segment")
    KeyAccount = old.get_model("plans", "KeyAccount")
    TaskForceTarget = old.get_model("plans", "TaskForceTarget")
    market, staffing = plan.targetmarket.pk, plan.staffing.pk
    first = Segment.objects.create(target_market_id=market, segment_type="payroll")
    Segment.objects.create(target_market_id=market, segment_type="payroll", description="二")
    hospital = KeyAccount.objects.create(
        target_market_id=market, name="县人民医院", segment_type="payroll"
    )
    typeless = KeyAccount.objects.create(target_market_id=market, name="县纺织集团")
    unmatched = KeyAccount.objects.create(
        target_market_id=market, name="鸿运物流园", segment_type="micro"
    )
    named = TaskForceTarget.objects.create(
        staffing_id=staffing, month=3, account=" 县人民医院 ", client_manager="李娜"
    )
    other = TaskForceTarget.objects.create(
        staffing_id=staffing, month=4, account="开发区新入园企业", client_manager="李娜"
    )

    new = migrate(AFTER)
    accounts = new.get_model("plans", "KeyAccount").objects
    assert accounts.get(pk=hospital.pk).segment_id == first.pk  # the first of its type
    assert accounts.get(pk=typeless.pk).segment_id is None
    assert accounts.get(pk=unmatched.pk).segment_id is None  # the plan has no such segment
    targets = new.get_model("plans", "TaskForceTarget").objects
    assert targets.get(pk=named.pk).key_account_id == hospital.pk
    assert targets.get(pk=named.pk).account == " 县人民医院 "  # its text is kept
    assert targets.get(pk=other.pk).key_account_id is None
