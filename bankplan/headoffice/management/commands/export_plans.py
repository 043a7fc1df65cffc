"""A PDF pack from the command line: the same pack as the web page, made by the packs
workers; the command waits for it, printing progress, and copies the ZIP out."""

import shutil
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import BaseCommand, CommandError

from bankplan.headoffice.models import Pack, PackItem
from bankplan.headoffice.packs import request_pack
from bankplan.organisation.models import Role, Unit, User
from bankplan.plans.models import Cycle, Status


class Command(BaseCommand):
    help = (
        "Write the PDFs of a cycle's plans (of one region, or of the whole bank) to a ZIP. "
        "Needs a worker for the packs queue: manage.py db_worker --queue-name packs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, metavar="YEAR")
        parser.add_argument("--region", metavar="CODE", help="a unit's code (default: the bank)")
        parser.add_argument("--state", choices=Status.values, default=Status.APPROVED)
        parser.add_argument("--output", "-o", required=True, metavar="FILE.zip")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="who asks for the pack (default: the first head-office planner)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=300,
            metavar="SECONDS",
            help="give up when the pack has not moved for this long (default 300)",
        )
        parser.add_argument(
            "--interval", type=float, default=1, help="seconds between looks (default 1)"
        )

    def handle(self, *args, cycle, region, state, output, user, timeout, interval, **options):
        try:
            cycle = Cycle.objects.get(year=cycle)
        except Cycle.DoesNotExist:
            raise CommandError(f"There is no {cycle} cycle.") from None
        unit = None
        if region:
            unit = Unit.objects.filter(code=region).first()
            if unit is None:
                raise CommandError(f"There is no unit with code {region}.")
        requester = self._requester(user)
        try:
            pack = request_pack(
                user=requester, cycle=cycle, unit=unit, status=state, format=Pack.Format.ZIP
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PermissionDenied:
            raise CommandError(f"{requester.username} may not see these plans.") from None
        self._wait(pack, timeout, interval)
        with pack.file.open("rb") as source, open(output, "wb") as target:
            shutil.copyfileobj(source, target)
        failed = pack.items.filter(state=PackItem.State.FAILED).count()
        if failed:
            self.stderr.write(f"{failed} plan(s) could not be made; the ZIP's report lists them.")
        self.stdout.write(f"Wrote {output}: {pack.total - failed} plan(s).")

    def _requester(self, username: str | None) -> User:
        if username:
            found = User.objects.filter(username=username).first()
            if found is None:
                raise CommandError(f"There is no user {username}.")
            return found
        planner = (
            User.objects.filter(memberships__role=Role.HEAD_OFFICE_PLANNER, is_active=True)
            .order_by("pk")
            .first()
        )
        if planner is None:
            raise CommandError("There is no head-office planner; name a user with --user.")
        return planner

    def _wait(self, pack: Pack, timeout: float, interval: float) -> None:
        shown, moved_at = None, time.monotonic()
        while True:
            pack.refresh_from_db(fields=["state", "done", "error", "file"])
            if pack.done != shown:
                shown, moved_at = pack.done, time.monotonic()
                self.stdout.write(f"{pack.done}/{pack.total}")
            if pack.state == Pack.State.READY:
                return
            if pack.state == Pack.State.FAILED:
                raise CommandError(f"The pack failed: {pack.error}")
            if time.monotonic() - moved_at > timeout:
                raise CommandError(
                    f"The pack (id {pack.pk}) has not moved for {timeout:g} s: is a worker "
                    "running for the packs queue? (manage.py db_worker --queue-name packs)"
                )
            time.sleep(interval)
