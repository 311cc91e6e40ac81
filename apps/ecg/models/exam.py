from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps.core import crypto
from apps.core.models import TimeStamped
from apps.core.validators import normalise_id_number
from apps.places.scope import ScopedQuerySet

from ..choices import ExamStatus, Sex, SignalFormat


class EcgCentre(TimeStamped):
    """The county ECG centre of one county: who heads it, who the hospital's emergency team
    is, how fast a critical value must be acknowledged, and the county's own critical-value
    thresholds (merged over the defaults of `screening.thresholds`)."""

    scope_path = "county"

    county = models.OneToOneField(
        "places.Place", verbose_name="县区", on_delete=models.PROTECT, related_name="ecg_centre"
    )
    name = models.CharField("名称", max_length=100, default="县心电诊断中心")
    hospital = models.ForeignKey(
        "places.Place",
        verbose_name="县医院",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="中心负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    emergency_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="急诊团队", blank=True, related_name="+"
    )
    ack_minutes = models.PositiveSmallIntegerField("危急值确认时限(分钟)", default=10)
    phone_minutes = models.PositiveSmallIntegerField("升级电话通知时限(分钟)", default=10)
    thresholds = models.JSONField("危急值阈值(覆盖默认值)", default=dict, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "心电中心设置"

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.county.path

    def clean(self) -> None:
        from ..screening.thresholds import threshold_errors

        errors = threshold_errors(self.thresholds or {})
        if errors:
            raise ValidationError({"thresholds": list(errors.values())})


class Exam(TimeStamped):
    """One ECG sent by a clinic: the patient, the files as received, the normalised signal
    (stored once, as compressed arrays in mV) and the automatic screening that orders the
    reading queue. The patient's ID number is protected like every ID number: ciphertext,
    blind index and mask."""

    scope_path = "clinic"

    clinic = models.ForeignKey(
        "places.Place", verbose_name="送检机构", on_delete=models.PROTECT, related_name="ecg_exams"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="送检医生",
        on_delete=models.PROTECT,
        related_name="ecg_uploads",
    )
    uploaded_at = models.DateTimeField("上传时间", db_index=True)
    patient_name = models.CharField("患者姓名", max_length=50)
    patient_sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    patient_birth_date = models.DateField("出生日期", null=True, blank=True)
    patient_age = models.PositiveSmallIntegerField("年龄", null=True, blank=True)
    id_number_enc = models.TextField("身份证号(密文)", blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number_masked = models.CharField("身份证号", max_length=18, blank=True, editable=False)
    symptoms = models.CharField("症状", max_length=200, blank=True)
    symptom_onset_at = models.DateTimeField("症状出现时间", null=True, blank=True)
    reason = models.CharField("检查原因", max_length=200, blank=True)

    signal_format = models.CharField(
        "文件格式", max_length=10, choices=SignalFormat.choices, blank=True
    )
    read_error = models.CharField("读取错误", max_length=300, blank=True)
    signal_file = models.FileField("标准化信号", upload_to="ecg/signals/%Y/%m/", blank=True)
    fs = models.FloatField("采样率(Hz)", null=True, blank=True)
    n_samples = models.PositiveIntegerField("采样点数", default=0)
    leads = models.JSONField("导联", default=list, blank=True)
    read_notes = models.JSONField("读取说明", default=list, blank=True)

    status = models.CharField(
        "状态", max_length=12, choices=ExamStatus.choices, default=ExamStatus.RECEIVED
    )
    screening = models.JSONField("自动筛查结果", default=dict, blank=True)
    screened_at = models.DateTimeField("筛查时间", null=True, blank=True)
    priority = models.PositiveSmallIntegerField("优先级", default=0)
    suspected_critical = models.BooleanField("疑似危急值", default=False)
    flag_codes = models.JSONField("筛查提示", default=list, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="阅片医师",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ecg_claims",
    )
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    released_at = models.DateTimeField("报告发布时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "心电检查"
        ordering = ["-uploaded_at"]
        indexes = [
            models.Index(
                fields=["-priority", "uploaded_at"],
                condition=models.Q(status__in=["waiting", "claimed", "checking"]),
                name="ecg_exam_queue",
            ),
            models.Index(fields=["clinic", "uploaded_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ExamStatus.values), name="ecg_exam_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.patient_name}"

    @property
    def number(self) -> str:
        return f"ECG{self.uploaded_at:%Y%m%d}-{self.pk:06d}" if self.pk else "ECG-新"

    @property
    def audit_scope_path(self) -> str:
        return self.clinic.path

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.fs if self.fs else 0.0

    def set_id_number(self, value: str) -> None:
        value = normalise_id_number(value)
        self.id_number_enc = crypto.encrypt(value)
        self.id_number_index = crypto.blind_index(value)
        self.id_number_masked = crypto.mask_id_number(value)

    def flags(self) -> list[dict[str, Any]]:
        return list(self.screening.get("flags", []))

    def critical_flags(self) -> list[dict[str, Any]]:
        return [f for f in self.flags() if f.get("critical")]


class ExamFile(models.Model):
    """A file exactly as the clinic uploaded it (kept for audit, readable or not)."""

    exam = models.ForeignKey(
        Exam, verbose_name="检查", on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField("文件", upload_to="ecg/uploads/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "原始心电文件"

    def __str__(self) -> str:
        return self.original_name
