"""Balances and targets are never negative. A negative one already stored is not changed
here (a bank's figure is not silently rewritten): the migration stops and names each row,
for its author to correct the figure before migrating again."""

import django.core.validators
from django.db import migrations, models

# (model, amount, the section it belongs to)
AMOUNTS = [
    ("keyaccount", "current_balance", "target_market"),
    ("productline", "yearly_target", "products"),
    ("portfolio", "balance", "staffing"),
]


class NegativeAmounts(Exception):
    pass


def refuse_negative_amounts(apps, schema_editor):
    found = []
    for model_name, amount, section in AMOUNTS:
        rows = apps.get_model("plans", model_name)._default_manager.filter(**{f"{amount}__lt": 0})
        for pk, plan, value in rows.values_list("pk", f"{section}__plan", amount):
            found.append(f"{model_name} {pk} (plan {plan}): {amount} = {value}")
    if found:
        raise NegativeAmounts(
            "These amounts are negative, which a balance or a target cannot be; correct "
            "them in their plans, then migrate again:\n  " + "\n  ".join(found)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0007_guidance_preference"),
    ]

    operations = [
        migrations.RunPython(refuse_negative_amounts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="keyaccount",
            name="current_balance",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0, "Enter a figure of zero or more.")
                ],
                verbose_name="current balance (10k yuan)",
            ),
        ),
        migrations.AlterField(
            model_name="portfolio",
            name="balance",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0, "Enter a figure of zero or more.")
                ],
                verbose_name="balance managed (10k yuan)",
            ),
        ),
        migrations.AlterField(
            model_name="productline",
            name="yearly_target",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0, "Enter a figure of zero or more.")
                ],
                verbose_name="yearly target",
            ),
        ),
        migrations.AddConstraint(
            model_name="keyaccount",
            constraint=models.CheckConstraint(
                condition=models.Q(("current_balance__gte", 0)),
                name="key_account_balance_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="portfolio",
            constraint=models.CheckConstraint(
                condition=models.Q(("balance__gte", 0)), name="portfolio_balance_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="productline",
            constraint=models.CheckConstraint(
                condition=models.Q(("yearly_target__gte", 0)), name="product_target_not_negative"
            ),
        ),
    ]
