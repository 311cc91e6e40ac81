"""The case rollups moved into cases (cases 0007): stats forgets the models, the tables stay
(state only; nothing in the database changes)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_rollups"),
        ("cases", "0007_rollups_from_stats"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="CaseMonthRollup"),
                migrations.DeleteModel(name="CaseRollup"),
            ],
        ),
    ]
