"""The forest event categories (under 安全隐患, beside 林区隐患) and the default patrol rule
table. Plain rows written here (no live code imported): a later edit of the defaults in
choices.py does not rewrite history."""

from django.db import migrations

# code, name, (respond amount, unit), (resolve amount, unit), level, materials
CATEGORIES = [
    ("forest-fire", "森林火情隐患", (1, "hours"), (1, "workdays"), "town", "位置\n现场照片"),
    ("forest-logging", "乱砍滥伐", (2, "hours"), (5, "workdays"), "town", "位置\n现场照片"),
    ("forest-pest", "林业病虫害", (1, "workdays"), (10, "workdays"), "town", "位置\n受害树木照片"),
    ("forest-land", "违法占用林地", (1, "workdays"), (10, "workdays"), "town", "位置\n现场照片"),
    ("forest-wildlife", "野生动物", (2, "hours"), (3, "workdays"), "town", "位置\n现场照片"),
]
RULES = [
    ("ranger", "day", 60),
    ("forest_chief_village", "week", 30),
    ("forest_chief_town", "month", 30),
    ("forest_chief_county", "quarter", 30),
]


def forward(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    parent = Category.objects.filter(code="hazard").first()
    for n, (code, name, respond, resolve, level, materials) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": parent,
                "response_amount": respond[0],
                "response_unit": respond[1],
                "resolve_amount": resolve[0],
                "resolve_unit": resolve[1],
                "default_level": level,
                "materials": materials,
                "sort": 900 + n,
            },
        )
    PatrolRule = apps.get_model("forestry", "PatrolRule")
    for level, period, minutes in RULES:
        PatrolRule.objects.get_or_create(
            level=level, defaults={"period": period, "min_minutes": minutes}
        )


def backward(apps, schema_editor):
    apps.get_model("cases", "Category").objects.filter(
        code__in=[c[0] for c in CATEGORIES], cases__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("forestry", "0001_initial"), ("cases", "0002_default_catalogue")]

    operations = [migrations.RunPython(forward, backward)]
