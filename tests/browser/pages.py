"""The app's main pages with realistic content, for the checkers that look at every page:
axe-core in the browser (test_accessibility) and the Nu Html Checker on what the server
sends (test_valid_html).

The demo bank's fixture gives the manager a complete draft (rows in every table: the
section pages, the overview, the submit page). A second branch's plan, copied from it as
``load_demo`` does, goes through a review with comments: submitted, returned, revised and
submitted again, so its reviewer has a queue, a version with comments and changes since
the first, and two versions to compare. Head office's dashboard gets the demo's targets.
"""

import dataclasses
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from bankplan.organisation.models import Role, User
from bankplan.plans import demo
from bankplan.plans.models import Cycle, Plan
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.registry import SECTIONS
from bankplan.reviews import services

TOOLS = Path(__file__).parent / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
MISSING_TOOLS = "needs the npm packages of tests/browser/tools, which `make setup` installs"

# The branch whose plan is reviewed (one of the demo's, under the region of `reviewer`).
REVIEWED = "R01-05"


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    username: str | None  # who looks at it; None: nobody signed in
    path: str


def build_pages() -> list[Page]:
    """The demo bank and its pages (the caller stands in for the versions' PDFs)."""
    call_command("loaddata", "demo", verbosity=0)
    for user in User.objects.all():  # the browser signs in with the tests' password
        user.set_password("pw")
        user.save(update_fields=["password"])
    draft = Plan.objects.get(branch__memberships__user__username="manager")
    reviewed = reviewed_plan()
    section_pages = [
        Page(f"step {section.number}: {section.key}", "manager", section_url(draft, section.key))
        for section in SECTIONS
    ]
    return [
        Page("log-in", None, reverse("login")),
        Page("plan list", "manager", reverse("plans:list")),
        Page("dashboard", "admin", reverse("headoffice:dashboard")),
        Page("PDF packs", "admin", reverse("headoffice:packs")),
        *section_pages,
        Page("overview", "manager", reverse("plans:overview", args=[draft.pk])),
        Page("submit", "manager", reverse("reviews:submit", args=[draft.pk])),
        Page("version (review)", "reviewer", reverse("reviews:version", args=[reviewed.pk, 2])),
        Page("compare", "reviewer", reverse("reviews:compare", args=[reviewed.pk])),
        Page("queue", "reviewer", reverse("reviews:queue")),
    ]


def section_url(plan: Plan, key: str) -> str:
    return reverse("plans:section", args=[plan.pk, key])


def reviewed_plan() -> Plan:
    """The demo's copy of the full plan for REVIEWED, commented on in both its versions,
    waiting for its second review; and head office's targets for every unit."""
    cycle = Cycle.objects.get()
    source = load_plan(Plan.objects.get(cycle=cycle, branch__code=demo.SOURCE))
    reference = demo.Figures.of(source)
    story = next(d for d in demo.BRANCHES if d.code == REVIEWED)
    plan = demo.build_plan(
        dataclasses.replace(story, story=(demo.SUBMIT,)), cycle, source, reference
    )
    reviewer = User.objects.get(username="reviewer")
    manager = demo.member(plan.branch, Role.BRANCH_MANAGER)
    services.add_comment(plan=plan, by=reviewer, body="优势写得太笼统，请量化。", section="swot")
    services.return_plan(plan_id=plan.pk, by=reviewer, reason=story.reason)
    demo.revise(plan)
    services.submit_plan(plan_id=plan.pk, by=manager)
    version = plan.versions.last()
    row = "items:" + version.snapshot["sections"]["swot"]["tables"]["items"][0]["key"]
    services.add_comment(plan=plan, by=reviewer, body="一季度的增量从哪里来？", section="products")
    services.add_comment(plan=plan, by=reviewer, body="这一条请量化", section="swot", row_key=row)
    demo.allocate(cycle, reference, by=User.objects.get(username="admin"))
    return plan
