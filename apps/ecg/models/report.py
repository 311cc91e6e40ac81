from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from ..choices import ReportStatus, TermCategory


class DiagnosisTerm(models.Model):
    """An entry of the catalogue of Chinese ECG diagnostic terms. `critical` terms make a
    report a critical value (危急值), which needs a second physician's check and raises the
    alert."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("术语", max_length=60, unique=True)
    category = models.CharField("类别", max_length=12, choices=TermCategory.choices)
    critical = models.BooleanField("危急值", default=False)
    order = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "心电诊断术语"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Report(TimeStamped):
    """The physician's structured report on one exam: measurements (the screening's, as
    corrected), diagnosis terms, free text and conclusion; released after a second
    physician's check when it holds a critical value."""

    scope_path = "exam__clinic"

    exam = models.OneToOneField(
        "ecg.Exam", verbose_name="检查", on_delete=models.CASCADE, related_name="report"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告医师",
        on_delete=models.PROTECT,
        related_name="ecg_reports",
    )
    heart_rate = models.PositiveSmallIntegerField("心率(次/分)", null=True, blank=True)
    pr_ms = models.PositiveSmallIntegerField("PR间期(ms)", null=True, blank=True)
    qrs_ms = models.PositiveSmallIntegerField("QRS时限(ms)", null=True, blank=True)
    qt_ms = models.PositiveSmallIntegerField("QT间期(ms)", null=True, blank=True)
    qtc_ms = models.PositiveSmallIntegerField("QTc(ms)", null=True, blank=True)
    axis_deg = models.SmallIntegerField("电轴(°)", null=True, blank=True)
    terms = models.ManyToManyField(DiagnosisTerm, verbose_name="诊断", blank=True)
    free_text = models.CharField("其他诊断", max_length=300, blank=True)
    conclusion = models.TextField("结论", blank=True)
    critical = models.BooleanField("危急值", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核医师",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ecg_checks",
    )
    checked_at = models.DateTimeField("审核时间", null=True, blank=True)
    released_at = models.DateTimeField("发布时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "心电报告"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="ecg_report_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="released", critical=True, checked_by__isnull=True),
                name="ecg_critical_report_checked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam} 报告"

    @property
    def audit_scope_path(self) -> str:
        return self.exam.clinic.path
