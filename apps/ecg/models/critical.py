from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from ..choices import CriticalStatus, NoticeRole, Outcome, ReferralDecision, Treatment


class CriticalValue(TimeStamped):
    """A critical value (危急值) confirmed by the reading physician: what it is, who confirmed
    it and when. One row per exam; the register of all critical values reads this table."""

    scope_path = "exam__clinic"

    exam = models.OneToOneField(
        "ecg.Exam", verbose_name="检查", on_delete=models.PROTECT, related_name="critical"
    )
    items = models.CharField("危急值内容", max_length=300)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认医师",
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", db_index=True)
    status = models.CharField(
        "状态", max_length=14, choices=CriticalStatus.choices, default=CriticalStatus.ALERTED
    )
    acknowledged_at = models.DateTimeField("首次确认接收时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "危急值"
        ordering = ["-confirmed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CriticalStatus.values),
                name="ecg_critical_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam.patient_name} {self.items}"

    @property
    def audit_scope_path(self) -> str:
        return self.exam.clinic.path


class CriticalNotice(models.Model):
    """One receiver's alert of a critical value. It must be acknowledged with a read-back
    (the receiver repeats the finding) before `due_at`; the monitor escalates overdue notices
    with a compare-and-set on `escalation_level`."""

    critical = models.ForeignKey(
        CriticalValue, verbose_name="危急值", on_delete=models.CASCADE, related_name="notices"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.PROTECT,
        related_name="ecg_notices",
    )
    role = models.CharField("身份", max_length=10, choices=NoticeRole.choices)
    sent_at = models.DateTimeField("通知时间")
    due_at = models.DateTimeField("确认时限")
    acked_at = models.DateTimeField("确认时间", null=True, blank=True)
    read_back = models.CharField("复述内容", max_length=300, blank=True)
    escalation_level = models.PositiveSmallIntegerField("升级级别", default=0)
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "危急值通知"
        ordering = ["sent_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(acked_at__isnull=True),
                name="ecg_notice_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.critical} → {self.recipient}"

    @property
    def ack_seconds(self) -> float | None:
        if self.acked_at is None:
            return None
        return (self.acked_at - self.sent_at).total_seconds()


class Referral(TimeStamped):
    """The referral that follows a critical value, step by step: decision, transfer start,
    arrival at the hospital (door), treatment (balloon for PCI), outcome. Each step is
    written by `do_record_referral_step`, timestamped and audited."""

    scope_path = "critical__exam__clinic"

    critical = models.OneToOneField(
        CriticalValue, verbose_name="危急值", on_delete=models.CASCADE, related_name="referral"
    )
    decision = models.CharField("决定", max_length=10, choices=ReferralDecision.choices)
    decided_at = models.DateTimeField("决定时间")
    destination = models.ForeignKey(
        "places.Place",
        verbose_name="转往医院",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transfer_started_at = models.DateTimeField("开始转运", null=True, blank=True)
    arrived_at = models.DateTimeField("到达医院(进门)", null=True, blank=True)
    treatment = models.CharField("治疗", max_length=14, choices=Treatment.choices, blank=True)
    treatment_at = models.DateTimeField("治疗开始(球囊扩张)", null=True, blank=True)
    outcome = models.CharField("转归", max_length=12, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField("转归时间", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "转诊"

    def __str__(self) -> str:
        return f"{self.critical} 转诊"

    @property
    def audit_scope_path(self) -> str:
        return self.critical.exam.clinic.path

    @property
    def door_to_treatment_minutes(self) -> float | None:
        if self.arrived_at and self.treatment_at:
            return round((self.treatment_at - self.arrived_at).total_seconds() / 60, 1)
        return None

    @property
    def alert_to_treatment_minutes(self) -> float | None:
        if self.treatment_at:
            return round((self.treatment_at - self.critical.confirmed_at).total_seconds() / 60, 1)
        return None
