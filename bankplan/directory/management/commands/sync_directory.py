from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bankplan.directory.sync import DirectoryUnusable, sync_directory


class Command(BaseCommand):
    help = (
        "Deactivate directory users the directory no longer finds (ending their sessions) "
        "and activate again those it deactivated who are back. Safe to run from cron: an "
        "unreachable directory changes nothing and exits with an error."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Deactivate every directory user even when the directory finds none of them.",
        )

    def handle(self, *args, force, **options):
        if not getattr(settings, "AUTH_LDAP_SERVER_URI", ""):
            raise CommandError("Directory sign-in is off (LDAP_SERVER_URI is not set).")
        try:
            result = sync_directory(force=force)
        except DirectoryUnusable as error:
            raise CommandError(f"Nothing changed: {error}") from error
        self.stdout.write(
            f"{result.found} found in the directory; {len(result.left)} deactivated"
            f"{': ' + ', '.join(result.left) if result.left else ''}; {len(result.back)} "
            f"active again{': ' + ', '.join(result.back) if result.back else ''}."
        )
