from django.db import migrations


def seed(apps, schema_editor):
    from apps.errands.choices import DEFAULT_TEMPLATES

    template_model = apps.get_model("errands", "ErrandTemplate")
    category_model = apps.get_model("cases", "Category")
    for code, name, category_code, steps in DEFAULT_TEMPLATES:
        template_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category_model.objects.filter(code=category_code).first(),
                "steps": [{"name": s, "office": o} for s, o in steps],
            },
        )


def unseed(apps, schema_editor):
    from apps.errands.choices import DEFAULT_TEMPLATES

    template_model = apps.get_model("errands", "ErrandTemplate")
    template_model.objects.filter(code__in=[t[0] for t in DEFAULT_TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("errands", "0001_initial"),
        ("cases", "0002_default_catalogue"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
