"""The daily commands that enqueue again the background work a killed worker left
running (PDF packs, roll-forward runs): what counts as stale, and the one option."""

from datetime import datetime, timedelta

from django.core.management import BaseCommand
from django.utils import timezone


class RequeueCommand(BaseCommand):
    """Enqueue again what was asked for ``--older-than`` minutes ago and is still running:
    ``resume`` does it and says what it enqueued."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            # A bank-wide pack of 20,000 plans takes hours on two workers, a bank-wide roll
            # forward well under one: work still running a day after it was asked for is
            # stuck, not busy.
            default=24 * 60,
            metavar="MINUTES",
            help="resume what was asked for this long ago and still runs (default: a day)",
        )

    def handle(self, *args, older_than, **options):
        said = self.resume(timezone.now() - timedelta(minutes=older_than))
        if options["verbosity"]:
            self.stdout.write(said)

    def resume(self, requested_before: datetime) -> str:
        raise NotImplementedError
