"""Make sure every version gets its PDFs. Run daily (cron); safe to run at any time.

A worker killed mid-render leaves its PDF pending, and a PDF whose attempts all failed
stays failed until someone looks; both are enqueued again here, with fresh attempts. A
pending PDF requested recently is left alone: a worker may be rendering it right now.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bankplan.reviews import tasks
from bankplan.reviews.models import Version, VersionPdf


class Command(BaseCommand):
    help = "Enqueue again every version PDF that is missing, failed or stuck."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="MINUTES",
            help="re-enqueue pending PDFs requested this long ago "
            "(default: long enough for every attempt to have run)",
        )

    def handle(self, *args, older_than, **options):
        if older_than is None:
            # Every attempt at its time limit, with the pauses between them.
            seconds = settings.PDF_ATTEMPTS * (settings.PDF_TIMEOUT + tasks.RETRY_DELAY.seconds)
            older_than = int(seconds // 60) + 5
        now = timezone.now()
        with transaction.atomic():
            created = self._create_missing()
            stuck = VersionPdf.objects.filter(
                Q(state=VersionPdf.State.FAILED)
                | Q(
                    state=VersionPdf.State.PENDING,
                    requested_at__lt=now - timedelta(minutes=older_than),
                )
            )
            ids = [*created, *stuck.values_list("pk", flat=True)]
            VersionPdf.objects.filter(pk__in=ids).update(
                state=VersionPdf.State.PENDING, attempts=0, error="", requested_at=now
            )
            transaction.on_commit(lambda: [tasks.enqueue_pdf(pk) for pk in ids])
        if options["verbosity"]:
            self.stdout.write(f"{len(ids)} PDF(s) enqueued.")

    def _create_missing(self) -> list[int]:
        """PDF rows a version should have and lacks (one as submitted; one as approved
        once approved)."""
        wanted = [
            VersionPdf(version_id=version_id, kind=kind)
            for kind, versions in (
                (VersionPdf.Kind.SUBMITTED, Version.objects.all()),
                (VersionPdf.Kind.APPROVED, Version.objects.filter(approved_at__isnull=False)),
            )
            for version_id in versions.exclude(pdfs__kind=kind).values_list("pk", flat=True)
        ]
        return [pdf.pk for pdf in VersionPdf.objects.bulk_create(wanted)]
