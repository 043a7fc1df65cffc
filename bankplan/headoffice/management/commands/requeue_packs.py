"""Finish the PDF packs a worker left unfinished. Run daily (cron); safe at any time."""

from datetime import timedelta

from django.core.management import BaseCommand
from django.utils import timezone

from bankplan.headoffice import packs


class Command(BaseCommand):
    help = "Enqueue again the plans (or the assembly) of packs still running long after."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            # A bank-wide pack of 20,000 plans takes hours on two workers: a pack still
            # running a day after it was asked for is stuck, not busy.
            default=24 * 60,
            metavar="MINUTES",
            help="resume packs requested this long ago and still running (default: a day)",
        )

    def handle(self, *args, older_than, **options):
        plans, assemblies = packs.resume_stale(timezone.now() - timedelta(minutes=older_than))
        if options["verbosity"]:
            self.stdout.write(f"{plans} plan(s) and {assemblies} pack assembl(ies) enqueued.")
