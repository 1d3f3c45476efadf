"""The tallies belong to the ledger that keeps them: the model moves there, its table stays.
Only Django's idea of which app owns the model changes; nothing in the database does."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_tally_by_unit")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ProblemTally")],
            database_operations=[],
        )
    ]
