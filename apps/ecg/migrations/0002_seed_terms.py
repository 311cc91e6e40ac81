from django.db import migrations


def seed(apps, schema_editor):
    from apps.ecg.terms import TERMS

    term = apps.get_model("ecg", "DiagnosisTerm")
    for order, (code, name, category, critical) in enumerate(TERMS):
        term.objects.update_or_create(
            code=code,
            defaults={"name": name, "category": category, "critical": critical,
                      "order": order * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("ecg", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
