"""Links between a plan's rows that were written as text or as a type: a key account's
segment type becomes one of the plan's segments, and a task-force target naming one of
the plan's key accounts points at it."""

from django.db import migrations


def link_rows(apps, schema_editor):
    """A key account takes the plan's first segment (in the order listed) of the type it
    named; a task-force target whose account is named exactly like one of the plan's key
    accounts (the first so named) takes that account, keeping its text."""
    Segment = apps.get_model("plans", "Segment")
    KeyAccount = apps.get_model("plans", "KeyAccount")
    TaskForceTarget = apps.get_model("plans", "TaskForceTarget")
    first_of_type = {}
    for pk, market, kind in Segment.objects.order_by("pk").values_list(
        "pk", "target_market_id", "segment_type"
    ):
        first_of_type.setdefault((market, kind), pk)
    accounts = list(KeyAccount.objects.exclude(segment_type="").order_by("pk"))
    for account in accounts:
        account.segment_id = first_of_type.get((account.target_market_id, account.segment_type))
    KeyAccount.objects.bulk_update(accounts, ["segment"])

    named = {}
    for pk, plan, name in KeyAccount.objects.order_by("pk").values_list(
        "pk", "target_market__plan_id", "name"
    ):
        named.setdefault((plan, name.strip()), pk)
    targets = list(TaskForceTarget.objects.filter(key_account=None).select_related("staffing"))
    for target in targets:
        target.key_account_id = named.get((target.staffing.plan_id, target.account.strip()))
    TaskForceTarget.objects.bulk_update(
        [target for target in targets if target.key_account_id], ["key_account"]
    )


def unlink_rows(apps, schema_editor):
    """Back: a key account's segment type is its segment's (the task force keeps its text)."""
    KeyAccount = apps.get_model("plans", "KeyAccount")
    accounts = list(KeyAccount.objects.exclude(segment=None).select_related("segment"))
    for account in accounts:
        account.segment_type = account.segment.segment_type
    KeyAccount.objects.bulk_update(accounts, ["segment_type"])


class Migration(migrations.Migration):
    dependencies = [("plans", "0012_row_links")]

    operations = [migrations.RunPython(link_rows, unlink_rows)]
