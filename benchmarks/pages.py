"""Median server time of the authoring pages for the demo complete plan.

Run: DEBUG=1 .venv/bin/python benchmarks/pages.py [N]
Uses a throw-away SQLite database with the demo bank; prints medians in milliseconds and
the number of queries per page.
"""

import statistics
import sys
import time

import throwaway  # sets Django up: before the imports below

# isort: split
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bankplan.organisation.models import User
from bankplan.plans.models import Plan
from bankplan.plans.sections.registry import SECTIONS


def main(runs: int) -> None:
    throwaway.load_demo()
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    pages = {"overview": f"/plans/{plan.pk}/", "plan list": "/plans/"}
    pages |= {f"section {s.key}": f"/plans/{plan.pk}/sections/{s.key}/" for s in SECTIONS}
    print(f"{'page':<26}{'median ms':>10}{'queries':>9}  ({runs} runs)")
    for name, url in pages.items():
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{name:<26}{statistics.median(timings) * 1000:>10.1f}{len(queries):>9}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
