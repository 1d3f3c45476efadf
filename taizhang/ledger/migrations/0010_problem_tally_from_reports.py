"""The tallies move here from `reports` (see reports 0003); the table keeps its name."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_focusarea_keywords"),
        ("ledger", "0009_recompute_action"),
        ("reports", "0003_problem_tally_to_ledger"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ProblemTally",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("org_path", models.CharField(max_length=400)),
                        ("kind", models.CharField(max_length=16)),
                        ("source", models.CharField(max_length=16)),
                        ("status", models.CharField(max_length=16)),
                        ("on_time", models.SmallIntegerField()),
                        ("n", models.IntegerField(default=0)),
                        (
                            "campaign",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+", to="campaigns.campaign",
                            ),
                        ),
                        (
                            "focus_area",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+", to="campaigns.focusarea",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reports_problemtally",
                        "indexes": [
                            models.Index(
                                fields=["campaign", "org_path", "status", "on_time", "n"],
                                name="tally_by_unit",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=[
                                    "campaign", "org_path", "focus_area", "kind", "source",
                                    "status", "on_time",
                                ],
                                name="unique_tally_key",
                            )
                        ],
                    },
                )
            ],
            database_operations=[],
        )
    ]
