"""Drop the indexes on who recorded a problem or a history row; index applied_by and merged_into
only where set.

The field changes are made to Django's state only and the indexes dropped with plain SQL:
AlterField would make SQLite copy the problems table once per field.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Django's names for the single-column indexes of these foreign keys (the same on both backends).
DROPPED = [
    ("ledger_problem", "applied_by_id", "ledger_problem_applied_by_id_66cd241e"),
    ("ledger_problem", "created_by_id", "ledger_problem_created_by_id_10a5e5a6"),
    ("ledger_problem", "merged_into_id", "ledger_problem_merged_into_id_4974e1b7"),
    ("ledger_problemevent", "actor_id", "ledger_problemevent_actor_id_ad8645df"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_focusarea_keywords"),
        ("ledger", "0007_drop_redundant_fk_indexes"),
        ("orgs", "0002_roleassignment_via"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="problem",
                    name="applied_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="problem",
                    name="created_by",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="problem",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_problems",
                        to="ledger.problem",
                    ),
                ),
                migrations.AlterField(
                    model_name="problemevent",
                    name="actor",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
                )
                for table, column, index in DROPPED
            ],
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(("applied_by__isnull", False)),
                fields=["applied_by"],
                name="problem_applied_by",
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="problem_merged_into",
            ),
        ),
    ]
