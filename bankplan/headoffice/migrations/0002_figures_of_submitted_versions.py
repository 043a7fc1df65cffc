from django.db import migrations

from bankplan.headoffice.figures import figure_rows


def record_existing(apps, schema_editor):
    """Plans submitted before the roll-ups existed: their latest version's figures."""
    Plan = apps.get_model("plans", "Plan")
    Kpi = apps.get_model("plans", "Kpi")
    Version = apps.get_model("reviews", "Version")
    KpiFigure = apps.get_model("headoffice", "KpiFigure")
    catalogues = {}
    for plan in Plan.objects.exclude(status="draft").iterator():
        version = Version.objects.filter(plan=plan).order_by("-number").first()
        if version is None:
            continue
        if plan.cycle_id not in catalogues:
            catalogues[plan.cycle_id] = list(Kpi.objects.filter(cycle=plan.cycle_id))
        KpiFigure.objects.bulk_create(
            figure_rows(KpiFigure, plan.pk, catalogues[plan.cycle_id], version.snapshot)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("headoffice", "0001_initial"),
        ("reviews", "0002_version_pdfs"),
    ]

    operations = [migrations.RunPython(record_existing, migrations.RunPython.noop)]
