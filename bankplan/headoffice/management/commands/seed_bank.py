"""Seed a synthetic bank at scale (see bankplan/headoffice/seeding.py)."""

from django.core.management import BaseCommand, CommandError

from bankplan.headoffice.seeding import PASSWORD, seed_bank


class Command(BaseCommand):
    help = (
        "Add a synthetic bank: BRANCHES branches over REGIONS regions, with users, targets "
        "and plans in every state, below the existing head office (made if none). For "
        "benchmarks and demonstrations; never on a real bank's database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--regions", type=int, required=True)
        parser.add_argument("--branches", type=int, required=True)
        parser.add_argument(
            "--cycle",
            type=int,
            metavar="YEAR",
            help="the cycle's year (default: the latest cycle, or 2027 made with the "
            "demo's KPI catalogue)",
        )
        parser.add_argument("--seed", type=int, default=2027, help="of the random figures")

    def handle(self, *args, regions, branches, cycle, seed, **options):
        try:
            report = seed_bank(regions=regions, branches=branches, year=cycle, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"]:
            for line in report.lines():
                self.stdout.write(line)
            self.stdout.write(f"Every seeded user's password is “{PASSWORD}”.")
