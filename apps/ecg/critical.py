"""The critical-value closed loop: confirmation and alerts, acknowledgement with read-back,
escalation of overdue alerts, and the referral followed step by step to its outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, can, refusal
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.notifications.choices import NotificationKind
from apps.notifications.services import notify

from .actions import centre_for, readers_for
from .choices import (
    REFERRAL_ORDER,
    CriticalStatus,
    EcgAction,
    NoticeRole,
    Outcome,
    ReferralDecision,
    ReferralStep,
    Treatment,
)
from .models import CriticalNotice, CriticalValue, Exam, Referral, Report

SYSTEM = "系统（危急值监控）"
DEFAULT_ACK_MINUTES = 10


def _url(critical: CriticalValue) -> str:
    return reverse("ecg:critical_detail", args=[critical.pk])


def confirm_critical(exam: Exam, report: Report, *, actor: User, now: datetime) -> CriticalValue:
    """Called inside `do_submit_report`: record the critical value and alert the clinic
    doctor and the county hospital's emergency team at once."""
    items = "、".join(t.name for t in report.terms.filter(critical=True))
    critical, _ = CriticalValue.objects.update_or_create(
        exam=exam,
        defaults={
            "items": items[:300],
            "confirmed_by": actor,
            "confirmed_at": now,
            "status": CriticalStatus.ALERTED,
        },
    )
    centre = centre_for(exam.clinic)
    limit = timedelta(minutes=centre.ack_minutes if centre else DEFAULT_ACK_MINUTES)
    receivers = [(exam.uploaded_by, NoticeRole.CLINIC)]
    if centre is not None:
        receivers += [(u, NoticeRole.EMERGENCY) for u in centre.emergency_team.all()]
    for user, role in receivers:
        CriticalNotice.objects.get_or_create(
            critical=critical,
            recipient=user,
            role=role,
            defaults={"sent_at": now, "due_at": now + limit},
        )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=critical,
        changes={
            "action": EcgAction.CONFIRM_CRITICAL,
            "items": items,
            "notified": [u.pk for u, _ in receivers],
        },
    )
    body = (
        f"{exam.clinic.name} 患者{exam.patient_name}（{exam.get_patient_sex_display()}"
        f"{exam.patient_age or ''}岁）：{items}。请在{int(limit.total_seconds() // 60)}分钟内"
        f"确认接收并复述。"
    )
    notify(
        [u for u, _ in receivers],
        "心电危急值",
        body,
        kind=NotificationKind.ECG_CRITICAL,
        url=_url(critical),
        obj=critical,
    )
    return critical


def _normalised(text: str) -> str:
    return "".join(text.split()).replace("，", "").replace(",", "")


@transaction.atomic
def do_acknowledge_notice(notice: CriticalNotice, *, actor: User, read_back: str) -> CriticalNotice:
    """The receiver confirms the alert by repeating the finding (read-back): the text must
    name at least one of the critical items."""
    notice = (
        CriticalNotice.objects.select_for_update()
        .select_related("critical__exam__clinic")
        .get(pk=notice.pk)
    )
    if notice.recipient_id != actor.pk:
        raise PermissionDenied("只能确认发给您本人的危急值通知")
    if notice.acked_at is not None:
        raise ValidationError("该通知已经确认过")
    critical = notice.critical
    said = _normalised(read_back)
    items = [_normalised(i) for i in critical.items.split("、") if i]
    if not said or not any(item in said or (said in item and len(said) >= 4) for item in items):
        raise ValidationError({"read_back": f"复述内容应包含危急值：{critical.items}"})
    now = timezone.now()
    notice.acked_at, notice.read_back = now, read_back.strip()[:300]
    notice.save(update_fields=["acked_at", "read_back"])
    if critical.status == CriticalStatus.ALERTED:
        CriticalValue.objects.filter(pk=critical.pk, status=CriticalStatus.ALERTED).update(
            status=CriticalStatus.ACKNOWLEDGED, acknowledged_at=now, updated_at=now
        )
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=critical,
        changes={
            "action": EcgAction.ACKNOWLEDGE,
            "notice": notice.pk,
            "role": notice.role,
            "read_back": notice.read_back,
            "seconds": notice.ack_seconds,
        },
    )
    return notice


def escalate_overdue(now: datetime | None = None) -> int:
    """Escalate every overdue, unacknowledged alert by one level: first to the centre's head
    (and the physicians), then — if still silent — a phone call is demanded. Each step is a
    compare-and-set on `escalation_level`, so two monitors never escalate the same notice
    twice."""
    now = now or timezone.now()
    count = 0
    overdue = (
        CriticalNotice.objects.filter(
            acked_at__isnull=True, due_at__lte=now, escalation_level__lt=2
        )
        .exclude(role=NoticeRole.HEAD)
        .values_list("pk", "escalation_level")
    )
    for pk, level in list(overdue[:500]):
        count += _escalate_one(pk, level, now)
    return count


