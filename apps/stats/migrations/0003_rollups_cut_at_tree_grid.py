"""Case rollups are cut at the grid's depth of each tree (a province- or city-rooted tree has its
grids deeper than a county-rooted one; before, every path was cut after four segments, the
town level under a province). Rows written by the old cut in such a tree are recomputed from
the raw cases; a database with county roots only (or none yet) has nothing to change."""

from django.db import migrations


def recompute(apps, schema_editor):
    Place = apps.get_model("places", "Place")
    if not Place.objects.filter(parent__isnull=True).exclude(kind="county").exists():
        return
    from apps.cases.rollups import forget_roots
    from apps.stats.rollups import rebuild

    forget_roots()
    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_rollups_from_stats"),
        ("places", "0002_province_city_levels"),
        ("stats", "0002_rollups_to_cases"),
    ]
    # In stats, which keeps verify/rebuild: cases (the lower layer) does not import stats.

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
