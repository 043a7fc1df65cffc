"""The whole review loop in a real browser, as the people of the demo bank go through it:
the manager writes through all seven steps (adding and removing a row in every table),
leaves and comes back, submits; the reviewer comments on two sections and returns the
plan; the manager answers, revises and resubmits; the reviewer compares the versions and
approves; the PDF downloads. Switching the language keeps the page."""

import pytest
from django.urls import reverse
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from bankplan.plans.models import Status
from bankplan.plans.progress import load_plan, section_states
from bankplan.plans.sections.registry import SECTIONS

from .chromium import CHROMEDRIVER, open_as
from .test_javascript import click

pytestmark = pytest.mark.skipif(
    CHROMEDRIVER is None, reason="needs chromium and chromium-driver, which `make setup` installs"
)

# Gives the new row of a table the values of the row the user marked for removal: every
# field after the row's prefix, but its id, its removal mark and its parent.
COPY_ROW = """
const [from, to] = arguments;
for (const source of from.querySelectorAll("[name]")) {
  const field = source.name.replace(/^.*?-\\d+-/, "");
  if (["id", "DELETE"].includes(field) || source.type === "hidden") continue;
  const target = to.querySelector(`[name$="-${field}"]`);
  if (source.type === "checkbox") target.checked = source.checked;
  else if (source.multiple)
    for (const option of target.options)
      option.selected = [...source.selectedOptions].some((o) => o.value === option.value);
  else target.value = source.value;
  target.dispatchEvent(new Event("change", { bubbles: true }));
}
"""


def rows_of(browser, prefix):
    return browser.find_elements(
        By.CSS_SELECTOR, f'table[data-formset="{prefix}"] tbody tr.formset-row'
    )


def replace_last_row(browser, prefix) -> str:
    """Marks the table's last row for removal and adds a row like it; returns its id."""
    old = rows_of(browser, prefix)[-1]
    removed = old.find_element(By.CSS_SELECTOR, "input[type=hidden][name$='-id']").get_attribute(
        "value"
    )
    click(browser, old.find_element(By.CSS_SELECTOR, "label[for$='-DELETE']"))
    click(browser, browser.find_element(By.CSS_SELECTOR, f'[data-formset-add="{prefix}"]'))
    browser.execute_script(COPY_ROW, old, rows_of(browser, prefix)[-1])
    return removed


def sign_in(browser, live_server, user, path):
    user.set_password("pw")
    user.save()
    browser.delete_all_cookies()
    open_as(browser, live_server, user, path)


def write_every_step(browser, live_server, plan) -> None:
    """Every step in turn, as the author moves through them with "save and continue"."""
    browser.get(live_server.url + reverse("plans:section", args=[plan.pk, SECTIONS[0].key]))
    for section in SECTIONS:
        content = section.content_of(load_plan(plan))
        before = {table.name: len(table.rows(content)) for table in section.tables}
        removed = {
            table.name: replace_last_row(browser, table.name)
            for table in section.tables
            if not table.fixed
        }
        text = browser.find_element(By.CSS_SELECTOR, "#section-fields textarea")
        text.send_keys("（已复核）")
        typed_into = text.get_attribute("name")
        click(browser, browser.find_element(By.CSS_SELECTOR, "button[name=then][value=next]"))
        WebDriverWait(browser, 15).until(
            lambda b, key=section.key: f"/sections/{key}/" not in b.current_url
        )
        content = section.content_of(load_plan(plan))
        for table in section.tables:
            rows = table.rows(content)
            assert len(rows) == before[table.name], table.name  # one out, one in
            if table.name in removed:
                assert removed[table.name] not in {str(row.pk) for row in rows}, table.name
        assert "（已复核）" in getattr(content, typed_into)


