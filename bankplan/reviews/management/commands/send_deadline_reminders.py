"""Remind branches that have not submitted as their deadline nears or once it has passed.
Run daily from a scheduler (cron); a branch is reminded each day until its plan is in.
Head office's "remind the late branches" button sends the same reminders."""

from django.core.management import BaseCommand
from django.utils import timezone

from bankplan.headoffice.reminders import REMIND_DAYS, send_reminders
from bankplan.plans.models import Cycle


class Command(BaseCommand):
    help = "Mail the managers of branches whose plan is not submitted and is due soon or late."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=REMIND_DAYS, help="remind this many days ahead"
        )

    def handle(self, *args, days, **options):
        today = timezone.localdate()
        # Closed cycles take no more plans; cycles not open yet have none to remind about.
        cycles = Cycle.objects.filter(closed_at__isnull=True, opens_on__lte=today)
        sent = sum(send_reminders(cycle, days=days, today=today) for cycle in cycles)
        if options["verbosity"]:
            self.stdout.write(f"{sent} reminder(s) sent.")
