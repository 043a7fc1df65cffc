"""Accessibility of the main pages in a real browser: axe-core finds nothing serious or
critical, every field has an accessible name, and a whole section can be written with
the keyboard alone.

axe-core is read from tests/browser/tools (installed by `make setup`) and injected into
the test browser: the app never serves it.
"""

from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

from bankplan.plancheck.engine import check_plan
from bankplan.plans.sections.background import Background, BranchType, CompetitorType

from .chromium import CHROMEDRIVER, sign_in
from .pages import AXE, MISSING_TOOLS, section_url

pytestmark = pytest.mark.skipif(
    CHROMEDRIVER is None, reason="needs chromium and chromium-driver, which `make setup` installs"
)
needs_axe = pytest.mark.skipif(not AXE.exists(), reason=MISSING_TOOLS)

# WCAG 2.0 to 2.2, levels A and AA, and axe's best practices (reported, and held to the
# same bar: nothing serious or critical).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}

RUN_AXE = """
const [tags, done] = arguments;
axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then(results => done(results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary.split("\\n")[1]),
  }))))
  .catch(error => done([{id: "axe-error", impact: "critical", help: String(error), nodes: []}]));
"""

# The roles of the fields a person fills in, as the browser's accessibility tree names them.
FIELD_ROLES = {"textbox", "searchbox", "combobox", "listbox", "checkbox", "radio", "spinbutton"}


def axe_violations(browser) -> list[dict]:
    browser.execute_script(AXE.read_text())
    return browser.execute_async_script(RUN_AXE, TAGS)


def unnamed_fields(browser) -> list[str]:
    """The fields without an accessible name, as the browser computes it for screen
    readers: one look at its accessibility tree (hidden fields are not in it)."""
    tree = browser.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    unnamed = [
        node
        for node in tree
        if not node.get("ignored")
        and node.get("role", {}).get("value") in FIELD_ROLES
        and not node.get("name", {}).get("value", "").strip()
    ]
    return [describe(browser, node["backendDOMNodeId"]) for node in unnamed]


# Labels and descriptions pointing at nothing: a field described by a missing help text.
DANGLING = """
return [...document.querySelectorAll("[aria-describedby], [aria-labelledby], label[for]")]
  .flatMap(element => ["aria-describedby", "aria-labelledby", "for"].flatMap(
    name => (element.getAttribute(name) || "").split(/\\s+/).filter(Boolean)
      .filter(id => !document.getElementById(id)).map(id => `${name}="${id}"`)));
"""


def dangling(browser) -> list[str]:
    return browser.execute_script(DANGLING)


def describe(browser, node_id) -> str:
    node = browser.execute_cdp_cmd("DOM.describeNode", {"backendNodeId": node_id})["node"]
    attributes = node.get("attributes", [])
    pairs = zip(attributes[::2], attributes[1::2], strict=True)
    return f"<{node['localName']} " + " ".join(f'{name}="{value}"' for name, value in pairs) + ">"


@needs_axe
def test_the_checks_find_what_they_look_for(browser, live_server, db):
    """An image without a text and a field without a label, described by nothing, added
    to the log-in page."""
    browser.get(live_server.url + reverse("login"))
    browser.execute_script(
        "document.querySelector('main').insertAdjacentHTML('afterbegin',"
        ' \'<img src="/favicon.ico"><input name="nameless" aria-describedby="nowhere">\')'
    )
    assert {(v["id"], v["impact"]) for v in axe_violations(browser)} >= {("image-alt", "critical")}
    assert unnamed_fields(browser) == ['<input name="nameless" aria-describedby="nowhere">']
    assert dangling(browser) == ['aria-describedby="nowhere"']


