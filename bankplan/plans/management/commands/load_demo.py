"""Load the demo bank into an empty database; leave a database that has data alone, so
restarting `make run` never overwrites what people typed."""

from django.core.management import BaseCommand, call_command
from django.db import transaction
from django.test.utils import override_settings

from bankplan.organisation.models import Unit
from bankplan.plancheck.demo import configure
from bankplan.plans import demo
from bankplan.plans.models import Cycle
from bankplan.rollforward import demo as last_year

LOADED = """Demo bank loaded; every password is “demo”.
  admin      head office: the dashboard, roll-ups against allocated targets, exports
  reviewer   青峰分行's reviewer; reviewer2 澜港分行's; reviewer3 青峰北部二级分行's
  manager    丰河县支行's manager: a draft plan beside the targets allocated to it
  manager4   澜港滨江支行's manager: 2026's plan approved, 2027's to start from it
The PDFs of the demo's submitted and approved versions are made by the task worker
(`make run` starts one beside the server) within a minute or two."""


class Command(BaseCommand):
    help = (
        "Load fixtures/demo.json (the demo bank) and its plans in every state unless the "
        "database already holds units."
    )

    def handle(self, *args, **options):
        if Unit.objects.exists():
            message = "The database already holds a bank; demo data not loaded."
        else:
            # All or nothing, so a failed load is simply tried again on the next start.
            # The demo's review history is made up: its notification mails go nowhere
            # (they are sent when the transaction commits, inside this setting).
            nowhere = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
            with override_settings(MAILERS=nowhere), transaction.atomic():
                call_command("loaddata", "demo", verbosity=0)
                demo.build()
                last_year.build()
                for cycle in Cycle.objects.filter(closed_at__isnull=True):
                    configure(cycle)
            message = LOADED
        if options["verbosity"]:
            self.stdout.write(message)
