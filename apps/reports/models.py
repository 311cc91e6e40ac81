"""Monthly and quarterly briefings (工作简报) as PDF and Excel, scheduled and archived."""

from django.conf import settings
from django.db import models

from apps.places.models import Place
from apps.places.scope import ScopedQuerySet

from .choices import ReportKind, ReportStatus


class Report(models.Model):
    """One briefing of an area (county, town, community) for one month or quarter: requested
    by a user (生成简报) or by the month-end job, generated in the background into a PDF and
    an Excel workbook, and kept as the archive. One row per (area, kind, period): asking
    again regenerates the files."""

    scope_path = "place"

    place = models.ForeignKey(
        Place, verbose_name="区域", on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField("类型", max_length=10, choices=ReportKind.choices)
    period_start = models.DateField("统计期起")
    period_end = models.DateField("统计期止")
    status = models.CharField(
        "状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    error = models.TextField("错误", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    pdf = models.FileField("PDF", upload_to="reports/%Y/%m/", blank=True)
    xlsx = models.FileField("Excel", upload_to="reports/%Y/%m/", blank=True)
    html = models.FileField("网页版", upload_to="reports/%Y/%m/", blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "工作简报"
        ordering = ["-period_start", "place__path", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "kind", "period_start"], name="report_once_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReportKind.values), name="report_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="report_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place.name} {self.title}"

    @property
    def title(self) -> str:
        if self.kind == ReportKind.QUARTER:
            quarter = (self.period_start.month - 1) // 3 + 1
            return f"{self.period_start.year}年第{quarter}季度工作简报"
        return f"{self.period_start.year}年{self.period_start.month}月工作简报"

    @property
    def audit_scope_path(self) -> str:
        return self.place.path
