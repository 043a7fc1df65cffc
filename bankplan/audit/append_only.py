"""Triggers that keep the history and the audit log append-only in the database itself:
an UPDATE or DELETE through the ORM, a queryset, the admin or raw SQL is refused alike
(PostgreSQL also refuses TRUNCATE). The one UPDATE let through is a section save merging
into its sitting's entry (see ``models.py``): only the merged columns change, forward in
time, within the merge window.

The guard names every column of the audit log, as the migration installing it passes
them: a migration that adds a column must install the triggers again with the new list
(``operations(columns)``), or the new column could be changed. On SQLite, a migration that
changes a constraint of the log (a new action) rebuilds its table, and the triggers go
with the old one: it installs them again (``reinstalled(columns)``).
"""

from django.db import migrations

from .models import MERGE_MINUTES, MERGED_COLUMNS

AUDIT_LOG = "audit_event"
HISTORY = "reviews_auditentry"


def _merge_allowed(vendor: str, columns: tuple[str, ...]) -> str:
    fixed = [column for column in columns if column not in MERGED_COLUMNS]
    if vendor == "postgresql":
        same = " AND ".join(f'NEW."{c}" IS NOT DISTINCT FROM OLD."{c}"' for c in fixed)
        window = f"NEW.until <= OLD.until + interval '{MERGE_MINUTES} minutes'"
    else:
        same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in fixed)
        window = f"julianday(NEW.until) - julianday(OLD.until) <= {MERGE_MINUTES} / 1440.0"
        window += " AND julianday(NEW.until) > julianday(OLD.until)"
    return (
        f"OLD.action = 'section_saved' AND {same} AND NEW.revision > OLD.revision "
        f"AND NEW.until > OLD.until AND {window}"
    )


def _sqlite(table: str, update_allowed: str = "") -> list[str]:
    refuse = f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    when = f" WHEN NOT ({update_allowed})" if update_allowed else ""
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}{when} {refuse}",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {refuse}",
    ]


def _postgresql(table: str, update_allowed: str = "") -> list[str]:
    when = f" WHEN (NOT ({update_allowed}))" if update_allowed else ""
    refuse = "EXECUTE FUNCTION bankplan_append_only()"
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW{when} {refuse}",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW {refuse}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT {refuse}",
    ]


_FUNCTION = """
CREATE OR REPLACE FUNCTION bankplan_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def install_statements(vendor: str, columns: tuple[str, ...]) -> list[str]:
    """``columns``: every column of the audit log."""
    allowed = _merge_allowed(vendor, columns)
    if vendor == "postgresql":
        return [_FUNCTION, *_postgresql(HISTORY), *_postgresql(AUDIT_LOG, allowed)]
    return [*_sqlite(HISTORY), *_sqlite(AUDIT_LOG, allowed)]


def remove_statements(vendor: str) -> list[str]:
    names = ["no_update", "no_delete"] + (["no_truncate"] if vendor == "postgresql" else [])
    on = " ON {table}" if vendor == "postgresql" else ""
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_{name}{on.format(table=table)}"
        for table in (HISTORY, AUDIT_LOG)
        for name in names
    ]
    if vendor == "postgresql":
        statements.append("DROP FUNCTION IF EXISTS bankplan_append_only()")
    return statements


def operations(columns: tuple[str, ...]) -> migrations.RunPython:
    """The migration operation installing the triggers (and removing them on the way
    back) for an audit log of ``columns``."""

    def install(apps, schema_editor):
        for statement in install_statements(schema_editor.connection.vendor, columns):
            schema_editor.execute(statement, params=None)

    def remove(apps, schema_editor):
        for statement in remove_statements(schema_editor.connection.vendor):
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(install, remove, elidable=False)


def reinstalled(columns: tuple[str, ...]) -> tuple[migrations.RunPython, migrations.RunPython]:
    """The operations to put first and last in a migration that rebuilds the audit log's
    table on SQLite: the triggers installed again after the rebuild, whichever way the
    migration runs (harmless on PostgreSQL, where they survive)."""

    def again(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in [*remove_statements(vendor), *install_statements(vendor, columns)]:
            schema_editor.execute(statement, params=None)

    noop = migrations.RunPython.noop
    return (
        migrations.RunPython(noop, again, elidable=False),
        migrations.RunPython(again, noop, elidable=False),
    )
