"""Shorten stored ID-number masks to the first and last character (ADR 0016).

The new mask is computed from the old one (which kept four and four), so no number is
decrypted here. ECG exams keep a mask of the patient's number too and get the same change.
"""

from django.db import migrations


def shorten(value: str) -> str:
    if len(value) <= 2:
        return "*" * len(value)
    return value[:1] + "*" * (len(value) - 2) + value[-1:]


def forwards(apps, schema_editor):
    for app_label, model_name in (("people", "Person"), ("ecg", "Exam")):
        model = apps.get_model(app_label, model_name)
        rows = model.objects.exclude(id_number_masked="").only("pk", "id_number_masked")
        changed = []
        for row in rows.iterator(chunk_size=2000):
            new = shorten(row.id_number_masked)
            if new != row.id_number_masked:
                row.id_number_masked = new
                changed.append(row)
            if len(changed) >= 2000:
                model.objects.bulk_update(changed, ["id_number_masked"])
                changed = []
        model.objects.bulk_update(changed, ["id_number_masked"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_reference_lists"),
        ("ecg", "0002_seed_terms"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
