"""The table of the cache every process shares (settings.CACHES["shared"])."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Idempotent: an existing table is left as it is.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS shared_cache", params=None)


class Migration(migrations.Migration):
    dependencies = [("operations", "0002_render_slot")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
