"""Finish the roll-forward runs a worker left unfinished. Run daily (cron); safe at any time."""

from datetime import timedelta

from django.core.management import BaseCommand
from django.utils import timezone

from bankplan.rollforward import runs


class Command(BaseCommand):
    help = "Enqueue again the roll-forward runs still running long after they were asked for."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            # A bank-wide run of 20,000 branches takes well under an hour on one worker: a
            # run still going a day after it was asked for is stuck, not busy.
            default=24 * 60,
            metavar="MINUTES",
            help="resume runs requested this long ago and still running (default: a day)",
        )

    def handle(self, *args, older_than, **options):
        resumed = runs.resume_stale(timezone.now() - timedelta(minutes=older_than))
        if options["verbosity"]:
            self.stdout.write(f"{resumed} roll-forward run(s) enqueued.")
