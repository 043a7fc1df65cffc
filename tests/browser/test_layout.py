"""Pages fit the window: at 1280 px no page scrolls sideways; at 1024 px the section
pages' tables keep every column reachable in their own scroll box; row text boxes grow
with their text; the guidance panel is one click away and remembers being opened.

The pages and their content come from the ``main_pages`` fixture (tests/browser/pages.py):
the demo's complete draft, with rows in every table, and a plan under review.
"""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from bankplan.organisation.models import User
from bankplan.plans.models import GuidancePreference

from .chromium import CHROMEDRIVER, sign_in
from .pages import Page

pytestmark = pytest.mark.skipif(
    CHROMEDRIVER is None, reason="needs chromium and chromium-driver, which `make setup` installs"
)

# How far the page scrolls sideways (0: not at all).
SIDEWAYS = "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"

# Each row table's columns a person cannot bring into view by scrolling the table's own
# box (to its start, its end, or the column): outside the window, or under the columns
# that stay in view (the key column, the remove buttons).
HIDDEN_COLUMNS = """
const hidden = [];
const width = document.documentElement.clientWidth;
for (const box of document.querySelectorAll(".row-table-scroll")) {
  const table = box.querySelector("table");
  const edges = box.getBoundingClientRect();
  if (edges.left < 0 || edges.right > width + 0.5) {
    hidden.push(table.dataset.formset + ": the table's box is wider than the window");
  }
  for (const th of table.querySelectorAll("thead th")) {
    const seen = [0, box.scrollWidth, th.offsetLeft].some(left => {
      box.scrollLeft = left;
      th.scrollIntoView({block: "center", inline: "nearest", behavior: "instant"});
      box.scrollLeft = left;  // (scrollIntoView may have moved it)
      const cell = th.getBoundingClientRect();
      const hit = document.elementFromPoint(cell.left + cell.width / 2, cell.top + cell.height / 2);
      return cell.left >= edges.left - 0.5 && cell.right <= edges.right + 0.5
        && hit !== null && th.contains(hit);
    });
    const name = th.textContent.trim() || th.className;
    if (!seen) { hidden.push(`${table.dataset.formset}: ${name}`); }
  }
}
return hidden;
"""


def visit(browser, live_server, page: Page):
    sign_in(browser, live_server, page.username)
    browser.get(live_server.url + page.path)
    assert browser.find_element(By.TAG_NAME, "main")


def section_pages(pages: list[Page]) -> list[Page]:
    return [page for page in pages if "/sections/" in page.path]


def test_no_page_scrolls_sideways_at_1280_px(browser, live_server, main_pages):
    browser.set_window_size(1280, 900)
    reviewer_dashboard = Page("dashboard (reviewer)", "reviewer", reverse("headoffice:dashboard"))
    pages = [*main_pages, reviewer_dashboard]
    assert len(section_pages(pages)) == 7
    wide = {}
    for page in pages:
        visit(browser, live_server, page)
        if (overflow := browser.execute_script(SIDEWAYS)) > 0:
            wide[page.name] = overflow
    assert not wide, f"pages wider than the window (px): {wide}"


@pytest.mark.parametrize("size", [(1024, 768), (1280, 900), (1366, 900)])
def test_every_column_of_the_section_tables_is_reachable(browser, live_server, main_pages, size):
    browser.set_window_size(*size)
    hidden = {}
    for page in section_pages(main_pages):
        visit(browser, live_server, page)
        assert browser.find_elements(By.CSS_SELECTOR, ".row-table tbody tr"), page  # has rows
        assert browser.execute_script(SIDEWAYS) == 0, page.name
        if found := browser.execute_script(HIDDEN_COLUMNS):
            hidden[page.name] = found
    assert not hidden


def test_the_pursued_column_and_the_remove_buttons_fit_at_1280_px(browser, live_server, main_pages):
    """The segments table, widest of the key choices, is seen whole without scrolling."""
    browser.set_window_size(1280, 900)
    visit(browser, live_server, next(p for p in main_pages if p.path.endswith("/target_market/")))
    box = browser.find_element(By.CSS_SELECTOR, '.row-table-scroll:has([data-formset="segments"])')
    assert box.get_property("scrollWidth") <= box.get_property("clientWidth")


def test_a_row_text_box_grows_with_its_text(browser, live_server, main_pages):
    browser.set_window_size(1280, 900)
    visit(browser, live_server, next(p for p in main_pages if p.path.endswith("/background/")))
    add = browser.find_element(By.CSS_SELECTOR, '[data-formset-add="competitors"]')
    # Into the middle of the window at once (a smooth scroll would move it under the click).
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", add
    )
    add.click()
    row = browser.find_elements(By.CSS_SELECTOR, '[data-formset="competitors"] tr.formset-row')[-1]
    strengths = row.find_element(By.CSS_SELECTOR, "textarea[name$='-strengths']")
    name = row.find_element(By.CSS_SELECTOR, "textarea[name$='-name']")
    empty = (strengths.size["height"], name.size["height"])

    strengths.send_keys("网点覆盖全县各乡镇，代发工资客户稳定，" * 6)
    name.send_keys("青峰华锐汽车零部件有限公司县城营业部", Keys.ENTER, "二部")
    assert strengths.size["height"] > 2 * empty[0]  # grown, all of it in view
    assert strengths.get_property("scrollHeight") <= strengths.size["height"]
    assert name.size["height"] > empty[1]  # the long name wraps instead of being cut
    assert "\n" not in name.get_property("value")  # one line: Enter breaks nothing


def test_the_guidance_panel_is_one_click_away_and_remembered(browser, live_server, main_pages):
    page = next(p for p in main_pages if p.path.endswith("/swot/"))
    user = User.objects.get(username=page.username)
    GuidancePreference.objects.filter(user=user).delete()
    visit(browser, live_server, page)
    panel = browser.find_element(By.CSS_SELECTOR, "details.guidance")
    assert panel.get_property("open")  # the first visit
    browser.refresh()
    panel = browser.find_element(By.CSS_SELECTOR, "details.guidance")
    assert not panel.get_property("open")  # collapsed from then on

    panel.find_element(By.TAG_NAME, "summary").click()
    WebDriverWait(browser, 5).until(
        lambda b: GuidancePreference.objects.filter(user=user, section="swot", open=True).exists()
    )
    browser.refresh()
    assert browser.find_element(By.CSS_SELECTOR, "details.guidance").get_property("open")