def test_write_submit_review_return_revise_compare_approve(browser, live_server, demo):
    plan = demo["plan"]
    manager = demo["manager"]
    sign_in(browser, live_server, manager, reverse("plans:overview", args=[plan.pk]))
    write_every_step(browser, live_server, plan)
    assert browser.current_url.endswith(reverse("plans:overview", args=[plan.pk]))
    assert all(state.complete for state in section_states(load_plan(plan)))

    # Leave for the plan list and come back: everything is there.
    click(browser, browser.find_element(By.CSS_SELECTOR, ".navbar .nav-link[href$='/plans/']"))
    browser.get(live_server.url + reverse("plans:section", args=[plan.pk, "background"]))
    field = browser.find_element(By.CSS_SELECTOR, "#section-fields textarea")
    assert "（已复核）" in field.get_attribute("value")
    submit(browser, live_server, plan)

    # The reviewer finds it in the queue, comments on a section and on a row, returns it.
    sign_in(browser, live_server, demo["reviewer"], reverse("reviews:queue"))
    click(browser, browser.find_element(By.LINK_TEXT, plan.branch.name))
    comment(browser, "swot", "劣势一栏请补充人员流动的影响。")
    comment(browser, "products", "这一产品的目标偏低，请说明依据。", on_row=True)
    return_plan(browser, "请按评论修改后重新提交。")
    plan.refresh_from_db()
    assert plan.status == Status.RETURNED
    assert plan.threads.count() == 2 and plan.threads.filter(row_key__gt="").count() == 1

    # The manager sees where the comments are, answers one, revises and resubmits.
    sign_in(browser, live_server, manager, reverse("plans:section", args=[plan.pk, "swot"]))
    marked = browser.find_elements(By.CSS_SELECTOR, ".stepper .stepper-comments")
    assert len(marked) == 2
    reply = browser.find_element(By.CSS_SELECTOR, "textarea[id^=reply-]")
    reply.send_keys("已补充，见劣势第三条。")
    click(browser, reply.find_element(By.XPATH, "./following-sibling::button"))
    WebDriverWait(browser, 15).until(
        lambda b: plan.threads.filter(comments__body="已补充，见劣势第三条。").exists()
    )
    text = browser.find_element(By.CSS_SELECTOR, "#section-fields textarea, table textarea")
    text.send_keys("客户经理流失率 12%。")
    WebDriverWait(browser, 15).until(lambda b: "客户经理流失率" in str(section_of(plan, "swot")))
    submit(browser, live_server, plan)

    # The reviewer compares the two versions and approves.
    sign_in(browser, live_server, demo["reviewer"], reverse("reviews:version", args=[plan.pk, 2]))
    click(browser, browser.find_element(By.CSS_SELECTOR, ".review-bar a[href*='compare']"))
    assert "客户经理流失率" in browser.find_element(By.TAG_NAME, "main").text
    browser.back()
    click(browser, browser.find_element(By.CSS_SELECTOR, ".review-bar a[href$='/approve/']"))
    click(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(browser, 15).until(lambda b: b.current_url.endswith(f"/plans/{plan.pk}/"))
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED

    # The PDF downloads, and switching the language keeps the page.
    link = browser.find_element(By.CSS_SELECTOR, "a[href$='/pdf/']").get_attribute("href")
    assert browser.execute_async_script(FETCH_START, link) == ["application/pdf", "%PDF"]
    Select(browser.find_element(By.ID, "language-switch")).select_by_value("en")
    WebDriverWait(browser, 10).until(
        lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    )
    assert browser.current_url.endswith(f"/plans/{plan.pk}/")


# The content type and first bytes of a download, fetched by the page itself.
FETCH_START = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: "same-origin"}).then(async (response) => {
  const start = new TextDecoder().decode((await response.arrayBuffer()).slice(0, 4));
  done([response.headers.get("content-type"), start]);
});
"""


def section_of(plan, key):
    section = next(s for s in SECTIONS if s.key == key)
    return section.snapshot(section.content_of(load_plan(plan)))


def submit(browser, live_server, plan):
    browser.get(live_server.url + reverse("reviews:submit", args=[plan.pk]))
    click(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(browser, 15).until(lambda b: b.current_url.endswith(f"/plans/{plan.pk}/"))
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED


def comment(browser, section, text, on_row=False):
    """A comment from the section heading's button, or from its first row's."""
    button = "row-comment" if on_row else "btn-outline-primary[data-comment-section]"
    click(browser, browser.find_element(By.CSS_SELECTOR, f"#{section} .{button}"))
    box = browser.find_element(By.ID, f"comment-{section}")
    WebDriverWait(browser, 5).until(lambda b: box.is_displayed())
    box.send_keys(text)
    click(browser, box.find_element(By.XPATH, "./following-sibling::button[@type='submit']"))
    # The page reloads after the comment is posted: the section read mid-reload goes stale.
    WebDriverWait(browser, 15, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda b: text in b.find_element(By.ID, section).text
    )


def return_plan(browser, reason):
    click(browser, browser.find_element(By.CSS_SELECTOR, ".review-bar a[href$='/return/']"))
    browser.find_element(By.CSS_SELECTOR, "main form textarea").send_keys(reason)
    click(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(browser, 15).until(lambda b: "/return/" not in b.current_url)
