"""Case rollups: counters kept in the same transaction as the cases they count
(`apps.cases.rollups`), so a figure for any place subtree and period is a range sum over a
small table, never a scan of all cases. Stats reads them (`apps.stats.selectors`).

The tables were created by stats and moved here state-only (cases migration 0007, stats
0002): they keep their names (`stats_caserollup`, `stats_casemonthrollup`), indexes and
constraints, so an existing database keeps its rows untouched."""

from django.db import models

# The counters of one rollup row, in the order the raw SQL of `rollups` writes them.
CASE_COUNTERS = (
    "n",
    "responded",
    "responded_in_time",
    "unresponded_closed",
    "resolved",
    "resolved_on_time",
    "rated",
    "satisfied",
    "person_times",
    "response_us",
    "handling_us",
)


class Counters(models.Model):
    """What the counted cases of one rollup row add to each KPI (see `rollups.contribution`)."""

    n = models.BigIntegerField("件数", default=0)
    responded = models.BigIntegerField("已响应", default=0)
    responded_in_time = models.BigIntegerField("按时响应", default=0)
    unresponded_closed = models.BigIntegerField("未响应而已结束", default=0)
    resolved = models.BigIntegerField("已办结", default=0)
    resolved_on_time = models.BigIntegerField("按时办结", default=0)
    rated = models.BigIntegerField("已评价", default=0)
    satisfied = models.BigIntegerField("满意和基本满意", default=0)
    person_times = models.BigIntegerField("服务人次", default=0)
    response_us = models.BigIntegerField("响应用时合计(微秒)", default=0)
    handling_us = models.BigIntegerField("办理用时合计(微秒)", default=0)

    class Meta:
        abstract = True


class CaseRollup(Counters):
    """Cases registered on `day` under `place_path` (the case's place cut at grid depth: the
    grid, or the place itself when it lies higher) with one category, source, kind and current
    status, and what they add to each KPI (see `rollups.contribution`). Counters only ever move
    by deltas (`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`), so concurrent writers
    never lose an update. Keyed by the path, so any place's figure is a path-prefix sum."""

    place_path = models.CharField("地点路径", max_length=200)
    day = models.DateField("登记日期")
    category_id = models.IntegerField("事项类别")
    source = models.CharField("来源", max_length=20)
    kind = models.CharField("类型", max_length=20)
    status = models.CharField("状态", max_length=20)

    class Meta:
        db_table = "stats_caserollup"
        verbose_name = "事项汇总"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["place_path", "day", "category_id", "source", "kind", "status"],
                name="stats_case_rollup_key",
            )
        ]
        indexes = [models.Index(fields=["day", "place_path"], name="stats_case_rollup_day")]

    def __str__(self) -> str:
        return f"{self.place_path} {self.day} {self.status}: {self.n}"


class CaseMonthRollup(Counters):
    """The same counters per (rollup place, month of registration), counted cases only (merged
    and cancelled add nothing): whole-month figures, trends and rankings read this much
    smaller table."""

    place_path = models.CharField("地点路径", max_length=200)
    month = models.DateField("登记月份（月初）")

    class Meta:
        db_table = "stats_casemonthrollup"
        verbose_name = "事项月汇总"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["place_path", "month"], name="stats_case_month_key")
        ]
        indexes = [models.Index(fields=["month", "place_path"], name="stats_case_month_month")]

    def __str__(self) -> str:
        return f"{self.place_path} {self.month:%Y-%m}: {self.n}"
