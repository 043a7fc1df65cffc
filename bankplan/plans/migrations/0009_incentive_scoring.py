"""Structured scoring for the incentive simulator (issue 12): per scorecard line a
threshold, points per point, a floor and a cap; per deduction the points taken per case.
All optional, so existing plans migrate unchanged (their lines "not structured")."""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0008_amounts_not_negative"),
    ]

    operations = [
        migrations.AddField(
            model_name="deduction",
            name="points_per_case",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                help_text="Points taken per case: per 0.1 point of NPL over the limit, per breach …",
                max_digits=5,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0, "Enter a figure of zero or more.")
                ],
                verbose_name="points per case",
            ),
        ),
        migrations.AddField(
            model_name="scorecardline",
            name="cap",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                help_text="The most points the line can score.",
                max_digits=5,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0, "Enter a figure of zero or more.")
                ],
                verbose_name="cap",
            ),
        ),
        migrations.AddField(
            model_name="scorecardline",
            name="floor",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                help_text="The fewest points once over the threshold.",
                max_digits=5,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0, "Enter a figure of zero or more.")
                ],
                verbose_name="floor",
            ),
        ),
        migrations.AddField(
            model_name="scorecardline",
            name="points_per_point",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Points per percentage point of achievement.",
                max_digits=5,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0, "Enter a figure of zero or more.")
                ],
                verbose_name="points per point",
            ),
        ),
        migrations.AddField(
            model_name="scorecardline",
            name="threshold",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                help_text="Achievement below which the line scores nothing.",
                max_digits=4,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        0, "Enter an achievement between 0%% and 200%%."
                    ),
                    django.core.validators.MaxValueValidator(
                        Decimal("200"), "Enter an achievement between 0%% and 200%%."
                    ),
                ],
                verbose_name="threshold (%)",
            ),
        ),
        migrations.AddConstraint(
            model_name="deduction",
            constraint=models.CheckConstraint(
                condition=models.Q(("points_per_case__gte", 0)),
                name="deduction_points_per_case_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="scorecardline",
            constraint=models.CheckConstraint(
                condition=models.Q(("threshold__gte", 0), ("threshold__lte", Decimal("200"))),
                name="scorecard_threshold_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="scorecardline",
            constraint=models.CheckConstraint(
                condition=models.Q(("points_per_point__gte", 0)),
                name="scorecard_points_per_point_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="scorecardline",
            constraint=models.CheckConstraint(
                condition=models.Q(("cap__gte", 0)), name="scorecard_cap_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="scorecardline",
            constraint=models.CheckConstraint(
                condition=models.Q(("floor__gte", 0)), name="scorecard_floor_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="scorecardline",
            constraint=models.CheckConstraint(
                condition=models.Q(("floor__lte", models.F("cap"))),
                name="scorecard_floor_within_cap",
            ),
        ),
    ]
