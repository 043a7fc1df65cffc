"""What the plan check costs: on the demo's complete plan, and on the largest plan the
forms accept (every table at MAX_ROWS, every section at its text budget).

Run: DEBUG=1 .venv/bin/python benchmarks/plan_check.py [--repeat N]

Prints the median of ``--repeat`` runs of each step a page showing a draft takes
(``load_plan``; the snapshot and its reading as a document; the rules) and the page that
answers a section page after each background save (``plans:findings``), with its queries.
"""

import argparse
import statistics
import time

import throwaway  # sets Django up: before the imports below

# isort: split
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bankplan.documents.reader import read
from bankplan.documents.snapshot import snapshot_of
from bankplan.organisation.models import User
from bankplan.plancheck.config import options_for
from bankplan.plancheck.engine import check
from bankplan.plans.models import Plan
from bankplan.plans.progress import load_plan
from tests.plans.worst_case import fill_plan


def median_ms(step, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), result


def measure(title: str, plan: Plan, repeat: int) -> None:
    print(title)
    loading, loaded = median_ms(lambda: load_plan(plan), repeat)
    reading, document = median_ms(lambda: read(snapshot_of(loaded), language="zh-hans"), repeat)
    options = options_for(plan.cycle)
    with translation.override("zh-hans"):
        checking, findings = median_ms(lambda: check(document, **options), repeat)
    print(f"  load_plan                 {loading:8.1f} ms")
    print(f"  snapshot + document       {reading:8.1f} ms")
    print(f"  rules ({len(findings):3d} findings)      {checking:8.1f} ms")

    client = Client()
    client.force_login(User.objects.get(username="manager"))
    url = reverse("plans:findings", args=[plan.pk, "swot"])
    reset_queries()  # a request empties the log: count from an empty one
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    answering, response = median_ms(lambda: client.get(url), repeat)
    assert response.status_code == 200
    print(f"  findings page (GET)       {answering:8.1f} ms  {len(queries)} queries")


def main(options) -> None:
    throwaway.load_demo()
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    measure(f"The demo's complete plan, median of {options.repeat}:", plan, options.repeat)
    counts = fill_plan(plan)
    rows = sum(counts.values())
    title = f"Every table at its limit ({rows} rows in all), median of {options.repeat}:"
    measure(title, plan, options.repeat)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    main(parser.parse_args())
