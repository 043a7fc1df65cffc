"""A section's text budget: its fields and all its rows together hold at most SECTION_TEXT
characters, checked on saving from what was posted (what will be stored), so a plan the
forms accept always becomes a PDF in time and is never refused as too long."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bankplan.documents.rendering import (
    MAX_CHARACTERS,
    render_plan_html,
    render_version_html,
    text_length,
)
from bankplan.plans.autosave import HEADER
from bankplan.plans.models import Plan
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.base import LONG_TEXT, MAX_ROWS, ROW_TEXT
from bankplan.plans.sections.budget import SECTION_TEXT, budgeted_fields, content_length
from bankplan.plans.sections.registry import SECTIONS, get_section
from bankplan.plans.sections.swot import Swot, SwotItem
from bankplan.reviews.models import Version
from bankplan.reviews.snapshots import snapshot_plan
from tests.htmlform import add_row, form_data
from tests.plans.worst_case import SPREADS, fill_plan

OVER = "characters of text, more than the"


def url(plan):
    return reverse("plans:section", args=[plan.pk, "swot"])


@pytest.fixture
def manager(client, author):
    client.force_login(author)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages as written here
    return client


def swot_at(manager, plan, length: int) -> dict:
    """The SWOT page's form with ``length`` characters typed: a full summary, then items
    of ROW_TEXT characters (the last one shorter) until the length is reached."""
    data = form_data(manager.get(url(plan)))
    data["summary"] = "总" * min(length, LONG_TEXT)
    left = length - len(data["summary"])
    n = 0
    while left > 0:
        text = f"{n % 10}" * min(left, ROW_TEXT)
        add_row(data, "items", kind="SWOT"[n % 4], text=text, priority="medium")
        left -= len(text)
        n += 1
    return data


def test_a_section_at_its_budget_saves(manager, plan):
    data = swot_at(manager, plan, SECTION_TEXT)
    assert manager.post(url(plan), data).status_code == 302
    assert content_length(get_section("swot"), Swot.objects.get(plan=plan)) == SECTION_TEXT


def test_a_section_over_its_budget_is_refused_and_keeps_the_input(manager, plan):
    data = swot_at(manager, plan, SECTION_TEXT + 1)
    response = manager.post(url(plan), data)
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert OVER in error and "Shorten it by 1 character:" in error
    html = response.content.decode()
    assert OVER in html  # in the section's error summary
    assert data["summary"] in html and data["items-0-text"] in html  # nothing typed is lost
    assert Swot.objects.get(plan=plan).summary == ""
    assert not SwotItem.objects.exists()


def test_rows_removed_in_the_same_save_do_not_count(manager, plan):
    assert manager.post(url(plan), swot_at(manager, plan, SECTION_TEXT)).status_code == 302
    data = form_data(manager.get(url(plan)))
    data["items-0-DELETE"] = "on"  # ROW_TEXT characters go...
    add_row(data, "items", kind="S", text="新" * ROW_TEXT, priority="high")  # ...as many come
    assert manager.post(url(plan), data).status_code == 302
    assert SwotItem.objects.filter(text="新" * ROW_TEXT).exists()
    data = form_data(manager.get(url(plan)))
    add_row(data, "items", kind="S", text="多", priority="high")  # one more is too many
    response = manager.post(url(plan), data)
    assert OVER in " ".join(response.context["form"].non_field_errors())


def test_rows_stored_but_not_posted_count(manager, plan):
    """Rows a colleague stored meanwhile stay: they count against what this save adds."""
    data = swot_at(manager, plan, SECTION_TEXT - 10)
    content = Swot.objects.get(plan=plan)
    SwotItem.objects.create(swot=content, kind="T", text="同" * 11, priority="low")
    response = manager.post(url(plan), data)
    assert response.status_code == 200
    assert "Shorten it by 1 character:" in " ".join(response.context["form"].non_field_errors())


def test_an_autosave_over_the_budget_gets_the_message(manager, plan):
    data = swot_at(manager, plan, SECTION_TEXT + 5)
    response = manager.post(url(plan), data, headers={HEADER: "1"})
    assert response.status_code == 422
    answer = json.loads(response.content)
    assert answer["state"] == "invalid" and OVER in answer["summary"]
    assert not SwotItem.objects.exists()


def test_every_section_counts_its_own_texts_and_every_table(plan):
    """Each section has a typed text the budget counts, and every table with texts."""
    for section in SECTIONS:
        counted = budgeted_fields(section.form) + [
            name for table in section.tables for name in budgeted_fields(table.formset.form)
        ]
        assert counted, section.key
    assert budgeted_fields(get_section("swot").tables[0].formset.form) == ["text"]


@pytest.mark.parametrize("spread", SPREADS)
def test_a_plan_the_forms_accept_is_never_too_long_to_print(demo, spread):
    """Every section at its budget and every table at MAX_ROWS rows, in either language:
    the rendering's last guard (MAX_CHARACTERS) stays above it."""
    plan = demo["plan"]
    counts = fill_plan(plan, rows=MAX_ROWS, spread=spread)
    assert max(counts.values()) == MAX_ROWS
    plan = Plan.objects.get(pk=plan.pk)
    for section in SECTIONS:
        assert content_length(section, section.content_of(plan)) == SECTION_TEXT, section.key
    for language in ("zh-hans", "en"):
        length = text_length(render_plan_html(plan, language=language))
        assert len(SECTIONS) * SECTION_TEXT * 0.8 < length <= MAX_CHARACTERS, language
    if spread == "long":  # the version filed on approval (its approval block, its labels)
        version = Version.objects.create(
            plan=plan,
            number=1,
            snapshot=snapshot_plan(load_plan(plan), loaded=True),
            submitted_by=demo["manager"],
            approved_by=demo["manager"],
            approved_at=timezone.now(),
        )
        for language in ("zh-hans", "en"):
            html = render_version_html(version, approved=True, language=language)
            assert text_length(html) <= MAX_CHARACTERS, language


def test_text_length_counts_an_escaped_character_once():
    assert text_length("<p>A &amp; B &lt;C&gt; &#34;</p>") == len('A&B<C>"')
