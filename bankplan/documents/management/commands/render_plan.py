from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from bankplan.documents.rendering import html_to_pdf, render_plan_html
from bankplan.plans.models import Plan


class Command(BaseCommand):
    help = "Write a plan as PDF (or, with --html, the HTML that would be rendered)."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument("--output", "-o", required=True, help="file to write")
        parser.add_argument("--html", action="store_true", help="write the HTML instead")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
        )

    def handle(self, *args, plan_id, output, html, language, **options):
        try:
            plan = Plan.objects.get(pk=plan_id)
        except Plan.DoesNotExist:
            raise CommandError(f"There is no plan {plan_id}.") from None
        document = render_plan_html(plan, language=language)
        if html:
            Path(output).write_text(document, encoding="utf-8")
        else:
            # In this process: a one-off command has no use for a pool of warm workers,
            # and the operator can stop it with Ctrl-C.
            Path(output).write_bytes(html_to_pdf(document))
        if options["verbosity"]:
            self.stdout.write(f"Wrote {output}")
