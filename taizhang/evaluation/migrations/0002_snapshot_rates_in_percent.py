"""Every rate is now a percentage with one decimal, as the ledger's always were: the frozen
days' supervision, hotline and study rates and the ranking score, stored as shares of one, are
converted, so a past day's figures read the same way as today's."""

from django.db import migrations

FRACTIONS = {
    "supervision": ("notice_reply_rate", "spot_check_pass_rate", "reopen_rate",
                    "satisfaction_rate"),
    "hotline": ("hotline_response_rate", "hotline_solve_rate", "hotline_satisfaction_rate"),
    "study": ("attendance_rate",),
}  # fmt: skip
MARK = "rates_in_percent"


def _convert(figures, factor, digits):
    for block, keys in FRACTIONS.items():
        part = figures.get(block)
        for key in keys:
            if isinstance(part, dict) and part.get(key) is not None:
                part[key] = round(part[key] * factor, digits)
    if figures.get("score") is not None:
        figures["score"] = round(figures["score"] * factor, digits)


def to_percent(apps, schema_editor):
    Snapshot = apps.get_model("evaluation", "Snapshot")
    for snap in Snapshot.objects.all().iterator(chunk_size=1000):
        if snap.figures.get(MARK):
            continue
        _convert(snap.figures, 100, 1)
        snap.figures[MARK] = True
        snap.save(update_fields=["figures"])


def to_fraction(apps, schema_editor):
    Snapshot = apps.get_model("evaluation", "Snapshot")
    for snap in Snapshot.objects.all().iterator(chunk_size=1000):
        if not snap.figures.pop(MARK, False):
            continue
        _convert(snap.figures, 0.01, 4)
        snap.save(update_fields=["figures"])


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(to_percent, to_fraction)]
