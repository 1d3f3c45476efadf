"""An installation upgraded to full-text search has problems and suggestions already: each is
marked, and the worker (or `taizhang search --rebuild`, faster) writes their entries."""

from django.db import migrations


def mark_existing(apps, schema_editor):
    for kind, table in (("problem", "ledger_problem"), ("suggestion", "intake_suggestion")):
        schema_editor.execute(
            f"INSERT INTO search_searchpending (kind, object_id) SELECT '{kind}', id FROM {table}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("ledger", "0020_history_chain"),
        ("intake", "0005_personal_data_request"),
    ]

    operations = [migrations.RunPython(mark_existing, migrations.RunPython.noop)]