@needs_axe
def test_the_main_pages_are_accessible(browser, live_server, main_pages):
    browser.set_script_timeout(60)
    blocking, report = [], []
    signed_in = object()  # nobody yet, not even "nobody"
    for page in main_pages:
        if page.username != signed_in:
            sign_in(browser, live_server, page.username)
            signed_in = page.username
        browser.get(live_server.url + page.path)
        violations = axe_violations(browser)
        impacts = Counter(v["impact"] for v in violations for _node in v["nodes"])
        report.append(f"{page.name}: {dict(impacts) or 'no violations'}")
        for violation in violations:
            report.append(f"  {violation['impact']} {violation['id']} x{len(violation['nodes'])}")
            if violation["impact"] in BLOCKING:
                blocking.append(f"{page.name}: {violation['id']} ({violation['help']})")
                blocking.extend(f"    {node}" for node in violation["nodes"][:10])
        blocking.extend(f"{page.name}: no accessible name: {f}" for f in unnamed_fields(browser))
        blocking.extend(f"{page.name}: points at nothing: {r}" for r in dangling(browser))
    print("\n".join(["axe-core, by page and impact (nodes):", *report]))
    assert not blocking, "\n".join(blocking)


def press(browser, *keys):
    ActionChains(browser).send_keys(*keys).perform()


def chord(browser, modifier, key):
    """``key`` pressed while ``modifier`` is held (Ctrl+A)."""
    ActionChains(browser).key_down(modifier).send_keys(key).key_up(modifier).perform()


def tab_to(browser, selector, limit=300):
    """Press Tab until the focus is on an element matching ``selector``."""
    for _ in range(limit):
        press(browser, Keys.TAB)
        if browser.execute_script("return document.activeElement.matches(arguments[0])", selector):
            return browser.switch_to.active_element
    raise AssertionError(f"Tab never reached {selector}")


def type_into(browser, selector, text):
    tab_to(browser, selector)
    press(browser, text)


def test_a_whole_section_is_written_with_the_keyboard_alone(browser, live_server, plan, author):
    """Branch A's empty background section, completed with Tab, typing, the arrow keys,
    Enter (a new row) and Space (save): no clicks."""
    sign_in(browser, live_server, author.username)
    browser.get(live_server.url + section_url(plan, "background"))

    type_into(browser, "[name=location]", "城关镇解放路 8 号")
    tab_to(browser, "[name=branch_type]")
    press(browser, Keys.ARROW_DOWN)  # the first type after the empty choice
    type_into(browser, "[name=outlets]", "3")
    type_into(browser, "[name=self_service_areas]", "2")
    type_into(browser, "[name=headcount]", "28")
    type_into(browser, "[name=local_economy]", "以茶叶加工和乡村旅游为主。")
    last_year = {"deposits": ("52000", "49600"), "new_customers": ("1200", "1150")}
    last_year["npl"] = ("1.5", "1.4")
    for index, (target, actual) in enumerate(last_year.values()):
        type_into(browser, f"[name=results-{index}-last_target]", target)
        type_into(browser, f"[name=results-{index}-last_actual]", actual)
    # "Add a row" puts the focus in the new row's first field.
    tab_to(browser, "[data-formset-add=competitors]")
    press(browser, Keys.ENTER)
    press(browser, "县农商行")
    tab_to(browser, "[name=competitors-0-type]")
    press(browser, Keys.ARROW_DOWN)
    type_into(browser, "[name=competitors-0-share]", "38")
    type_into(browser, "[name=competitors-0-strengths]", "网点深入乡村")
    save = tab_to(browser, "button[name=then][value=stay]")
    press(browser, Keys.SPACE)
    WebDriverWait(browser, 10).until(staleness_of(save))  # the saved page comes back

    content = Background.objects.get(plan=plan)
    assert (content.location, content.headcount) == ("城关镇解放路 8 号", 28)
    assert content.branch_type == BranchType.values[0]
    results = {r.kpi.code: (r.last_target, r.last_actual) for r in content.results.all()}
    assert results == {code: tuple(map(Decimal, pair)) for code, pair in last_year.items()}
    competitor = content.competitors.get()
    assert (competitor.name, competitor.type, competitor.share, competitor.strengths) == (
        "县农商行",
        CompetitorType.values[0],
        Decimal(38),
        "网点深入乡村",
    )
    # the section is complete: nothing in it blocks the plan
    assert not [f for f in check_plan(plan) if f.section == "background" and f.blocks]
