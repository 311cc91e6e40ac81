from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped


class ImportJob(TimeStamped):
    """One upload of a ledger file: its preview (dry run) errors, progress and outcome.

    The file is kept as uploaded; a commit is all-or-nothing, so a failed job leaves the
    database as it was."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        CHECKING = "checking", "校验中"
        CHECKED = "checked", "校验完成"
        IMPORTING = "importing", "导入中"
        DONE = "done", "导入完成"
        FAILED = "failed", "失败"

    kind = models.CharField("台账类型", max_length=30)
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人",
                                   on_delete=models.PROTECT, related_name="import_jobs")
    scope = models.ForeignKey("places.Place", verbose_name="导入范围", on_delete=models.PROTECT,
                              related_name="+")
    dry_run = models.BooleanField("仅校验", default=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    rows_imported = models.PositiveIntegerField("导入行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误（前1000条）", default=list, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def audit_scope_path(self) -> str:
        return self.scope.path

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
