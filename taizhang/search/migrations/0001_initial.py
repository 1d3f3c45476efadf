from django.db import migrations, models

KINDS = ("problem", "suggestion")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector NOT NULL DEFAULT ''"
        )
        schema_editor.execute(
            "CREATE INDEX search_tsv ON search_searchdocument USING gin (tsv) "
            "WITH (fastupdate = off)"
        )
    else:  # one FTS5 table per kind, its rowid the object's id (no join to map it back)
        for kind in KINDS:
            schema_editor.execute(
                f"CREATE VIRTUAL TABLE search_fts_{kind} USING fts5(a, b, c, s, "
                "tokenize = 'unicode61 remove_diacritics 0')"
            )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        for kind in KINDS:
            schema_editor.execute(f"DROP TABLE search_fts_{kind}")


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="SearchPending",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=16)),
                ("object_id", models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=16)),
                ("object_id", models.BigIntegerField()),
                ("campaign_id", models.IntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["kind", "campaign_id"], name="search_kind_campaign")],
                "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="search_one_per_object")],
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]
