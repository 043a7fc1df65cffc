"""The review screen in a real browser: a reviewer on a long plan keeps the jump list and
the decision in view wherever they read, and comments on a row from the row itself."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from bankplan.organisation.models import User
from bankplan.plans.models import Plan
from bankplan.reviews import services, tasks
from bankplan.reviews.models import Thread

from .chromium import CHROMEDRIVER, open_as

pytestmark = pytest.mark.skipif(
    CHROMEDRIVER is None, reason="needs chromium and chromium-driver, which `make setup` installs"
)


@pytest.fixture
def long_plan(db, settings, tmp_path, monkeypatch):
    """The demo branch's whole plan (every section filled in, about 14,000 px on screen),
    submitted; a stand-in PDF keeps the submission quick."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: b"%PDF-1.7 stand-in")
    call_command("loaddata", "demo", verbosity=0)
    manager = User.objects.get(username="manager")
    plan = Plan.objects.get(branch__memberships__user=manager)
    services.submit_plan(plan_id=plan.pk, by=manager)
    for user in User.objects.all():  # the demo's passwords are "demo"; open_as types "pw"
        user.set_password("pw")
        user.save(update_fields=["password"])
    return plan


def in_view(browser, selector) -> bool:
    return browser.execute_script(
        "var box = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;",
        selector,
    )


def scroll_to(browser, y):
    browser.execute_script("window.scrollTo({top: arguments[0], behavior: 'instant'})", y)


def test_the_jump_list_and_the_decision_stay_in_view_to_the_end(browser, live_server, long_plan):
    reviewer = User.objects.get(username="reviewer")
    open_as(browser, live_server, reviewer, reverse("reviews:version", args=[long_plan.pk, 1]))
    height = browser.execute_script("return document.documentElement.scrollHeight")
    assert height > 5 * browser.execute_script("return window.innerHeight")  # a long plan
    scroll_to(browser, height)
    assert browser.execute_script("return window.scrollY") > 4000
    assert in_view(browser, ".review-bar") and in_view(browser, ".review-jump")
    approve = browser.find_element(By.CSS_SELECTOR, ".review-bar a.btn-success")
    assert approve.is_displayed()
    # the list marks the last section as the one being read
    current = browser.find_element(By.CSS_SELECTOR, ".review-jump-link[aria-current]")
    assert current.get_attribute("href").endswith("#incentives")
    # the page does not scroll sideways
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )

    # A section chosen in the list opens with its heading below the bar, not under it.
    browser.execute_script("document.documentElement.style.scrollBehavior = 'auto'")
    browser.find_element(By.CSS_SELECTOR, '.review-jump-link[href="#target_market"]').click()
    WebDriverWait(browser, 5).until(lambda b: in_view(b, "#target_market-title"))
    bar = browser.execute_script(
        "return document.querySelector('.review-bar').getBoundingClientRect().bottom"
    )
    heading = browser.execute_script(
        "return document.querySelector('#target_market-title').getBoundingClientRect().top"
    )
    assert heading >= bar
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_reviewer_comments_on_a_row_from_the_rows_button(browser, live_server, long_plan):
    reviewer = User.objects.get(username="reviewer")
    url = reverse("reviews:version", args=[long_plan.pk, 1])
    open_as(browser, live_server, reviewer, url)
    button = browser.find_elements(By.CSS_SELECTOR, "#target_market table .row-comment")[1]
    row_key = button.get_attribute("data-comment-row")
    # at once: Bootstrap scrolls smoothly, and a click during the scroll misses
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button
    )
    button.click()

    # The section's form comes to the row, with that row chosen and the cursor in it.
    form = browser.find_element(By.ID, "new-comment-target_market")
    row = button.find_element(By.XPATH, "./ancestor::tr")
    holder = row.find_element(By.XPATH, "following-sibling::tr[1]")
    assert holder.find_element(By.TAG_NAME, "form") == form
    assert (
        Select(form.find_element(By.NAME, "row")).first_selected_option.get_attribute("value")
        == row_key
    )
    assert browser.switch_to.active_element == form.find_element(By.TAG_NAME, "textarea")

    # Escape puts it back under the section and gives the focus back to the button.
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert browser.switch_to.active_element == button
    assert not browser.find_elements(By.CSS_SELECTOR, "tr.comment-composer")

    button.click()
    browser.switch_to.active_element.send_keys("这一客群的份额目标请说明依据")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith(url + "#target_market"))
    thread = Thread.objects.get()
    assert (thread.section, thread.row_key) == ("target_market", row_key)
    assert thread.comments.get().body == "这一客群的份额目标请说明依据"
    assert "这一客群的份额目标请说明依据" in browser.find_element(By.ID, "target_market").text
