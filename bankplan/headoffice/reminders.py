"""Mail to branch managers about their deadline: the reminders to branches whose plan is
not in as their deadline nears or once it has passed (the daily command and the "remind
the late branches" button send the same ones), and the notice of an extension.

Whatever the size of the bank, what the mail needs is read in a fixed number of queries
(the extensions, the managers with their branch and its deadline, the plans) and every
message goes out over one connection to the mail server.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db.models import Exists, OuterRef, QuerySet
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from bankplan.organisation.models import Membership, Role, Unit
from bankplan.organisation.scope import at_or_below
from bankplan.plans.models import Cycle, Plan
from bankplan.reviews import notifications

from .deadlines import HANDED_IN, deadline_expression, due_by, granted
from .models import DeadlineExtension

# How many days ahead of its deadline a branch starts being reminded, daily.
REMIND_DAYS = 7
# ``days`` for the late branches alone: a deadline before today.
LATE_ONLY = -1


def due_branches(
    cycle, extensions, *, by: datetime.date, units: Iterable[int] | None = None
) -> QuerySet:
    """Branches in ``units`` (None: the whole bank) whose plan is not in (not started, a
    draft or returned) and whose deadline falls on or before ``by``."""
    branches = Unit.objects.filter(kind=Unit.Kind.BRANCH).filter(due_by(cycle, extensions, by))
    if units is not None:
        branches = branches.filter(at_or_below(units))
    handed_in = Plan.objects.filter(cycle=cycle, branch=OuterRef("pk"), status__in=HANDED_IN)
    return branches.filter(~Exists(handed_in))


@dataclass
class BranchMail:
    """Who manages a branch, and its deadline."""

    name: str
    deadline: datetime.date
    recipients: list[str] = field(default_factory=list)


def _managers(cycle, extensions, branches: QuerySet) -> dict[int, BranchMail]:
    """Branch id -> its name, deadline and managers' addresses, in one query. Branches
    without a manager who can receive mail are left out."""
    rows = (
        Membership.objects.filter(
            role=Role.BRANCH_MANAGER, unit__in=branches.values("pk"), user__is_active=True
        )
        .exclude(user__email="")
        .annotate(deadline=deadline_expression(cycle, extensions, "unit__"))
        .order_by("unit__code", "user__email")
        .values_list("unit_id", "unit__name", "deadline", "user__email")
    )
    mails: dict[int, BranchMail] = {}
    for branch_id, name, deadline, email in rows:
        mail = mails.setdefault(branch_id, BranchMail(name, deadline))
        if email not in mail.recipients:
            mail.recipients.append(email)
    return mails


def _send_all(messages: list[EmailMessage]) -> int:
    if not messages:
        return 0
    with mailers.default as connection:
        return connection.send_messages(messages) or 0


def send_reminders(cycle, *, units=None, days: int = REMIND_DAYS, today=None) -> int:
    """Remind the managers of every branch in ``units`` (unit ids; None: the whole bank)
    whose plan is not in and whose deadline is at most ``days`` away or has passed.
    Returns the number of messages sent (one per branch)."""
    if cycle.is_closed:
        return 0
    today = today or timezone.localdate()
    extensions = granted(cycle)
    branches = due_branches(
        cycle, extensions, by=today + datetime.timedelta(days=days), units=units
    )
    mails = _managers(cycle, extensions, branches)
    plans = {
        branch_id: (plan_id, status)
        for branch_id, plan_id, status in Plan.objects.filter(
            cycle=cycle, branch__in=branches.values("pk")
        ).values_list("branch_id", "pk", "status")
    }
    messages = []
    for branch_id, mail in mails.items():
        plan_id, status = plans.get(branch_id, (None, ""))
        messages.append(
            notifications.deadline_reminder(
                cycle=cycle,
                branch=mail.name,
                recipients=mail.recipients,
                deadline=mail.deadline,
                status=status,
                plan_id=plan_id,
                today=today,
            )
        )
    return _send_all(messages)


@task()
def remind_late(cycle_id: int, units: list[int] | None = None, days: int = REMIND_DAYS) -> int:
    """The reminders of one cycle, for head office's or a reviewer's button."""
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    return send_reminders(cycle, units=units, days=days) if cycle else 0


@task()
def announce_extension(extension_id: int) -> int:
    """Tell the managers of the branches an extension moves the deadline of; a branch
    that already had a later deadline is left alone."""
    extension = (
        DeadlineExtension.objects.select_related("cycle", "unit").filter(pk=extension_id).first()
    )
    if extension is None:
        return 0
    cycle = extension.cycle
    branches = Unit.objects.filter(kind=Unit.Kind.BRANCH).filter(at_or_below([extension.unit_id]))
    link = settings.SITE_URL + reverse("plans:list")
    return _send_all(
        [
            notifications.message(
                "headoffice/cycle/extension_mail",
                mail.recipients,
                {"cycle": cycle, "branch": mail.name, "extension": extension, "link": link},
            )
            for mail in _managers(cycle, granted(cycle), branches).values()
            if mail.deadline == extension.deadline
        ]
    )
