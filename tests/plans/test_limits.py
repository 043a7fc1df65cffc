"""Limits hold for what is stored, not for what is posted: a table never grows past
MAX_ROWS however often full tables of new rows are posted (the form counts the stored
rows, and the save counts again under the section's lock); every section at its limits
fits under the request's field cap, and a request refused anyway gets a message page, or
for an autosave, JSON its page shows."""

import json
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from bankplan.plans.sections.base import MAX_ROWS
from bankplan.plans.sections.incentives import Reward
from bankplan.plans.sections.registry import SECTIONS, get_section
from bankplan.plans.services import TooManyRows, save_section
from tests.htmlform import add_row, form_data, page_forms
from tests.migrating import migrate

LIMIT_MESSAGE = f"A table holds at most {MAX_ROWS} rows"


def incentives_url(plan):
    return reverse("plans:section", args=[plan.pk, "incentives"])


def store_rewards(plan, n):
    Reward.objects.bulk_create(
        Reward(incentives=plan.incentives, name=f"营销之星 {i}", criterion="季度第一")
        for i in range(n)
    )


def rewards(plan):
    return Reward.objects.filter(incentives__plan=plan).count()


@pytest.fixture
def manager(client, author):
    client.force_login(author)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages as written here
    return client


def test_a_full_table_takes_no_new_row(manager, plan):
    store_rewards(plan, MAX_ROWS)
    data = add_row(
        form_data(manager.get(incentives_url(plan))), "rewards", name="又一个", criterion="季度第一"
    )
    response = manager.post(incentives_url(plan), data)
    assert response.status_code == 200
    formset = dict((t.name, f) for t, f in response.context["tables"])["rewards"]
    assert LIMIT_MESSAGE in " ".join(formset.non_form_errors())
    assert LIMIT_MESSAGE in response.content.decode()
    assert rewards(plan) == MAX_ROWS


def test_posting_full_tables_again_and_again_stops_at_the_limit(manager, plan):
    for _ in range(3):
        data = form_data(manager.get(incentives_url(plan)))
        # Only new rows, as an attacker would post them: the stored rows are not posted.
        data = {k: v for k, v in data.items() if not k.startswith("rewards-")}
        data |= {"rewards-TOTAL_FORMS": "0", "rewards-INITIAL_FORMS": "0"}
        for i in range(MAX_ROWS):
            add_row(data, "rewards", name=f"奖 {i}", criterion="季度第一")
        manager.post(incentives_url(plan), data)
    assert rewards(plan) == MAX_ROWS


def test_a_row_may_replace_a_removed_one_at_the_limit(manager, plan):
    store_rewards(plan, MAX_ROWS)
    data = form_data(manager.get(incentives_url(plan)))
    data["rewards-0-DELETE"] = "on"
    add_row(data, "rewards", name="新的奖项", criterion="季度第一")
    assert manager.post(incentives_url(plan), data).status_code == 302
    assert rewards(plan) == MAX_ROWS
    assert Reward.objects.filter(name="新的奖项").exists()


@translation.override("en")
def test_the_save_counts_again_under_the_lock(plan, author):
    """Rows stored between the form's check and the save (a colleague's save over a
    stale page) still cannot take the table past the limit: the whole save is undone."""
    store_rewards(plan, MAX_ROWS - 1)
    section = get_section("incentives")
    content = section.content_of(plan)
    data = {
        "rewards-TOTAL_FORMS": "1",
        "rewards-INITIAL_FORMS": "0",
        "rewards-0-name": "新",
        "rewards-0-criterion": "季度第一",
    }
    for table in section.tables:
        data.setdefault(f"{table.name}-TOTAL_FORMS", "0")
        data.setdefault(f"{table.name}-INITIAL_FORMS", "0")
    form, formsets = section.bind(content, data)
    rewards_formset = formsets[[t.name for t in section.tables].index("rewards")]
    assert rewards_formset.is_valid(), rewards_formset.non_form_errors()
    store_rewards(plan, 1)  # meanwhile
    with pytest.raises(TooManyRows, match=LIMIT_MESSAGE):
        save_section(
            plan=plan,
            section=section,
            form=form,
            formsets=[rewards_formset],
            expected_revision=content.revision,
            by=author,
        )
    content.refresh_from_db()
    assert (rewards(plan), content.revision) == (MAX_ROWS, 0)


