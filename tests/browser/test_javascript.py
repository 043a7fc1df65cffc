"""The pages' JavaScript in a real browser: headless Chromium against the live server.

Everything else is tested through Django's client; these cover what only a browser does:
the "add a row" button, the remove toggle, the language switch that submits itself, a
version's PDF buttons that update themselves while the PDF is made, and that no page
trips the Content Security Policy or logs an error.
"""

import pytest
from django.urls import reverse
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from bankplan.plans.sections.swot import SwotItem
from bankplan.reviews.models import Version, VersionPdf
from bankplan.reviews.snapshots import snapshot_plan

from .chromium import CHROMEDRIVER, open_as

pytestmark = pytest.mark.skipif(
    CHROMEDRIVER is None, reason="needs chromium and chromium-driver, which `make setup` installs"
)


def click(browser, element):
    # Into the middle of the window at once (Bootstrap scrolls smoothly, and a click
    # during the scroll lands on whatever is passing under the pointer).
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
    )
    element.click()


def save_draft(browser):
    click(browser, browser.find_element(By.CSS_SELECTOR, "button[name=then][value=stay]"))
    WebDriverWait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".alert-success, .alert-danger")
    )


def swot_rows(browser):
    return browser.find_elements(By.CSS_SELECTOR, 'table[data-formset="items"] tr.formset-row')


def test_rows_added_in_the_browser_are_saved(browser, live_server, plan, author):
    open_as(browser, live_server, author, reverse("plans:section", args=[plan.pk, "swot"]))
    add = browser.find_element(By.CSS_SELECTOR, '[data-formset-add="items"]')
    for index, (kind, text) in enumerate((("S", "审批快"), ("W", "网点少"))):
        click(browser, add)
        # the new row's first field has the focus, so the author can type at once
        assert browser.switch_to.active_element.get_attribute("name") == f"items-{index}-kind"
        row = swot_rows(browser)[-1]
        Select(row.find_element(By.CSS_SELECTOR, "select[name$='-kind']")).select_by_value(kind)
        row.find_element(By.CSS_SELECTOR, "textarea[name$='-text']").send_keys(text)
    save_draft(browser)

    saved = SwotItem.objects.filter(swot__plan=plan).order_by("pk")
    assert [(i.kind, i.text) for i in saved] == [("S", "审批快"), ("W", "网点少")]
    assert len(swot_rows(browser)) == 2  # the page shows what was saved


def test_a_row_marked_for_removal_goes_when_saved(browser, live_server, plan, author):
    keep = SwotItem.objects.create(swot=plan.swot, kind="O", text="开发区二期投产")
    drop = SwotItem.objects.create(swot=plan.swot, kind="T", text="同业降价")
    open_as(browser, live_server, author, reverse("plans:section", args=[plan.pk, "swot"]))
    row = swot_rows(browser)[1]
    click(browser, row.find_element(By.CSS_SELECTOR, "label[for$='-DELETE']"))
    assert "row-removed" in row.get_attribute("class")  # shown struck out until saved
    assert SwotItem.objects.filter(pk=drop.pk).exists()
    save_draft(browser)

    assert list(SwotItem.objects.filter(swot__plan=plan)) == [keep]


def test_the_language_switch_submits_itself(browser, live_server, plan, author):
    open_as(browser, live_server, author, reverse("plans:overview", args=[plan.pk]))
    page = browser.find_element(By.TAG_NAME, "html")
    assert page.get_attribute("lang") == "zh-hans"
    Select(browser.find_element(By.ID, "language-switch")).select_by_value("en")
    WebDriverWait(browser, 10).until(staleness_of(page))  # no button pressed: it submitted
    WebDriverWait(browser, 10, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    )
    assert browser.find_element(By.CSS_SELECTOR, ".navbar-brand").text == "Marketing plans"


def test_pages_run_under_the_content_security_policy(browser, live_server, plan, author):
    SwotItem.objects.create(swot=plan.swot, kind="S", text="<img src=x onerror=alert(1)>")
    open_as(browser, live_server, author, reverse("plans:overview", args=[plan.pk]))
    for path in (
        reverse("plans:overview", args=[plan.pk]),
        reverse("plans:section", args=[plan.pk, "swot"]),
        reverse("plans:section", args=[plan.pk, "products"]),
    ):
        browser.get(live_server.url + path)
        problems = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert problems == [], path
    # the bar is drawn without an inline style, and the typed markup stayed text
    assert browser.find_element(By.CSS_SELECTOR, ".plan-progress").is_displayed()
    assert not browser.find_elements(By.CSS_SELECTOR, "img[src=x]")


def test_a_versions_pdf_button_appears_without_reloading_once_made(
    browser, live_server, plan, author, reviewer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    version = Version.objects.create(
        plan=plan, number=1, snapshot=snapshot_plan(plan), submitted_by=author
    )
    pdf = VersionPdf.objects.create(version=version, kind=VersionPdf.Kind.SUBMITTED)
    open_as(browser, live_server, reviewer, reverse("reviews:version", args=[plan.pk, 1]))
    page = browser.find_element(By.TAG_NAME, "html")
    assert "PDF 正在生成" in browser.find_element(By.CSS_SELECTOR, ".version-pdfs").text

    (tmp_path / "v1.pdf").write_bytes(b"%PDF-1.7 stand-in")
    VersionPdf.objects.filter(pk=pdf.pk).update(file="v1.pdf", state=VersionPdf.State.READY)
    link = WebDriverWait(browser, 15).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".version-pdfs a")
    )[0]
    assert link.text == "提交版 PDF"
    assert page.get_attribute("lang") == "zh-hans"  # the same page: it was not reloaded
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-poll]")  # and stopped asking
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
