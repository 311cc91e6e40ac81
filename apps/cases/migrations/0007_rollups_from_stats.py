"""The case rollups move from stats into cases with the code that writes them (issue 13):
state only. The tables keep their names, indexes, constraints and rows (no data is copied);
stats 0002 removes them from stats' state after this migration has added them to cases'."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_landmark"),
        ("stats", "0001_rollups"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="CaseMonthRollup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("n", models.BigIntegerField(default=0, verbose_name="件数")),
                        ("responded", models.BigIntegerField(default=0, verbose_name="已响应")),
                        (
                            "responded_in_time",
                            models.BigIntegerField(default=0, verbose_name="按时响应"),
                        ),
                        (
                            "unresponded_closed",
                            models.BigIntegerField(default=0, verbose_name="未响应而已结束"),
                        ),
                        ("resolved", models.BigIntegerField(default=0, verbose_name="已办结")),
                        (
                            "resolved_on_time",
                            models.BigIntegerField(default=0, verbose_name="按时办结"),
                        ),
                        ("rated", models.BigIntegerField(default=0, verbose_name="已评价")),
                        (
                            "satisfied",
                            models.BigIntegerField(default=0, verbose_name="满意和基本满意"),
                        ),
                        (
                            "person_times",
                            models.BigIntegerField(default=0, verbose_name="服务人次"),
                        ),
                        (
                            "response_us",
                            models.BigIntegerField(default=0, verbose_name="响应用时合计(微秒)"),
                        ),
                        (
                            "handling_us",
                            models.BigIntegerField(default=0, verbose_name="办理用时合计(微秒)"),
                        ),
                        ("place_path", models.CharField(max_length=200, verbose_name="地点路径")),
                        ("month", models.DateField(verbose_name="登记月份（月初）")),
                    ],
                    options={
                        "db_table": "stats_casemonthrollup",
                        "verbose_name": "事项月汇总",
                        "verbose_name_plural": "事项月汇总",
                        "indexes": [
                            models.Index(
                                fields=["month", "place_path"], name="stats_case_month_month"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("place_path", "month"), name="stats_case_month_key"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CaseRollup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("n", models.BigIntegerField(default=0, verbose_name="件数")),
                        ("responded", models.BigIntegerField(default=0, verbose_name="已响应")),
                        (
                            "responded_in_time",
                            models.BigIntegerField(default=0, verbose_name="按时响应"),
                        ),
                        (
                            "unresponded_closed",
                            models.BigIntegerField(default=0, verbose_name="未响应而已结束"),
                        ),
                        ("resolved", models.BigIntegerField(default=0, verbose_name="已办结")),
                        (
                            "resolved_on_time",
                            models.BigIntegerField(default=0, verbose_name="按时办结"),
                        ),
                        ("rated", models.BigIntegerField(default=0, verbose_name="已评价")),
                        (
                            "satisfied",
                            models.BigIntegerField(default=0, verbose_name="满意和基本满意"),
                        ),
                        (
                            "person_times",
                            models.BigIntegerField(default=0, verbose_name="服务人次"),
                        ),
                        (
                            "response_us",
                            models.BigIntegerField(default=0, verbose_name="响应用时合计(微秒)"),
                        ),
                        (
                            "handling_us",
                            models.BigIntegerField(default=0, verbose_name="办理用时合计(微秒)"),
                        ),
                        ("place_path", models.CharField(max_length=200, verbose_name="地点路径")),
                        ("day", models.DateField(verbose_name="登记日期")),
                        ("category_id", models.IntegerField(verbose_name="事项类别")),
                        ("source", models.CharField(max_length=20, verbose_name="来源")),
                        ("kind", models.CharField(max_length=20, verbose_name="类型")),
                        ("status", models.CharField(max_length=20, verbose_name="状态")),
                    ],
                    options={
                        "db_table": "stats_caserollup",
                        "verbose_name": "事项汇总",
                        "verbose_name_plural": "事项汇总",
                        "indexes": [
                            models.Index(fields=["day", "place_path"], name="stats_case_rollup_day")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=(
                                    "place_path",
                                    "day",
                                    "category_id",
                                    "source",
                                    "kind",
                                    "status",
                                ),
                                name="stats_case_rollup_key",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
