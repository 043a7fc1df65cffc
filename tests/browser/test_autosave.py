"""Autosave in a real browser: typing reaches the server without a button being pressed,
survives closing the tab, waits for the user to sign in again after the session ended,
stores nothing of a section with a bad value, says so when it meets a newer save, and
creates a row once however often it saves; leaving with unsent changes asks first."""

import re

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bankplan.plans.sections.background import Background
from bankplan.plans.sections.swot import SwotItem

from .chromium import CHROMEDRIVER, open_as
from .test_javascript import click

pytestmark = pytest.mark.skipif(
    CHROMEDRIVER is None, reason="needs chromium and chromium-driver, which `make setup` installs"
)

PARAGRAPH = (
    "县城常住人口约 38 万，以农业和农产品加工为主；开发区二期明年投产，带来约 3,000 名新增就业。"
)


def saved_status(browser, timeout=15):
    """Waits for the status line to say "saved at HH:MM"; returns it."""
    return WebDriverWait(browser, timeout).until(
        lambda b: (
            re.search(r"\d\d:\d\d", b.find_element(By.CSS_SELECTOR, ".autosave-status").text)
            and b.find_element(By.CSS_SELECTOR, ".autosave-status").text
        )
    )


def background_url(plan):
    return reverse("plans:section", args=[plan.pk, "background"])


def stored(plan, name="local_economy"):
    return getattr(Background.objects.get(plan=plan), name)


def test_typing_is_saved_without_a_button_and_survives_closing_the_tab(
    browser, live_server, plan, author
):
    open_as(browser, live_server, author, background_url(plan))
    browser.find_element(By.NAME, "local_economy").send_keys(PARAGRAPH)
    saved_status(browser)
    assert stored(plan) == PARAGRAPH

    # Close the tab without pressing anything (no leave warning: nothing is unsent), reopen.
    first = browser.current_window_handle
    browser.switch_to.new_window("tab")
    second = browser.current_window_handle
    browser.switch_to.window(first)
    browser.close()
    browser.switch_to.window(second)
    browser.get(live_server.url + background_url(plan))
    assert browser.find_element(By.NAME, "local_economy").get_attribute("value") == PARAGRAPH


# Headless ChromeDriver answers "leave this page?" itself and never shows it, so the test
# asks the page what leaving would do: a cancelled beforeunload is the browser's prompt.
WOULD_ASK = """
var event = new Event("beforeunload", {cancelable: true});
window.dispatchEvent(event);
return event.defaultPrevented;
"""


def test_leaving_with_changes_not_yet_sent_asks_first(browser, live_server, plan, author):
    open_as(browser, live_server, author, background_url(plan))
    assert browser.execute_script(WOULD_ASK) is False  # nothing typed
    browser.find_element(By.NAME, "location").send_keys("城关镇")
    assert browser.execute_script(WOULD_ASK) is True  # typed, not yet sent
    saved_status(browser)
    assert stored(plan, "location") == "城关镇"
    assert browser.execute_script(WOULD_ASK) is False  # sent: leaving loses nothing


def test_after_the_session_ended_the_page_asks_to_sign_in_and_then_saves(
    browser, live_server, plan, author
):
    open_as(browser, live_server, author, background_url(plan))
    browser.delete_cookie("sessionid")  # the session expired
    browser.find_element(By.NAME, "local_economy").send_keys(PARAGRAPH)
    dialog = WebDriverWait(browser, 15).until(
        lambda b: b.find_element(By.CSS_SELECTOR, "dialog.sign-in-again[open]")
    )
    assert stored(plan) == ""
    dialog.find_element(By.NAME, "password").send_keys("pw\n")
    saved_status(browser)
    assert stored(plan) == PARAGRAPH
    assert browser.current_url.endswith(background_url(plan))  # never left the page
    # and the page's own buttons work with the new session's CSRF token
    click(browser, browser.find_element(By.CSS_SELECTOR, "button[name=then][value=stay]"))
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".alert-success"))


