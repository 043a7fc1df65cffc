"""Head office's roll forward of a region or the whole bank, in the background.

Requesting a run records it and enqueues ``roll_forward_run`` once the request commits.
The task walks the run's branches in code order. Each branch is rolled in a transaction
of its own, with the row saying what became of it: a branch that fails is reported and
the run goes on, and a run started again (a worker killed) takes up where it stopped.
A branch with a plan in the cycle is skipped, so running again is safe.

The run goes on the packs queue, served by workers of their own (``headoffice.packs``): a
bank-wide run never delays the PDF of a plan just submitted.
"""

import logging
from itertools import batched

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from bankplan.audit import record
from bankplan.headoffice.packs import QUEUE
from bankplan.headoffice.rollup import within
from bankplan.organisation.models import Unit
from bankplan.organisation.scope import scope_of
from bankplan.plans.models import Cycle, Plan

from .models import Run, RunBranch
from .services import AlreadyStarted, NothingToRoll, approved_before, roll_forward_plan

logger = logging.getLogger(__name__)

# Branches read at a time: a bank has up to 20,000.
BATCH = 500


def waiting(cycle: Cycle) -> Q:
    """Branches with an approved plan in an earlier cycle and no plan yet in ``cycle``."""
    plans = Plan.objects.filter(branch=OuterRef("pk"))
    return Q(
        Exists(plans.filter(approved_before(cycle))),
        ~Exists(plans.filter(cycle=cycle)),
        kind=Unit.Kind.BRANCH,
    )


def request_run(*, cycle: Cycle, unit: Unit | None, by) -> Run:
    """Roll forward every waiting branch of ``unit`` (None: the whole bank) in the
    background, the plans made by ``by``; head office alone."""
    if not scope_of(by).whole_bank:
        raise PermissionDenied
    if not cycle.is_open:
        raise PermissionDenied(_("This planning cycle is not open for plans."))
    if unit is not None and unit.kind == Unit.Kind.HEAD_OFFICE:
        unit = None
    with transaction.atomic():
        total = Unit.objects.filter(within(unit), kind=Unit.Kind.BRANCH).count()
        run = Run.objects.create(cycle=cycle, unit=unit, requested_by=by, total=total)
        record.event(
            record.Action.CYCLE_CHANGED,
            by=by,
            subject=str(cycle),
            unit_code=unit.code if unit else "",
            detail=_("Plans rolled forward from the last approved ones: %(unit)s")
            % {"unit": unit.name if unit else _("whole bank")},
        )
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    # The queue is named here, not in @task: a backend without the packs queue (the
    # tests') must still be able to import this module.
    roll_forward_run.using(queue_name=QUEUE).enqueue(run_id)


def resume_stale(requested_before) -> int:
    """Enqueue again the runs requested before ``requested_before`` and still running: a
    worker killed mid-run leaves its run running for ever. The task takes up the branches
    the run has no outcome for yet. How many were enqueued."""
    stale = list(
        Run.objects.filter(state=Run.State.RUNNING, requested_at__lt=requested_before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for run_id in stale:
        _enqueue(run_id)
    return len(stale)


@task()
def roll_forward_run(run_id: int) -> str:
    run = Run.objects.select_related("cycle", "unit", "requested_by").get(pk=run_id)
    if run.state != Run.State.RUNNING:
        return "nothing to do"
    try:
        branches = (
            Unit.objects.filter(within(run.unit), kind=Unit.Kind.BRANCH)
            .exclude(pk__in=RunBranch.objects.filter(run=run).values("branch"))
            .order_by("code")
        )
        for batch in batched(branches.iterator(chunk_size=BATCH), BATCH):
            _roll_batch(run, batch)
    except Exception as error:
        logger.exception("Roll-forward run %s failed", run.pk)
        Run.objects.filter(pk=run.pk).update(
            state=Run.State.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    Run.objects.filter(pk=run.pk).update(state=Run.State.DONE, finished_at=timezone.now())
    return "done"


def _roll_batch(run: Run, batch: tuple[Unit, ...]) -> None:
    """Skip, in one insert, the branches with a plan or nothing to roll; roll the others
    one by one."""
    ids = [branch.pk for branch in batch]
    plans = Plan.objects.filter(branch__in=ids)
    started = set(plans.filter(cycle=run.cycle).values_list("branch", flat=True))
    rollable = set(plans.filter(approved_before(run.cycle)).values_list("branch", flat=True))
    skipped = [
        RunBranch(
            run=run,
            branch=branch,
            outcome=RunBranch.Outcome.SKIPPED,
            reason=RunBranch.Reason.STARTED if branch.pk in started else RunBranch.Reason.NOTHING,
        )
        for branch in batch
        if branch.pk in started or branch.pk not in rollable
    ]
    RunBranch.objects.bulk_create(skipped)
    for branch in batch:
        if branch.pk not in started and branch.pk in rollable:
            _roll_branch(run, branch)


def _roll_branch(run: Run, branch: Unit) -> None:
    try:
        with transaction.atomic():
            plan = roll_forward_plan(cycle=run.cycle, branch=branch, by=run.requested_by)
            RunBranch.objects.create(
                run=run, branch=branch, outcome=RunBranch.Outcome.CREATED, plan=plan
            )
    except (AlreadyStarted, NothingToRoll) as skipped:  # a manager was quicker
        reason = RunBranch.Reason.STARTED
        if isinstance(skipped, NothingToRoll):
            reason = RunBranch.Reason.NOTHING
        RunBranch.objects.create(
            run=run, branch=branch, outcome=RunBranch.Outcome.SKIPPED, reason=reason
        )
    except Exception as error:  # one branch's failure is reported, never stops the run
        logger.exception("Rolling forward %s in run %s failed", branch.code, run.pk)
        RunBranch.objects.create(
            run=run,
            branch=branch,
            outcome=RunBranch.Outcome.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
        )
