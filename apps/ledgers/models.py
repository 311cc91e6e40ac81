from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet


class ImportJob(TimeStamped):
    """One upload of a ledger file: its preview (dry run) errors, progress and outcome.

    The file is kept as uploaded; a commit is all-or-nothing, so a failed job leaves the
    database as it was."""

    scope_path = "scope"

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
    sha256 = models.CharField("文件SHA-256", max_length=64, blank=True)
    # Both empty for an import run from the command line as the system (no scope limit).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    scope = models.ForeignKey(
        "places.Place",
        verbose_name="导入范围",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dry_run = models.BooleanField("仅校验", default=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已校验行数", default=0)
    rows_imported = models.PositiveIntegerField("导入行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误（前1000条）", default=list, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def audit_scope_path(self) -> str:
        return self.scope.path if self.scope_id else ""

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.CHECKING, self.Status.IMPORTING}

    @property
    def percent(self) -> int:
        """Checking is the whole bar for a dry run and its first half for a commit."""
        if not self.rows_total:
            return 100 if self.status in {self.Status.CHECKED, self.Status.DONE} else 0
        if self.dry_run:
            return min(100, int(100 * self.rows_done / self.rows_total))
        done = self.rows_done + self.rows_imported
        return min(100, int(50 * done / self.rows_total))