def values_per_row(table) -> int:
    """What one row can post: a value per field (a multiple select, one per option: a
    SWOT strategy may combine every item), plus its id, its parent's key and DELETE."""
    fields = table.formset.form.base_fields.values()
    many = forms.MultipleChoiceField | forms.ModelMultipleChoiceField
    each = [MAX_ROWS if isinstance(f, many) else 1 for f in fields]
    return sum(each) + 3


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.key)
def test_a_section_at_its_limits_fits_under_the_field_cap(manager, plan, section):
    page = manager.get(reverse("plans:section", args=[plan.pk, section.key]))
    posted_empty = sum(len(fields) for fields in page_forms(page.content.decode()))
    at_limits = posted_empty + sum(MAX_ROWS * values_per_row(t) for t in section.tables)
    assert at_limits * 1.25 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, at_limits


def too_many_fields(client, plan, settings, **headers):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"field{i}": "x" for i in range(20)}
    return client.post(incentives_url(plan), data, **headers)


def test_a_refused_request_gets_a_page_with_a_message(manager, plan, settings):
    response = too_many_fields(manager, plan, settings)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The server could not accept this request" in page
    assert 'class="navbar' in page  # the site's layout, not a bare "Bad Request (400)"


def test_a_refused_autosave_gets_json_its_page_shows(manager, plan, settings):
    response = too_many_fields(manager, plan, settings, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 400
    answer = json.loads(response.content)
    assert answer["state"] == "refused"
    assert "nothing was saved" in answer["message"]


# Balances and targets: never negative, in the form and in the database.
LINE = {"name": "惠农e贷", "category": "loan", "target_unit": "万元"}
AMOUNTS = [
    ("target_market", "key_accounts", {"name": "县人民医院"}, "current_balance"),
    ("products", "lines", LINE, "yearly_target"),
    ("staffing", "portfolios", {"client_manager": "李娜", "role": "retail_cm"}, "balance"),
]


def one_row(section_key, table_name, values):
    section = get_section(section_key)
    data = {f"{table_name}-TOTAL_FORMS": "1", f"{table_name}-INITIAL_FORMS": "0"}
    data |= {f"{table_name}-0-{name}": value for name, value in values.items()}
    return section, data


@translation.override("en")
@pytest.mark.parametrize(("section_key", "table_name", "values", "amount"), AMOUNTS)
def test_a_negative_balance_or_target_is_refused_next_to_it(
    plan, section_key, table_name, values, amount
):
    section, data = one_row(section_key, table_name, values | {amount: "-1"})
    table = next(t for t in section.tables if t.name == table_name)
    formset = table.formset(data, instance=section.content_of(plan), prefix=table_name)
    assert not formset.is_valid()
    assert formset.forms[0].errors[amount] == ["Enter a figure of zero or more."]
    data[f"{table_name}-0-{amount}"] = "0"
    formset = table.formset(data, instance=section.content_of(plan), prefix=table_name)
    assert formset.is_valid(), formset.errors


@pytest.mark.parametrize(("section_key", "table_name", "values", "amount"), AMOUNTS)
def test_the_database_refuses_a_negative_balance_or_target(
    plan, section_key, table_name, values, amount
):
    section = get_section(section_key)
    table = next(t for t in section.tables if t.name == table_name)
    parent = {table.formset.fk.name: section.content_of(plan)}
    with pytest.raises(IntegrityError), transaction.atomic():
        table.row_model.objects.create(**parent, **values, **{amount: Decimal("-0.01")})
    table.row_model.objects.create(**parent, **values, **{amount: None})  # not yet known


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_the_migration_names_a_stored_negative_amount_and_changes_none(plan):
    old = migrate([("plans", "0007_guidance_preference")])
    KeyAccount = old.get_model("plans", "KeyAccount")
    account = KeyAccount.objects.create(
        target_market_id=plan.targetmarket.pk, name="县人民医院", current_balance=Decimal("-5")
    )
    with pytest.raises(Exception, match=rf"keyaccount {account.pk} \(plan {plan.pk}\)"):
        migrate([("plans", "0008_amounts_not_negative")])
    assert KeyAccount.objects.get().current_balance == Decimal("-5")  # nothing rewritten
    KeyAccount.objects.update(current_balance=Decimal("5"))
    new = migrate([("plans", "0008_amounts_not_negative")])
    with pytest.raises(IntegrityError), transaction.atomic():
        new.get_model("plans", "KeyAccount").objects.update(current_balance=Decimal("-1"))
