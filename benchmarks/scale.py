"""Head office's pages at the scale of a large bank: 20,000 branches seeded on PostgreSQL
(`manage.py seed_bank`), then for head office and for a regional reviewer the median
server time, query count and size of the dashboard, a drill-down, the branch list, the
review queue, the plan list and the exports, and the time of a 100-plan PDF pack with no
stored PDFs (every plan rendered) with 2 workers against 1; and the API's plan list and
roll-up.

Run: DEBUG=1 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bankplan_scale \\
         .venv/bin/python benchmarks/scale.py [--runs 5] [--explain] [--no-pack | --no-pages]
(DATABASE_URL is taken when BENCH_DATABASE_URL is not set). The database must be a
throw-away one: it is migrated and, if it holds no bank yet, seeded (about 2 minutes);
a bank already there is used as it is. Pages are timed in this process with Django's
test client, as benchmarks/pages.py does; a page that fails or has no URL yet reads n/a.

Targets on the 2-core machine: every page under 300 ms; the branch-targets XLSX of
20,000 rows under 10 s; the pack with 2 workers at least 1.7x faster than with 1.
"""

import argparse
import os
import statistics
import sys
import time
import traceback
from dataclasses import dataclass

# The database named for benchmarks, else the one the app would use; then Django.
os.environ.setdefault("BENCH_DATABASE_URL", os.environ.get("DATABASE_URL", ""))
import throwaway  # noqa: F401  sets Django up: before the imports below

# isort: split
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import NoReverseMatch, reverse

from bankplan.headoffice.seeding import seed_bank
from bankplan.organisation.models import Membership, Role, Unit, User
from bankplan.plans.models import Cycle

PAGE_TARGET = 0.3  # seconds
BRANCH_TARGETS_TARGET = 10.0
PACK_SPEED_UP = 1.7


@dataclass(frozen=True)
class Page:
    name: str
    url: str  # the URL name
    args: tuple = ()
    query: str = ""
    target: float = PAGE_TARGET
    follow: bool = False  # time the redirect and the page it leads to, as a browser would


@dataclass(frozen=True)
class Measured:
    seconds: float
    queries: int
    size: int
    slowest: str  # the SQL of the page's slowest query


def _body(response) -> bytes:
    """The whole response: a streamed export is only made as it is read."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def measure(client: Client, page: Page, runs: int) -> Measured:
    """Median time of ``runs`` requests (after one to warm up) and what one of them asked
    of the database. Raises whatever keeps the page from answering 200."""
    url = reverse(page.url, args=page.args) + (f"?{page.query}" if page.query else "")

    def get():
        response = client.get(url, follow=page.follow)
        body = _body(response)
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
        return body

    get()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        get()
        timings.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        body = get()
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default={"sql": ""})
    return Measured(statistics.median(timings), len(queries), len(body), slowest["sql"])


def pages_for(cycle: Cycle, top: Unit, below: Unit, region: Unit) -> list[Page]:
    """What a user overseeing ``top`` opens: the dashboard (which leads to ``top``), a
    drill-down into ``below``, the branch list of ``region``, the queue, the plan list and
    the exports of ``top``."""
    some_name = region.children.filter(kind=Unit.Kind.BRANCH).values_list("name", flat=True)
    search = (some_name.first() or "支行")[:2]
    pages = [
        Page("dashboard", "headoffice:dashboard", query=f"cycle={cycle.pk}", follow=True),
        Page("drill-down", "headoffice:unit", (cycle.pk, below.pk)),
        Page("branch list", "headoffice:branches", (cycle.pk, region.pk)),
        Page("branch search", "headoffice:branches", (cycle.pk, region.pk), f"q={search}"),
        Page("branches submitted", "headoffice:branches", (cycle.pk, region.pk), "state=submitted"),
        Page("review queue", "reviews:queue"),
        Page("plan list", "plans:list"),
        # The read-only API as a BI system reads it: a page of 500 plans, the roll-up.
        Page("API plans (500)", "api:plans", query=f"cycle={cycle.pk}&page_size=500"),
        Page("API roll-up", "api:rollup", (cycle.pk, top.pk)),
    ]
    for table in ("progress", "kpis"):
        for fmt in ("csv", "xlsx"):
            args = (cycle.pk, top.pk, table, fmt)
            pages.append(Page(f"{table} .{fmt}", "headoffice:export_table", args))
    pages.append(
        Page(
            "branch targets .xlsx",
            "headoffice:branch_targets",
            (cycle.pk,),
            "",
            BRANCH_TARGETS_TARGET,
        )
    )
    return pages


def print_pages(title: str, user: User, pages: list[Page], runs: int, explain: bool) -> None:
    client = Client()
    client.force_login(user)
    print(f"\n{title} ({user.username}), median of {runs} runs")
    print(f"{'page':<22}{'ms':>9}{'queries':>9}{'KB':>9}  target")
    for page in pages:
        try:
            measured = measure(client, page, runs)
        except NoReverseMatch:
            print(f"{page.name:<22}{'n/a':>9}  (no URL named {page.url} yet)")
            continue
        except Exception as error:  # a page being written may fail: say so and go on
            where = traceback.extract_tb(error.__traceback__)[-1]
            print(f"{page.name:<22}{'n/a':>9}  ({type(error).__name__}: {error} at {where.name})")
            continue
        verdict = "ok" if measured.seconds <= page.target else "SLOW"
        print(
            f"{page.name:<22}{measured.seconds * 1000:>9.0f}{measured.queries:>9}"
            f"{measured.size / 1024:>9.0f}  {verdict} (< {page.target * 1000:.0f} ms)"
        )
        if explain and measured.slowest and connection.vendor == "postgresql":
            print_plan(measured.slowest)


def print_plan(sql: str) -> None:
    """How PostgreSQL runs a query, with what it read."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        lines = [row[0] for row in cursor.fetchall()]
    print("    " + sql[:300].replace("\n", " ") + ("…" if len(sql) > 300 else ""))
    print("\n".join(f"      {line}" for line in lines))


