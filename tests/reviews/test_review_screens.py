"""The review screens as a reviewer uses them: the version page's jump list, action bar and
comment buttons; the compare page; the queue's marks; and what the branch sees of review
(open comments on the stepper, the approval banner)."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bankplan.documents.rendering import render_version_html
from bankplan.plans.models import Plan, Status
from bankplan.plans.sections.registry import SECTIONS
from bankplan.plans.sections.swot import SwotItem
from bankplan.reviews import services
from bankplan.reviews.models import Thread
from bankplan.reviews.panels import last_reviewed, review_context

from .test_review import submitted_plan_of

pytestmark = pytest.mark.usefixtures("quick_pdf")


@pytest.fixture
def english(client):
    """My pages in English: the assertions read the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def submitted(demo):
    services.submit_plan(plan_id=demo["plan"].pk, by=demo["manager"])
    return demo


def comment(demo, section, body="?", row=""):
    return services.add_comment(
        plan=demo["plan"], by=demo["reviewer"], body=body, section=section, row_key=row
    ).thread


def resolve(thread, demo):
    # read afresh: the fixture's plan object still has the status it was loaded with
    services.resolve_thread(thread=Thread.objects.get(pk=thread.pk), by=demo["reviewer"])


@pytest.fixture
def resubmitted(submitted):
    """Version 1 returned with comments; version 2 submitted with one change."""
    plan = submitted["plan"]
    comment(submitted, "swot", "劣势太笼统")
    answered = comment(submitted, "swot", "已改")
    comment(submitted, "background", "补充同业份额")
    services.return_plan(plan_id=plan.pk, by=submitted["reviewer"], reason="见批注")
    resolve(answered, submitted)
    SwotItem.objects.create(swot=plan.swot, kind="T", text="新增的威胁", priority="high")
    services.submit_plan(plan_id=plan.pk, by=submitted["manager"])
    return submitted


def page(client, user, name, *args, **query):
    client.force_login(user)
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response


def test_open_threads_are_counted_by_section(resubmitted):
    counts = review_context(resubmitted["plan"], resubmitted["reviewer"])["open_threads_by_section"]
    assert counts == {"swot": 1, "background": 1}  # the resolved one is not counted


def test_the_version_compared_with_is_the_one_last_reviewed(resubmitted):
    context = review_context(resubmitted["plan"], resubmitted["reviewer"])
    versions, history = context["versions"], context["history"]
    assert last_reviewed(versions, history, 2).number == 1
    assert last_reviewed(versions, history, 1) is None


def test_the_jump_list_names_every_section_with_its_comment_counts(english, resubmitted):
    plan = resubmitted["plan"]
    response = page(english, resubmitted["reviewer"], "reviews:version", plan.pk, 2)
    html = response.content.decode()
    jump = html[html.index('class="review-jump') : html.index("</nav>", html.index("review-jump"))]
    assert [m for m in re.findall(r'href="#([a-z_]+)"', jump)] == ["changes"] + [
        s.key for s in SECTIONS
    ]
    sections = {row.chapter.key: row for row in response.context["sections"]}
    assert (len(sections["swot"].threads), sections["swot"].open) == (2, 1)
    assert "2 comment threads · " in jump and "1 open" in jump
    assert sections["channels"].threads == [] and sections["channels"].open == 0


def test_the_action_bar_holds_the_decision_and_the_way_to_related_pages(english, resubmitted):
    plan = resubmitted["plan"]
    html = page(english, resubmitted["reviewer"], "reviews:version", plan.pk, 2).content.decode()
    bar = html[html.index('class="review-bar') : html.index('<div class="row g-4">')]
    assert reverse("reviews:return", args=[plan.pk]) in bar
    assert reverse("reviews:approve", args=[plan.pk]) in bar
    assert f"{reverse('reviews:compare', args=[plan.pk])}?from=1&amp;to=2" in bar
    assert f'href="{reverse("plans:overview", args=[plan.pk])}"' in bar
    assert f'href="{reverse("plans:overview", args=[plan.pk])}#history"' in bar
    # and the overview's history is where that link lands
    overview = page(english, resubmitted["reviewer"], "plans:overview", plan.pk).content.decode()
    assert 'id="history"' in overview