@transaction.atomic
def _escalate_one(pk: int, level: int, now: datetime) -> int:
    notice = CriticalNotice.objects.select_related("critical__exam__clinic", "recipient").get(pk=pk)
    centre = centre_for(notice.critical.exam.clinic)
    phone_limit = timedelta(minutes=centre.phone_minutes if centre else DEFAULT_ACK_MINUTES)
    won = CriticalNotice.objects.filter(
        pk=pk, escalation_level=level, acked_at__isnull=True
    ).update(escalation_level=level + 1, escalated_at=now, due_at=now + phone_limit)
    if not won:
        return 0
    critical, exam = notice.critical, notice.critical.exam
    late = f"{notice.get_role_display()}{notice.recipient}未在时限内确认危急值"
    head = centre.head if centre else None
    if level == 0:
        title = "危急值未确认，已升级"
        body = f"{late}（{exam.clinic.name} {exam.patient_name}：{critical.items}）。"
        targets = [head, *readers_for(exam.clinic)]
    else:
        title = "危急值仍未确认：请立即电话通知"
        body = f"{late}，请立即电话通知{notice.recipient}并记录。"
        targets = [head, critical.confirmed_by]
    notify(
        [t for t in targets if t is not None],
        title,
        body,
        kind=NotificationKind.ECG_CRITICAL,
        url=_url(critical),
        obj=critical,
    )
    audit.record(
        actor=SYSTEM,
        verb=AuditVerb.UPDATE,
        obj=critical,
        changes={
            "action": EcgAction.ESCALATE,
            "notice": pk,
            "level": level + 1,
            "recipient": str(notice.recipient),
        },
    )
    return 1


def _can_follow(actor: User, critical: CriticalValue) -> bool:
    if can(actor, Cap.ECG_CONFIGURE):
        return True
    if critical.notices.filter(recipient_id=actor.pk).exists():
        return True
    return can(actor, Cap.ECG_FOLLOW_CRITICAL, critical.exam.clinic)


STEP_FIELDS = {
    ReferralStep.DECISION: ("decided_at",),
    ReferralStep.TRANSFER: ("transfer_started_at",),
    ReferralStep.ARRIVAL: ("arrived_at",),
    ReferralStep.TREATMENT: ("treatment_at",),
    ReferralStep.OUTCOME: ("outcome_at",),
}


def _step_done(referral: Referral | None, step: str) -> bool:
    if referral is None:
        return False
    return getattr(referral, STEP_FIELDS[ReferralStep(step)][0]) is not None


@transaction.atomic
def do_record_referral_step(
    critical: CriticalValue,
    *,
    actor: User,
    step: str,
    at: datetime | None = None,
    decision: str = "",
    destination: Any = None,
    treatment: str = "",
    outcome: str = "",
    note: str = "",
) -> Referral:
    """Record one step of the referral, in order: decision → transfer → arrival → treatment
    → outcome. Local handling or a refusal skips transfer and arrival."""
    critical = (
        CriticalValue.objects.select_for_update().select_related("exam__clinic").get(pk=critical.pk)
    )
    if not _can_follow(actor, critical):
        raise PermissionDenied(refusal(Cap.ECG_FOLLOW_CRITICAL))
    if step not in REFERRAL_ORDER:
        raise ValidationError({"step": "未知的转诊环节"})
    at = at or timezone.now()
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"at": "时间不能晚于现在"})
    referral = Referral.objects.select_for_update().filter(critical=critical).first()
    if step != ReferralStep.DECISION and referral is None:
        raise ValidationError({"step": "请先记录转诊决定"})
    if _step_done(referral, step):
        raise ValidationError({"step": "该环节已记录"})
    changes: dict[str, Any] = {"action": EcgAction.REFERRAL, "step": step, "at": at}
    if step == ReferralStep.DECISION:
        if decision not in ReferralDecision.values:
            raise ValidationError({"decision": "请选择转诊决定"})
        if at < critical.confirmed_at - timedelta(minutes=5):
            raise ValidationError({"at": "转诊决定不能早于危急值确认"})
        referral = Referral(
            critical=critical,
            decision=decision,
            decided_at=at,
            destination=destination,
            note=note.strip(),
        )
        referral.save()
        changes["decision"] = decision
    else:
        assert referral is not None
        _check_order(referral, step, at)
        _apply_step(referral, step, at, treatment, outcome)
        if note.strip():
            referral.note = (referral.note + "\n" + note.strip()).strip()
        referral.save()
        changes.update(treatment=treatment, outcome=outcome)
    if step == ReferralStep.OUTCOME:
        CriticalValue.objects.filter(pk=critical.pk).update(
            status=CriticalStatus.CLOSED, updated_at=timezone.now()
        )
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=critical, changes=changes)
    return referral


def _check_order(referral: Referral, step: str, at: datetime) -> None:
    skips_transport = referral.decision != ReferralDecision.REFER
    previous_times = [referral.decided_at]
    for earlier in REFERRAL_ORDER[1 : REFERRAL_ORDER.index(step)]:
        if skips_transport and earlier in (ReferralStep.TRANSFER, ReferralStep.ARRIVAL):
            continue
        value = getattr(referral, STEP_FIELDS[ReferralStep(earlier)][0])
        if value is None:
            raise ValidationError({"step": f"请先记录“{ReferralStep(earlier).label}”"})
        previous_times.append(value)
    if skips_transport and step in (ReferralStep.TRANSFER, ReferralStep.ARRIVAL):
        raise ValidationError({"step": "未决定转诊，无需记录转运"})
    if at < max(previous_times):
        raise ValidationError({"at": "时间不能早于上一环节"})


def _apply_step(referral: Referral, step: str, at: datetime, treatment: str, outcome: str) -> None:
    if step == ReferralStep.TRANSFER:
        referral.transfer_started_at = at
    elif step == ReferralStep.ARRIVAL:
        referral.arrived_at = at
    elif step == ReferralStep.TREATMENT:
        if treatment not in Treatment.values:
            raise ValidationError({"treatment": "请选择治疗方式"})
        referral.treatment, referral.treatment_at = treatment, at
    elif step == ReferralStep.OUTCOME:
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": "请选择转归"})
        referral.outcome, referral.outcome_at = outcome, at
