from django.db import models

from apps.places.scope import ScopedQuerySet


class DemoLoad(models.Model):
    """The demo county's first start in the background (`gongzhi serve` on an empty database):
    the places, people and accounts are loaded before the site answers; the history steps
    (cases, ECG, each app's contribution, photos, rollups) follow one transaction each, and
    this row, updated in the same transaction as each step, says how far they are and lets a
    restart resume at the first step not done."""

    class State(models.TextChoices):
        LOADING = "loading", "加载中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    scope_path = "county"

    county = models.ForeignKey(
        "places.Place", verbose_name="县", on_delete=models.CASCADE, related_name="+"
    )
    size = models.CharField("规模", max_length=10)
    seed = models.IntegerField("种子")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.LOADING)
    steps = models.JSONField("步骤", default=list)
    done = models.PositiveSmallIntegerField("已完成步骤数", default=0)
    counts = models.JSONField("数量", default=dict)
    seconds = models.JSONField("各步用时(秒)", default=dict)
    error = models.TextField("错误", blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "演示数据加载"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["loading", "done", "failed"]),
                name="demoload_state_valid",
            )
        ]

    def __str__(self) -> str:
        return f"演示县 {self.size}/{self.seed} {self.get_state_display()}"

    @property
    def audit_scope_path(self) -> str:
        return self.county.path

    @property
    def percent(self) -> int:
        return round(100 * self.done / max(1, len(self.steps)))

    @property
    def current(self) -> str:
        return self.steps[self.done] if self.done < len(self.steps) else ""
