import json
import sys

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from bankplan.plancheck.engine import blocking, check_plan, check_version
from bankplan.plans.models import Plan


class Command(BaseCommand):
    help = (
        "Check a plan against itself and print the findings with their codes. Exits 1 when "
        "a blocking finding stands, 0 otherwise."
    )

    def add_base_argument(self, parser, *args, **kwargs):
        if "--version" in args:  # here --version names one of the plan's versions
            return
        super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--version", type=int, dest="number", help="check this submitted version instead"
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
        )

    def handle(self, *args, plan_id, format, number, language, **options):
        try:
            plan = Plan.objects.get(pk=plan_id)
        except Plan.DoesNotExist:
            raise CommandError(f"There is no plan {plan_id}.") from None
        if number is None:
            findings = check_plan(plan, language=language)
        else:
            version = plan.versions.filter(number=number).first()
            if version is None:
                raise CommandError(f"Plan {plan_id} has no version {number}.")
            findings = check_version(version, language=language)
        if format == "json":
            found = [finding.as_dict() for finding in findings]
            self.stdout.write(json.dumps(found, ensure_ascii=False, indent=2))
        else:
            for finding in findings:
                severity = finding.severity.value.upper()
                self.stdout.write(f"{severity} {finding.code} {finding.section}: {finding.message}")
        if blocking(findings):
            self.stdout.flush()
            sys.exit(1)
