# Voucher attachments are stored under random names (issue 14, item 10). `upload_to` lives only
# in Python: the column is unchanged, so the change is to the migration state alone (an
# AlterField would rebuild the table on SQLite, which the balance triggers forbid).

import apps.collective.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collective", "0006_job_location"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="voucher",
                    name="attachment",
                    field=models.FileField(
                        blank=True,
                        upload_to=apps.collective.models.attachment_path,
                        verbose_name="附件（原始单据）",
                    ),
                ),
            ],
        ),
    ]
