"""Rolling a plan forward: a branch's plan started from its approved plan of an earlier
cycle (head office's runs do it for many branches: ``runs.py``). Views call these;
nothing here trusts the caller's checks."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bankplan.audit import record
from bankplan.organisation.models import Unit
from bankplan.organisation.scope import scope_of
from bankplan.plans.access import branches_managed_by
from bankplan.plans.models import Cycle, Plan, Status
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.registry import SECTIONS

from .carry import Carrier
from .models import RolledPlan


class AlreadyStarted(Exception):
    """The branch has a plan in the cycle already (a double click, or a colleague)."""

    def __init__(self, plan: Plan):
        super().__init__(plan)
        self.plan = plan


class NothingToRoll(Exception):
    """The branch has no approved plan in an earlier cycle."""


def approved_before(cycle: Cycle) -> Q:
    """Plans approved in a cycle before ``cycle``: what a plan of it may start from."""
    return Q(status=Status.APPROVED, cycle__year__lt=cycle.year)


def previous_plan(*, cycle: Cycle, branch: Unit) -> Plan | None:
    """The branch's approved plan of the latest cycle before ``cycle``, if any."""
    plans = Plan.objects.filter(approved_before(cycle), branch=branch).select_related("cycle")
    return plans.order_by("-cycle__year").first()


def may_roll_forward(user, branch: Unit) -> bool:
    """The branch's manager starts its plan; head office may start any branch's."""
    return branch.pk in branches_managed_by(user) or scope_of(user).whole_bank


@transaction.atomic
def roll_forward_plan(*, cycle: Cycle, branch: Unit, by) -> Plan:
    """Start the branch's plan in ``cycle`` from its approved plan of the latest earlier
    cycle: every section's narrative and rows, the links between rows pointing at the
    new rows, KPIs taken by code from the new catalogue, last year's targets as the
    baseline (``Table.roll_forward``), and what no longer fits listed on a RolledPlan.
    Versions, comments, history, allocations, revision counters and the review state
    belong to the old cycle: the new plan is a draft with none. The old plan is only
    read. Raises PermissionDenied, NothingToRoll, or AlreadyStarted (nothing written)."""
    if not may_roll_forward(by, branch):
        raise PermissionDenied(_("Only the branch manager starts the branch's plan."))
    if not cycle.is_open:
        raise PermissionDenied(_("This planning cycle is not open for plans."))
    # The live rows, not the approved version's snapshot: an approved plan cannot be
    # edited (plans.access), so its rows are what its last version froze, and they carry
    # the ids its links use. Locked so that head office cannot reopen it meanwhile.
    source = (
        Plan.objects.select_for_update(of=("self",))
        .filter(approved_before(cycle), branch=branch)
        .order_by("-cycle__year")
        .first()
    )
    if source is None:
        raise NothingToRoll
    try:
        with transaction.atomic():
            plan = Plan.objects.create(cycle=cycle, branch=branch, created_by=by)
    except IntegrityError:
        raise AlreadyStarted(Plan.objects.get(cycle=cycle, branch=branch)) from None
    source = load_plan(source)
    carrier = Carrier(source, plan)
    carrier.carry()
    RolledPlan.objects.create(
        plan=plan, source=source, dropped=[item.as_data() for item in carrier.dropped]
    )
    _record(plan, source, by)
    return plan


def _record(plan: Plan, source: Plan, by) -> None:
    """One audit entry per section written, from nothing to what was carried over."""
    carried = load_plan(plan)
    detail = _("Carried over from the approved plan of “%(cycle)s”.") % {"cycle": source.cycle.name}
    for section in SECTIONS:
        after = section.snapshot(section.content_of(carried))
        # (Made after: a content made for the plan becomes the plan's cached content.)
        blank = section.model(plan=carried)
        empty = section.snapshot(blank, {table.name: [] for table in section.tables})
        record.section_carried(
            plan=carried, section=section, by=by, before=empty, after=after, detail=detail
        )


def dismiss_notice(*, plan: Plan) -> None:
    RolledPlan.objects.filter(plan=plan, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now()
    )
