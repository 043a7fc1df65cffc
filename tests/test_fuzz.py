"""Malformed query parameters and form values answer 400 or the page, never a 500."""

import datetime

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from bankplan.plans.models import Cycle, Plan
from bankplan.plans.sections.base import MAX_ROWS
from bankplan.plans.sections.registry import get_section


@pytest.fixture
def browser_client():
    """Exceptions in views become the 500 page a browser would get, as in production."""
    return Client(raise_request_exception=False)


# "²" is a digit to str.isdigit() but not to int() nor the database.
ODD_NUMBERS = ["²", "x", "99999999999999999999", "-1", ""]


@pytest.mark.parametrize("value", ODD_NUMBERS)
@pytest.mark.parametrize("who", ["author", "reviewer", "head_office"])
def test_odd_filters_of_the_review_queue_and_plan_list(browser_client, plan, who, value, request):
    browser_client.force_login(request.getfixturevalue(who))
    for name in ("reviews:queue", "plans:list"):
        for param in ("cycle", "unit", "page", "status", "after", "before"):
            response = browser_client.get(reverse(name), {param: value})
            assert response.status_code == 200, (name, param)


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_an_odd_branch_starts_no_plan(browser_client, cycle, author, value):
    browser_client.force_login(author)
    response = browser_client.post(reverse("plans:start", args=[cycle.pk]), {"branch": value})
    assert response.status_code in {400, 404}
    assert not Plan.objects.exists()


def test_no_plan_is_started_in_a_cycle_that_has_not_opened(browser_client, cycle, bank, author):
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_on=datetime.date.today() + datetime.timedelta(days=1)
    )
    browser_client.force_login(author)
    response = browser_client.post(
        reverse("plans:start", args=[cycle.pk]), {"branch": bank["a"].pk}
    )
    assert response.status_code == 403
    assert not Plan.objects.exists()


# Pass the host check (relative), yet are no path: redirect() took them for URL names.
ODD_NEXT = ["856", "2026-02-30", "x", "plans:list"]


@pytest.mark.parametrize("target", ODD_NEXT)
def test_a_comment_with_an_odd_next_returns_to_the_overview(browser_client, plan, author, target):
    browser_client.force_login(author)
    response = browser_client.post(
        reverse("reviews:comment", args=[plan.pk]),
        {"section": "swot", "body": "请补充", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:overview", args=[plan.pk])


@pytest.mark.parametrize("target", ODD_NEXT)
def test_a_reminder_with_an_odd_next_returns_to_the_dashboard(
    browser_client, cycle, head_office, target
):
    browser_client.force_login(head_office)
    response = browser_client.post(
        reverse("headoffice:remind_late", args=[cycle.pk]), {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("headoffice:dashboard")


@pytest.mark.parametrize("target", ODD_NEXT)
def test_a_refused_pack_request_with_an_odd_next_returns_to_the_packs(
    browser_client, cycle, head_office, target
):
    browser_client.force_login(head_office)
    response = browser_client.post(reverse("headoffice:pack_request"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("headoffice:packs")


class CountingQueryDict(QueryDict):
    """POST data that counts the values read from it."""

    reads = 0

    def get(self, key, default=None):
        self.reads += 1
        return super().get(key, default)


def forged_formsets(plan, key: str, data: QueryDict, **fields: str) -> list:
    """The section's row formsets bound to ``data`` holding, for every table, the
    ``fields`` given (``TOTAL_FORMS="1"``, ``**{"0-id": "7"}``...)."""
    section = get_section(key)
    for table in section.tables:
        for name, value in fields.items():
            data[f"{table.name}-{name}"] = value
    _form, formsets = section.bind(section.content_of(plan), data)
    return formsets


def test_a_huge_initial_form_count_reads_no_more_rows_than_posted(plan):
    """INITIAL_FORMS is the client's word: 61,388,106 once took a section save minutes,
    reading that many posted ids."""
    data = CountingQueryDict(mutable=True)
    fields = {"TOTAL_FORMS": "1", "INITIAL_FORMS": "61388106"}
    for formset in forged_formsets(plan, "channels", data, **fields):
        formset.is_valid()
    assert data.reads < 1_000


def test_a_huge_total_form_count_builds_no_more_rows_than_a_table_may_hold(plan):
    """TOTAL_FORMS is the client's word too: Django's own cap (1,050 rows a table) made
    one forged request seconds of work; it is refused past a few times the row limit."""
    data = QueryDict(mutable=True)
    fields = {"TOTAL_FORMS": "100000", "INITIAL_FORMS": "0"}
    for formset in forged_formsets(plan, "channels", data, **fields):
        assert not formset.is_valid()
        assert len(formset.forms) <= 4 * MAX_ROWS
        assert formset.non_form_errors()


@pytest.mark.parametrize("posted", ["10000000000000000000000", "²"])
def test_a_row_id_no_database_takes_is_a_field_error_not_a_500(plan, posted):
    data = QueryDict(mutable=True)
    fields = {"TOTAL_FORMS": "1", "INITIAL_FORMS": "1", "0-id": posted}
    formsets = forged_formsets(plan, "target_market", data, **fields)
    assert not all(formset.is_valid() for formset in formsets)
