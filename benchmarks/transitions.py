"""How long submitting, returning, approving and reopening take, as the user waits.

Run: DEBUG=1 .venv/bin/python benchmarks/transitions.py [N]
Uses a throw-away SQLite database with the demo bank (or the one BENCH_DATABASE_URL names,
e.g. an empty PostgreSQL one); tasks are only enqueued, as in production, where a worker
makes the version PDFs afterwards. Prints the median server time and query count of
each POST, over N rounds of submit, return, submit, approve, reopen.
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


def main(runs: int) -> None:
    throwaway.load_demo()
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    clients = {}
    for name in ("manager", "reviewer", "admin"):
        clients[name] = Client()
        clients[name].force_login(User.objects.get(username=name))
    steps = [
        ("submit", "manager", "submit", {"status": "draft"}),
        ("return", "reviewer", "return", {"status": "submitted", "reason": "请细化渠道安排"}),
        ("resubmit", "manager", "submit", {"status": "returned"}),
        ("approve", "reviewer", "approve", {"status": "submitted"}),
        ("reopen", "admin", "reopen", {"status": "approved", "reason": "年中调整目标"}),
    ]
    timings = {name: [] for name, *_ in steps}
    queries = {}
    for _ in range(runs):
        for name, who, action, data in steps:
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = clients[who].post(f"/plans/{plan.pk}/{action}/", data)
                timings[name].append(time.perf_counter() - start)
            assert response.status_code == 302, (name, response.status_code)
            queries[name] = len(captured)
    print(
        f"{'transition':<12}{'median ms':>10}{'queries':>9}  ({runs} rounds, {connection.vendor})"
    )
    for name, values in timings.items():
        print(f"{name:<12}{statistics.median(values) * 1000:>10.1f}{queries[name]:>9}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
