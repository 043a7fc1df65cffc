"""Remind branches that have not submitted as a cycle's deadline nears. Run daily from a
scheduler (cron); a branch is reminded each day until its plan is submitted."""

import datetime

from django.core.management import BaseCommand
from django.utils import timezone

from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Plan, Status
from bankplan.reviews import notifications


class Command(BaseCommand):
    help = "Mail the managers of branches whose plan is not submitted and is due soon."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="remind this many days ahead")

    def handle(self, *args, days, **options):
        today = timezone.localdate()
        cycles = Cycle.objects.filter(
            deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days)
        )
        sent = 0
        for cycle in cycles:
            plans = {
                plan.branch_id: plan
                for plan in Plan.objects.filter(cycle=cycle).select_related("cycle")
            }
            for branch in Unit.objects.filter(kind=Unit.Kind.BRANCH):
                plan = plans.get(branch.pk)
                if plan is None or plan.status in {Status.DRAFT, Status.RETURNED}:
                    sent += notifications.deadline_reminder(cycle, branch, plan)
        if options["verbosity"]:
            self.stdout.write(f"{sent} reminder(s) sent.")