def test_an_earlier_version_offers_no_decision_and_no_comment(resubmitted, client):
    plan = resubmitted["plan"]
    html = page(client, resubmitted["reviewer"], "reviews:version", plan.pk, 1).content.decode()
    assert reverse("reviews:approve", args=[plan.pk]) not in html
    assert "data-comment-section" not in html and "new-comment-" not in html


def row_buttons(html):
    return re.findall(r'data-comment-section="([a-z_]+)" data-comment-row="([^"]*)"', html)


def test_each_heading_and_each_row_has_a_comment_button(resubmitted, client):
    plan = resubmitted["plan"]
    response = page(client, resubmitted["reviewer"], "reviews:version", plan.pk, 2)
    buttons = row_buttons(response.content.decode())
    for row in response.context["sections"]:
        assert (row.chapter.key, "") in buttons  # beside the heading
        rows = [key for key, _label in row.chapter.row_choices]
        shown = [key for section, key in buttons if section == row.chapter.key and key]
        # every row of every table (and every SWOT item in its grid) has one
        assert sorted(shown) == sorted(rows), row.chapter.key


def test_a_rows_button_works_without_javascript(resubmitted, client):
    plan = resubmitted["plan"]
    client.force_login(resubmitted["reviewer"])
    url = reverse("reviews:version", args=[plan.pk, 2])
    first = client.get(url)
    row = first.context["sections"][1].chapter.row_choices[0][0]
    html = first.content.decode()
    assert f'href="?row={row}#new-comment-swot"' in html
    again = client.get(url, {"row": row})
    assert f'<option value="{row}" selected>' in again.content.decode()
    # the comment then lands on that row, and the page opens at the section
    response = client.post(
        reverse("reviews:comment", args=[plan.pk]),
        {"section": "swot", "row": row, "body": "量化", "next": f"{url}#swot"},
    )
    assert response["Location"].endswith("#swot")
    assert Thread.objects.filter(row_key=row, comments__body="量化").exists()


def test_no_comment_buttons_where_nobody_may_comment_nor_in_the_pdf(resubmitted, client):
    plan = resubmitted["plan"]
    services.approve_plan(plan_id=plan.pk, by=resubmitted["reviewer"])
    html = page(client, resubmitted["reviewer"], "reviews:version", plan.pk, 2).content.decode()
    assert row_buttons(html) == [] and "row-comment" not in html
    version = plan.versions.last()
    pdf = render_version_html(version, approved=True, language="zh-hans")
    assert "row-comment" not in pdf and "data-comment" not in pdf


def test_the_compare_page_numbers_every_section_and_explains_its_marks(english, resubmitted):
    plan = resubmitted["plan"]
    response = page(english, resubmitted["reviewer"], "reviews:compare", plan.pk)
    html = response.content.decode()
    numbered = [(d.number, d.key, d.changed) for d in response.context["changes"]]
    assert [key for _n, key, _c in numbered] == [s.key for s in SECTIONS]
    assert [n for n, _k, _c in numbered] == list(range(1, len(SECTIONS) + 1))
    assert {key for _n, key, changed in numbered if changed} == {"swot"}
    assert "7. " in html and "no changes" in html and "1 change" in html
    assert "How to read the changes" in html and "<ins>new text</ins>" in html
    # the pickers say when and by whom each version was submitted
    pickers = re.findall(r"<option value=\"(\d)\"[^>]*>([^<]+)</option>", html)
    manager = str(resubmitted["manager"])
    assert len(pickers) == 4 and all(
        manager in label and "Version" in label for _, label in pickers
    )


