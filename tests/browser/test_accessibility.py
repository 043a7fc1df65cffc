"""Accessibility of the main pages in a real browser: axe-core finds nothing serious or
critical, every field has an accessible name, and a whole section can be written with
the keyboard alone.

axe-core is read from tests/browser/tools (installed by `make setup`) and injected into
the test browser: the app never serves it.
"""

from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

from bankplan.organisation.models import User
from bankplan.plans.models import Plan
from bankplan.plans.sections.background import Competitor

from .chromium import CHROMEDRIVER
from .pages import AXE, MISSING_TOOLS, section_url

pytestmark = [
    pytest.mark.skipif(
        CHROMEDRIVER is None,
        reason="needs chromium and chromium-driver, which `make setup` installs",
    ),
    pytest.mark.skipif(not AXE.exists(), reason=MISSING_TOOLS),
]

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

# Every field a person can reach: hidden inputs and the rows' <template> do not count.
FIELDS = """
return [...document.querySelectorAll("input, select, textarea")].filter(
  field => field.type !== "hidden" && field.checkVisibility({visibilityProperty: true}));
"""


def sign_in(browser, live_server, username):
    """The browser takes the session of a test client signed in as ``username`` (or
    none): quicker than the log-in form for each page."""
    browser.delete_all_cookies()
    if username is None:
        return
    client = Client()
    client.force_login(User.objects.get(username=username))
    browser.get(live_server.url + reverse("login"))  # a cookie is set on the site's own page
    browser.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        }
    )


def axe_violations(browser) -> list[dict]:
    browser.execute_script(AXE.read_text())
    return browser.execute_async_script(RUN_AXE, TAGS)


def unnamed_fields(browser) -> list[str]:
    """The reachable fields without an accessible name, as the browser computes it."""
    return [
        field.get_attribute("outerHTML")[:120]
        for field in browser.execute_script(FIELDS)
        if not field.accessible_name.strip()
    ]


def test_the_main_pages_are_accessible(browser, live_server, main_pages):
    browser.set_script_timeout(60)
    blocking, report = [], []
    for page in main_pages:
        sign_in(browser, live_server, page.username)
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


def test_a_whole_section_is_written_with_the_keyboard_alone(browser, live_server, main_pages):
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    competitors = set(Competitor.objects.filter(background__plan=plan).values_list("pk", flat=True))
    sign_in(browser, live_server, "manager")
    browser.get(live_server.url + section_url(plan, "background"))

    tab_to(browser, "[name=location]")
    chord(browser, Keys.CONTROL, "a")
    press(browser, "城关镇解放路 8 号")
    tab_to(browser, "[name=local_economy]")
    chord(browser, Keys.CONTROL, Keys.END)
    press(browser, "另：县城新区明年通地铁。")
    # A new competitor: the "add a row" button puts the focus in the new row's first field.
    tab_to(browser, "[data-formset-add=competitors]")
    press(browser, Keys.ENTER)
    press(browser, "县农商行新区网点")
    tab_to(browser, "select[name$=-type]")
    press(browser, Keys.ARROW_DOWN)
    tab_to(browser, "[name$=-share]")
    press(browser, "12.5")
    tab_to(browser, "[name$=-strengths]")
    press(browser, "利率灵活")
    save = tab_to(browser, "button[name=then][value=stay]")
    press(browser, Keys.SPACE)
    WebDriverWait(browser, 10).until(staleness_of(save))  # the saved page comes back

    plan.background.refresh_from_db()
    assert plan.background.location == "城关镇解放路 8 号"
    assert plan.background.local_economy.endswith("另：县城新区明年通地铁。")
    added = Competitor.objects.filter(background__plan=plan).exclude(pk__in=competitors).get()
    assert (added.name, added.share, added.strengths) == (
        "县农商行新区网点",
        Decimal("12.5"),
        "利率灵活",
    )
    assert added.type  # the first type in the list, chosen with the arrow key