def print_pack(plans: int) -> None:
    """A ZIP of ``plans`` approved plans with no stored PDF, with 1 and then 2 workers."""
    print(f"\nPDF pack of {plans} plans, no stored PDFs (every plan rendered)")
    try:
        from packs import time_pack  # benchmarks/packs.py
    except ImportError as error:
        print(f"  n/a ({error})")
        return
    seconds = {}
    for workers in (1, 2):
        try:
            seconds[workers] = time_pack(plans, workers)
        except Exception as error:
            print(f"  {workers} worker(s): n/a ({type(error).__name__}: {error})")
            return
        print(f"  {workers} worker(s): {seconds[workers]:7.1f} s")
    speed_up = seconds[1] / seconds[2]
    verdict = "ok" if speed_up >= PACK_SPEED_UP else "SLOW"
    print(f"  speed-up: {speed_up:.2f}x  {verdict} (>= {PACK_SPEED_UP}x)")


def bank(branches: int, regions: int) -> None:
    """The bank to measure: the one in the database, or a new one seeded there."""
    setup_test_environment()  # the test client's responses carry their context
    call_command("migrate", verbosity=0)
    have = Unit.objects.filter(kind=Unit.Kind.BRANCH).count()
    if have:
        print(f"The database holds a bank of {have} branches: measuring it as it is.")
        return
    print(f"Seeding {branches} branches over {regions} regions …", flush=True)
    report = seed_bank(regions=regions, branches=branches)
    print(f"seeded in {report.seconds:.1f} s: " + ", ".join(report.lines()[:-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branches", type=int, default=20000)
    parser.add_argument("--regions", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pack-plans", type=int, default=100)
    parser.add_argument("--no-pages", action="store_true", help="time the PDF pack alone")
    parser.add_argument("--no-pack", action="store_true", help="skip the PDF pack (minutes)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN each page's slowest query")
    options = parser.parse_args()
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}, {os.cpu_count()} CPUs"
    )
    bank(options.branches, options.regions)
    cycle = Cycle.objects.order_by("-year").first()
    head = Unit.objects.get(kind=Unit.Kind.HEAD_OFFICE)
    # The reviewer of the largest region with second-tier branches (or of the largest).
    regions = Unit.objects.filter(kind=Unit.Kind.REGION).annotate(
        branches=Count("children"),
        tiers=Count("children", filter=Q(children__kind=Unit.Kind.SUB_BRANCH)),
    )
    region = regions.order_by("-tiers", "-branches").first()
    below = region.children.filter(kind=Unit.Kind.SUB_BRANCH).first() or region
    planner = User.objects.filter(memberships__role=Role.HEAD_OFFICE_PLANNER).first()
    reviewer = Membership.objects.get(unit=region, role=Role.REGIONAL_REVIEWER).user
    print(f"cycle {cycle.year}; the reviewer oversees {region.name} ({region.code}), ", end="")
    print(f"with {region.branches} units right below it; drill-down into {below.name}")
    if not options.no_pages:
        print_pages("Head office", planner, pages_for(cycle, head, region, region),
                    options.runs, options.explain)  # fmt: skip
        print_pages("Regional reviewer", reviewer, pages_for(cycle, region, below, region),
                    options.runs, options.explain)  # fmt: skip
    if not options.no_pack:
        print_pack(options.pack_plans)


if __name__ == "__main__":
    sys.exit(main())