def test_an_unknown_version_to_compare_is_not_found(resubmitted, client):
    client.force_login(resubmitted["reviewer"])
    url = reverse("reviews:compare", args=[resubmitted["plan"].pk])
    assert client.get(url, {"from": 9}).status_code == 404
    assert client.get(url, {"to": "x"}).status_code == 404


def test_the_queue_marks_resubmissions_and_counts_open_comments(english, resubmitted):
    other = submitted_plan_of(resubmitted, "manager2")
    response = page(english, resubmitted["admin"], "reviews:queue")
    rows = {plan.pk: plan for plan, _days in response.context["rows"]}
    plan = resubmitted["plan"]
    assert (rows[plan.pk].version_number, rows[plan.pk].open_threads) == (2, 2)
    assert (rows[other.pk].version_number, rows[other.pk].open_threads) == (1, 0)
    html = response.content.decode()
    assert html.count("resubmitted") == 1
    assert reverse("reviews:compare", args=[plan.pk]) in html
    assert reverse("reviews:compare", args=[other.pk]) not in html


def test_the_queue_costs_the_same_queries_with_comments_and_resubmissions(client, resubmitted):
    client.force_login(resubmitted["admin"])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reviews:queue"))
    for name in ("manager2", "manager3", "manager4", "manager5"):
        plan = submitted_plan_of(resubmitted, name)
        plan.versions.create(number=2, snapshot={"sections": {}}, submitted_by=plan.created_by)
        for section in ("swot", "products"):
            Thread.objects.create(
                plan=plan,
                version=plan.versions.last(),
                section=section,
                created_by=resubmitted["reviewer"],
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reviews:queue"))
    assert [plan.open_threads for plan, _days in response.context["rows"]][-4:] == [2] * 4
    assert len(many) == len(few)


def test_a_returned_plans_stepper_marks_sections_with_open_comments(english, resubmitted):
    plan = resubmitted["plan"]
    services.return_plan(plan_id=plan.pk, by=resubmitted["reviewer"], reason="再改")
    html = page(english, resubmitted["manager"], "plans:overview", plan.pk).content.decode()
    stepper = html[html.index('class="stepper') : html.index("</nav>", html.index("stepper"))]
    marked = {
        key: re.findall(r'stepper-comments" title="([^"]+)"', item)
        for key, item in zip((s.key for s in SECTIONS), stepper.split("<li>")[1:], strict=True)
    }
    assert {key: marks for key, marks in marked.items() if marks} == {
        "background": ["1 open comment"],
        "swot": ["1 open comment"],  # its resolved thread is not counted
    }
    # read out, not only shown
    assert '<span class="visually-hidden">1 open comment</span>' in stepper


def test_an_approved_plans_overview_carries_the_approval(english, resubmitted):
    plan = resubmitted["plan"]
    overview = page(english, resubmitted["manager"], "plans:overview", plan.pk).content.decode()
    assert "approval-banner" not in overview
    services.approve_plan(plan_id=plan.pk, by=resubmitted["reviewer"])
    assert Plan.objects.get(pk=plan.pk).status == Status.APPROVED
    overview = page(english, resubmitted["manager"], "plans:overview", plan.pk).content.decode()
    banner = overview[overview.index("approval-banner") : overview.index("</div>\n    </div>")]
    assert str(resubmitted["reviewer"]) in banner and "(version 2)" in banner
    assert reverse("reviews:version", args=[plan.pk, 2]) in banner
    assert '<span class="badge text-nowrap status-approved">Approved</span>' in overview


def test_the_menus_plan_list_is_not_named_like_the_brand(client, demo):
    # In Chinese, where both once read 营销计划.
    html = page(client, demo["manager"], "plans:list").content.decode()
    brand = re.search(r'class="navbar-brand[^>]*>.*?</i>([^<]+)</a>', html).group(1)
    first = re.search(r'class="nav-link" href="[^"]+">([^<]+)</a>', html).group(1)
    assert brand != first
