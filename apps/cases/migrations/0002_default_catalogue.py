from django.db import migrations


def seed(apps, schema_editor):
    from apps.cases.catalogue import seed_default_catalogue

    seed_default_catalogue(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
