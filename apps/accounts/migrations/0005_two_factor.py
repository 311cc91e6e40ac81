# Two factors for staff (issue 14, MLPS 2.0 level 3): TOTP devices and recovery codes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_more_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="TotpDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("secret", models.TextField(verbose_name="密钥（密文）")),
                ("confirmed_at", models.DateTimeField(verbose_name="绑定时间")),
                ("last_step", models.BigIntegerField(default=0, verbose_name="最近使用的时间步")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="totp_device",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="账号",
                    ),
                ),
            ],
            options={"verbose_name": "动态口令", "verbose_name_plural": "动态口令"},
        ),
        migrations.CreateModel(
            name="RecoveryCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code_hash", models.CharField(max_length=80, verbose_name="摘要")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="使用时间")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recovery_codes",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="账号",
                    ),
                ),
            ],
            options={
                "verbose_name": "恢复码",
                "verbose_name_plural": "恢复码",
                "indexes": [
                    models.Index(
                        fields=["user", "code_hash"], name="accounts_re_user_id_0d8ba9_idx"
                    )
                ],
            },
        ),
    ]