def test_a_bad_value_is_flagged_and_nothing_of_the_section_is_stored(
    browser, live_server, plan, author
):
    open_as(browser, live_server, author, background_url(plan))
    browser.find_element(By.NAME, "location").send_keys("城关镇")
    headcount = browser.find_element(By.NAME, "headcount")
    headcount.send_keys("-3")
    WebDriverWait(browser, 15).until(lambda b: "is-invalid" in headcount.get_attribute("class"))
    summary = browser.find_element(By.CSS_SELECTOR, ".autosave-slot .error-summary")
    assert stored(plan, "location") == ""  # the good value waits with the bad one
    assert not browser.find_element(By.CSS_SELECTOR, ".section-state").is_displayed()
    # The summary's link takes the user to the field.
    click(browser, summary.find_element(By.CSS_SELECTOR, "a[data-focus]"))
    assert browser.switch_to.active_element.get_attribute("name") == "headcount"

    headcount.clear()
    headcount.send_keys("12")
    saved_status(browser)
    assert (stored(plan, "location"), stored(plan, "headcount")) == ("城关镇", 12)
    assert not browser.find_elements(By.CSS_SELECTOR, ".error-summary, .is-invalid")


def test_an_autosave_meeting_a_newer_save_keeps_the_text_until_told(
    browser, live_server, plan, author, reviewer
):
    open_as(browser, live_server, author, background_url(plan))
    # Someone saves the section after the page was opened.
    Background.objects.filter(plan=plan).update(revision=5, location="他们的", updated_by=author)
    browser.find_element(By.NAME, "location").send_keys("我的")
    conflict = WebDriverWait(browser, 15).until(
        lambda b: b.find_element(By.CSS_SELECTOR, ".autosave-conflict")
    )
    assert stored(plan, "location") == "他们的"
    assert browser.find_element(By.NAME, "location").get_attribute("value") == "我的"
    click(browser, conflict.find_element(By.TAG_NAME, "button"))  # save mine over theirs
    saved_status(browser)
    assert stored(plan, "location") == "我的"


def test_a_row_typed_into_is_created_once_however_often_it_saves(
    browser, live_server, plan, author
):
    open_as(browser, live_server, author, reverse("plans:section", args=[plan.pk, "swot"]))
    add = browser.find_element(By.CSS_SELECTOR, '[data-formset-add="items"]')
    click(browser, add)
    click(browser, add)  # a second row, left empty: autosave does not store it
    rows = browser.find_elements(By.CSS_SELECTOR, 'table[data-formset="items"] tr.formset-row')
    rows[1].find_element(By.CSS_SELECTOR, "select[name$='-kind']").send_keys("优势")
    rows[1].find_element(By.CSS_SELECTOR, "textarea[name$='-text']").send_keys("审批快")
    saved_status(browser)
    rows[1].find_element(By.CSS_SELECTOR, "textarea[name$='-text']").send_keys("，当天放款")
    WebDriverWait(browser, 15).until(
        lambda b: SwotItem.objects.filter(swot__plan=plan, text="审批快，当天放款").exists()
    )
    assert list(SwotItem.objects.filter(swot__plan=plan).values_list("text", flat=True)) == [
        "审批快，当天放款"
    ]
    # The page's own save afterwards keeps it one row too.
    click(browser, browser.find_element(By.CSS_SELECTOR, "button[name=then][value=stay]"))
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".alert-success"))
    assert SwotItem.objects.filter(swot__plan=plan).count() == 1


def test_the_findings_follow_each_background_save(browser, live_server, plan, author):
    open_as(browser, live_server, author, background_url(plan))

    def findings():
        return browser.find_element(By.ID, "section-findings").text

    assert "BKG-003" in findings()  # the local economy is not described yet
    browser.find_element(By.NAME, "local_economy").send_keys(PARAGRAPH)
    saved_status(browser)
    WebDriverWait(browser, 15).until(lambda b: "BKG-003" not in findings())
    assert "BKG-004" in findings()  # what is still missing stays listed
