"""How long a PDF pack takes when no plan has a stored PDF, with one packs worker and with
two: every plan is rendered, one task per plan, and the workers share them.

Run: DEBUG=1 BENCH_DATABASE_URL=postgres://... .venv/bin/python benchmarks/packs.py [PLANS] [RUNS]
(default 100 plans, 3 runs; a plan takes about 1.5 s to render, so this takes minutes).
Prints the median time of the pack with 1 and 2 workers side by side. ``time_pack`` is
for other scripts (benchmarks/scale.py). Uses a throw-away database with the demo bank,
and real `db_worker` processes serving the packs queue.
"""

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import throwaway  # sets Django up: before the imports below

# isort: split
from django.utils import timezone

from bankplan.headoffice.models import Pack
from bankplan.headoffice.packs import QUEUE, request_pack
from bankplan.operations.models import WorkerHeartbeat
from bankplan.organisation.models import Role, Unit, User
from bankplan.plans.models import Cycle, Plan, Status
from bankplan.reviews import services
from bankplan.reviews.models import Version, VersionPdf

ROOT = Path(__file__).resolve().parent.parent


def _planner() -> User:
    return User.objects.filter(memberships__role=Role.HEAD_OFFICE_PLANNER).first()


def _cycle() -> Cycle:
    return Cycle.objects.order_by("-year").first()


def _source_snapshot() -> dict:
    """What every benchmark plan shows: the demo's complete plan as submitted, or in
    another bank the latest version there is."""
    plan = Plan.objects.filter(branch__memberships__user__username="manager").first()
    if plan and not plan.versions.exists():
        services.submit_plan(plan_id=plan.pk, by=User.objects.get(username="manager"))
    versions = plan.versions if plan else Version.objects.all()
    return versions.order_by("-pk").first().snapshot


def _region(plans: int) -> Unit:
    """A region of its own with ``plans`` branches, each with an approved plan whose
    version is the demo plan under the branch's name; made on first use."""
    code = f"BENCH{plans}"
    region = Unit.objects.filter(code=code).first()
    if region:
        return region
    head = Unit.objects.get(kind=Unit.Kind.HEAD_OFFICE)
    region = Unit.objects.create(
        code=code, name=f"基准分行{plans}", kind=Unit.Kind.REGION, parent=head
    )
    branches = Unit.objects.bulk_create(
        Unit(
            code=f"{code}-{number:05d}",
            name=f"基准第{number}支行",
            kind=Unit.Kind.BRANCH,
            parent=region,
            region=region,
        )
        for number in range(1, plans + 1)
    )
    cycle, planner, snapshot = _cycle(), _planner(), _source_snapshot()
    made = Plan.objects.bulk_create(
        Plan(cycle=cycle, branch=branch, status=Status.APPROVED, created_by=planner)
        for branch in branches
    )
    now = timezone.now()
    Version.objects.bulk_create(
        Version(
            plan=plan,
            number=1,
            snapshot={
                **snapshot,
                "plan": {
                    **snapshot["plan"],
                    "region": region.name,
                    "branch": branch.name,
                    "branch_code": branch.code,
                },
            },
            submitted_by=planner,
            approved_by=planner,
            approved_at=now,
        )
        for plan, branch in zip(made, branches, strict=True)
    )
    return region


def _forget_pdfs(region: Unit) -> None:
    """No stored PDF: the pack renders every plan."""
    for pdf in VersionPdf.objects.filter(version__plan__branch__region=region):
        pdf.file.delete(save=False)
        pdf.delete()


def _start_workers(count: int) -> list[subprocess.Popen]:
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                *("--queue-name", QUEUE),
                *("--interval", "0.2"),
                "--no-startup-delay",
            ],
            cwd=ROOT,
            # The throw-away database and media folder; one render process, as in the
            # Procfile: a worker runs one task at a time.
            env={**os.environ, "PDF_WORKERS": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    pids = [worker.pid for worker in workers]
    deadline = time.monotonic() + 60
    while WorkerHeartbeat.objects.filter(pid__in=pids).count() < count:
        if time.monotonic() > deadline:
            _stop(workers)
            raise RuntimeError("the workers did not report in within 60 s")
        time.sleep(0.2)
    return workers


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(60)


def time_pack(plans: int, workers: int) -> float:
    """Seconds from the request of a ZIP of ``plans`` plans, none with a stored PDF, to
    the pack being ready, with ``workers`` worker processes serving the packs queue
    (started, and reported in, before the clock starts)."""
    region = _region(plans)
    _forget_pdfs(region)
    running = _start_workers(workers)
    try:
        start = time.perf_counter()
        pack = request_pack(
            user=_planner(),
            cycle=_cycle(),
            unit=region,
            status=Status.APPROVED,
            format=Pack.Format.ZIP,
        )
        while pack.state == Pack.State.RUNNING:
            time.sleep(0.2)
            pack.refresh_from_db(fields=["state", "done"])
        elapsed = time.perf_counter() - start
    finally:
        _stop(running)
    if pack.state != Pack.State.READY or pack.items.exclude(state="ready").exists():
        raise RuntimeError(f"pack {pack.pk} did not build cleanly: {pack.state}")
    return elapsed


def main(plans: int, runs: int) -> None:
    throwaway.load_demo()
    print(f"a {plans}-plan ZIP, no stored PDFs, median of {runs} runs, {os.cpu_count()} CPUs")
    print("workers   seconds   plans/s   speed-up")
    base = None
    for workers in (1, 2):
        seconds = statistics.median(time_pack(plans, workers) for _ in range(runs))
        base = base or seconds
        print(f"{workers:7d}   {seconds:7.1f}   {plans / seconds:7.2f}   {base / seconds:7.2f}x")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
