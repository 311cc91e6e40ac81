from django.db import migrations


def seed(apps, schema_editor):
    from apps.people.choices import DEFAULT_CARE_TAGS, DEFAULT_SKILLS

    CareTag = apps.get_model("people", "CareTag")
    Skill = apps.get_model("people", "Skill")
    for code, name, weight in DEFAULT_CARE_TAGS:
        CareTag.objects.get_or_create(code=code, defaults={"name": name, "weight": weight})
    for code, name in DEFAULT_SKILLS:
        Skill.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
