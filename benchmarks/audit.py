"""What the audit log costs: a section save with and without its entry, side by side, and
head office's log pages and CSV over a large log.

Run: DEBUG=1 .venv/bin/python benchmarks/audit.py [ENTRIES] [ROUNDS]
Uses a throw-away SQLite database with the demo bank (or BENCH_DATABASE_URL, e.g. an empty
PostgreSQL database). ENTRIES (default 200,000) entries are added to the log, spread over
the demo's branches, actions and the last year, before the pages are timed. Prints the
median server time and the queries of each request.
"""

import datetime
import random
import statistics
import sys
import time
from unittest import mock

import throwaway  # sets Django up: before the imports below

# isort: split
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bankplan.audit import record
from bankplan.audit.models import Action, Event
from bankplan.organisation.models import Unit, User
from bankplan.plans.models import Plan
from bankplan.plans.sections.base import Section
from tests.htmlform import form_data


def timed(client, method, url, data=None, rounds=5):
    times, queries = [], 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = getattr(client, method)(url, data or {})
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - start)
        assert response.status_code in (200, 302), (url, response.status_code)
        queries = len(captured)
    return statistics.median(times), queries


def saves(client, plan, rounds: int) -> dict:
    """The SWOT section saved ``rounds`` times with and without its audit entry, the
    two alternating so the machine's load falls on both alike."""
    url = reverse("plans:section", args=[plan.pk, "swot"])
    results = {"with the audit entry": [], "without": []}
    queries = {}
    for i in range(rounds):
        for label in results:
            data = form_data(client.get(url)) | {"summary": f"网点优势明显，线上渠道偏弱（{i}）"}
            patches = []
            if label == "without":
                # No entry, no snapshots; the save still reads the section once more
                # than it did before the log (one query, noted in the output).
                patches = [
                    mock.patch.object(record, "section_saved"),
                    mock.patch.object(record, "read_section", side_effect=_plain_read),
                    mock.patch.object(Section, "snapshot", return_value={}),
                ]
            for patch in patches:
                patch.start()
            try:
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.post(url, data)
                    results[label].append(time.perf_counter() - start)
            finally:
                for patch in patches:
                    patch.stop()
            assert response.status_code == 302
            queries[label] = len(captured)
    return {label: (statistics.median(times), queries[label]) for label, times in results.items()}


def _plain_read(section, plan, *, for_update=False):
    """The save's own read of the section, as it was before the audit log."""
    contents = section.model.objects.select_for_update() if for_update else section.model.objects
    return contents.get(plan=plan)


def fill(entries: int) -> None:
    codes = list(Unit.objects.filter(kind=Unit.Kind.BRANCH).values_list("code", flat=True))
    plans = dict(Plan.objects.values_list("branch__code", "pk"))
    users = list(User.objects.all())
    actions = [Action.SECTION_SAVED] * 6 + [Action.DOWNLOADED, Action.COMMENTED, Action.SUBMITTED]
    now = timezone.now()
    rng = random.Random(7)
    batch = []
    for _ in range(entries):
        code = rng.choice(codes)
        user = rng.choice(users)
        at = now - datetime.timedelta(minutes=rng.randrange(365 * 24 * 60))
        action = rng.choice(actions)
        batch.append(
            Event(
                at=at,
                until=at,
                actor=user,
                actor_name=str(user),
                action=action,
                plan_id=plans.get(code),
                unit_code=code,
                subject=f"2027 · {code}",
                section="swot" if action == Action.SECTION_SAVED else "",
                changes={"fields": 1, "added": 0, "removed": 0, "changed": 2},
            )
        )
        if len(batch) == 5000:
            Event.objects.bulk_create(batch)
            batch = []
    Event.objects.bulk_create(batch)


def main(entries: int, rounds: int) -> None:
    throwaway.load_demo()
    manager, admin = Client(), Client()
    manager.force_login(User.objects.get(username="manager"))
    admin.force_login(User.objects.get(username="admin"))
    plan = Plan.objects.get(branch__memberships__user__username="manager")

    print(f"A SWOT save, median of {rounds} ({connection.vendor}):")
    for label, (median, queries) in saves(manager, plan, rounds).items():
        print(f"  {label:22} {median * 1000:7.1f} ms  {queries} queries")
    print("  (without: the entry's reads of the section before and after, its lookup and write)")

    fill(entries)
    region = Unit.objects.filter(kind=Unit.Kind.REGION).values_list("code", flat=True).first()
    middle = Event.objects.order_by("pk").values_list("pk", flat=True)[entries // 2]
    month_ago = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    log, csv = reverse("audit:log"), reverse("audit:log_csv")
    pages = [
        ("log, first page", log, {}),
        ("log, a page half-way down", log, {"after": str(middle)}),
        ("log, one region", log, {"unit": region}),
        ("log, comments", log, {"action": "commented"}),
        ("log, last 30 days", log, {"start": month_ago}),
        ("log, one person", log, {"who": "王"}),
        ("a plan's history", reverse("audit:plan_history", args=[plan.pk]), {}),
        ("CSV, one region, 30 days", csv, {"unit": region, "start": month_ago}),
    ]
    print(f"Head office's pages over {Event.objects.count():,} entries, median of 5:")
    for label, url, query in pages:
        median, queries = timed(admin, "get", url, query)
        print(f"  {label:28} {median * 1000:8.1f} ms  {queries} queries")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 9,
    )
