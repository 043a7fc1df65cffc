"""Load the demo bank into an empty database; leave a database that has data alone, so
restarting `make run` never overwrites what people typed."""

from django.core.management import BaseCommand, call_command

from bankplan.organisation.models import Unit


class Command(BaseCommand):
    help = "Load fixtures/demo.json (the demo bank) unless the database already holds units."

    def handle(self, *args, **options):
        if Unit.objects.exists():
            message = "The database already holds a bank; demo data not loaded."
        else:
            call_command("loaddata", "demo", verbosity=0)
            message = "Demo bank loaded: log in as manager, reviewer or admin, password “demo”."
        if options["verbosity"]:
            self.stdout.write(message)
