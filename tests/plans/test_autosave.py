"""A section page's autosave: an ordinary save made in the background and answered in
JSON. Same validation, same revision rule, same query budget as the buttons; nothing is
stored of a section with a bad value; rows it creates are not created again by the next
save; a session that ended is answered 401 and signing in again gives the page a new
CSRF token."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bankplan.plans.models import Status
from bankplan.plans.sections.base import LONG_TEXT, MAX_ROWS
from bankplan.plans.sections.registry import SECTIONS, get_section
from bankplan.plans.sections.swot import SwotItem
from tests.htmlform import add_row, form_data

from .test_save_queries import MAX_QUERIES, Author, three_saves

AUTOSAVE = {"HTTP_X_AUTOSAVE": "1", "HTTP_ACCEPT": "application/json"}


def swot_url(plan):
    return reverse("plans:section", args=[plan.pk, "swot"])


def autosave(client, url, data):
    response = client.post(url, data, **AUTOSAVE)
    return response.status_code, json.loads(response.content)


class AutosavingAuthor(Author):
    """Makes every save as the page's background save does."""

    def save(self, data) -> int:
        with CaptureQueriesContext(connection) as queries:
            status, answer = autosave(self.client, self.url, data)
        assert (status, answer["state"]) == (200, "saved"), answer
        self.check_saved()
        return len(queries)


@pytest.mark.parametrize("section", SECTIONS, ids=lambda section: section.key)
def test_an_autosave_is_an_ordinary_save_within_the_query_budget(client, plan, author, section):
    client.force_login(author)
    saves = three_saves(AutosavingAuthor(client, plan, section), MAX_ROWS)
    assert max(saves) <= MAX_QUERIES
    content = section.model.objects.get(plan=plan)
    assert content.revision == 3 and content.updated_by == author


def test_rows_an_autosave_creates_are_updated_by_the_next(client, plan, author):
    client.force_login(author)
    url = swot_url(plan)
    data = form_data(client.get(url))
    add_row(data, "items", kind="S", text="审批快", priority="high")
    add_row(data, "items", kind="", text="", priority="medium")  # added, left as is: not stored
    status, answer = autosave(client, url, data)

    assert status == 200 and answer["state"] == "saved"
    item = SwotItem.objects.get(swot__plan=plan)
    assert answer["created"] == {"items-0-id": item.pk}
    assert answer["revision"] == 1 and len(answer["saved_at"]) == 5  # HH:MM
    # The page writes the id in, counts the row as saved, and the author types on.
    data |= {"items-0-id": str(item.pk), "items-INITIAL_FORMS": "1", "revision": "1"}
    data["items-0-text"] = "审批快，放款当天到账"
    status, answer = autosave(client, url, data)

    assert status == 200 and answer["created"] == {}
    assert list(SwotItem.objects.filter(swot__plan=plan).values_list("text", flat=True)) == [
        "审批快，放款当天到账"
    ]


def test_a_section_with_a_bad_value_stores_nothing_and_names_the_field(client, plan, author):
    client.force_login(author)
    url = swot_url(plan)
    data = form_data(client.get(url))
    add_row(data, "items", kind="S", text="审批快", priority="high")
    add_row(data, "items", kind="T", text="长" * (LONG_TEXT + 1), priority="high")
    status, answer = autosave(client, url, data)

    assert status == 422 and answer["state"] == "invalid"
    assert not SwotItem.objects.filter(swot__plan=plan).exists()  # not even the good row
    assert plan.swot.__class__.objects.get(plan=plan).revision == 0
    assert [field["id"] for field in answer["fields"]] == ["id_items-1-text"]
    assert "第 2 行" in answer["summary"] and 'data-focus="id_items-1-text"' in answer["summary"]


def test_an_autosave_meeting_a_newer_save_is_told_and_stores_nothing(client, plan, author):
    client.force_login(author)
    url = swot_url(plan)
    page = form_data(client.get(url))
    other = dict(page)
    add_row(other, "items", kind="O", text="开发区二期投产", priority="high")
    assert autosave(client, url, other)[0] == 200  # another tab, or a colleague, saved first
    add_row(page, "items", kind="S", text="审批快", priority="high")
    status, answer = autosave(client, url, page)

    assert status == 409 and answer["state"] == "stale" and answer["revision"] == 1
    assert "author" in answer["message"].lower()
    assert list(SwotItem.objects.filter(swot__plan=plan).values_list("text", flat=True)) == [
        "开发区二期投产"
    ]


def test_an_autosave_never_submits(client, plan, author):
    client.force_login(author)
    url = reverse("plans:section", args=[plan.pk, "background"])
    data = form_data(client.get(url)) | {"then": "next"}
    autosave(client, url, data)
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT and not plan.versions.exists()


def test_an_autosave_after_the_session_ended_is_answered_401(client, plan, author):
    client.force_login(author)
    url = swot_url(plan)
    data = form_data(client.get(url))
    client.logout()
    status, answer = autosave(client, url, data)
    assert (status, answer) == (401, {"state": "signed_out"})
    # A page (not a background request) still goes to the log-in page.
    assert client.post(url, data).status_code == 302


def test_signing_in_again_returns_a_fresh_csrf_token(plan, author):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    token = browser.cookies["csrftoken"].value
    url = reverse("sign_in_again")
    refused = browser.post(
        url, {"username": "author", "password": "nope", "csrfmiddlewaretoken": token}
    )
    assert refused.status_code == 400 and json.loads(refused.content)["state"] == "refused"

    answer = browser.post(
        url, {"username": "author", "password": "pw", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 200
    fresh = json.loads(answer.content)["csrf_token"]
    assert fresh and browser.get(swot_url(plan)).status_code == 200  # signed in
    # The section saves with the new token.
    data = form_data(browser.get(swot_url(plan))) | {"csrfmiddlewaretoken": fresh}
    assert browser.post(swot_url(plan), data, **AUTOSAVE).status_code == 200


def test_a_refused_save_opens_at_a_summary_of_every_bad_value(client, plan, author):
    client.force_login(author)
    url = reverse("plans:section", args=[plan.pk, "swot"])
    data = form_data(client.get(url))
    add_row(data, "items", kind="", text="网点少", priority="high")
    response = client.post(url, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    problems = response.context["problems"]
    assert [(p.row, p.anchor) for p in problems] == [("第 1 行", "id_items-0-kind")]
    assert problems[0].place == str(get_section("swot").tables[0].title)
    assert "本节已完成" not in page and "section-state d-none" in page
