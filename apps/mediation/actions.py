"""Writes of dispute mediation: register a mediator, open a mediation on a dispute case,
record a session, record the outcome, and resolve the case on an agreement through the case
engine. Each is atomic, role- and scope-checked and audited."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.cases.actions import do_transition
from apps.cases.choices import OPEN_STATUSES, RESOLVED_STATUSES, Action, CaseKind
from apps.cases.models import Case
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.people.models import Person
from apps.places.models import Place

from .choices import MediationStatus, MediatorKind, Referral
from .models import Mediation, MediationSession, Mediator


def _seated(mediation: Mediation, person_id: int) -> bool:
    return mediation.mediators.filter(person_id=person_id).exists()


def check_may_mediate(actor: User, case: Case, mediation: Mediation | None = None) -> None:
    def handler_or_mediator() -> bool:
        if case.assignee_id is not None and case.assignee_id == actor.pk:
            return True
        person_id = getattr(actor, "person_id", None)
        return mediation is not None and person_id is not None and _seated(mediation, person_id)

    require(actor, Cap.MEDIATION_RUN, case.place, unless=handler_or_mediator)


@transaction.atomic
def do_register_mediator(
    *, actor: User, person: Person, area: Place, kind: str, unit: str = ""
) -> Mediator:
    """Put a person on the mediator list of an area (三官一律 or 人民调解员)."""
    area = Place.objects.select_for_update().get(pk=area.pk)
    require(actor, Cap.MEDIATION_MANAGE, area)
    if kind not in MediatorKind.values:
        raise ValidationError({"kind": "调解员类型不在可选范围内"})
    if Mediator.objects.filter(person=person, area=area, kind=kind).exists():
        raise ValidationError(
            {"person": f"{person.name}已是{area.name}的{MediatorKind(kind).label}"}
        )
    mediator = Mediator.objects.create(person=person, area=area, kind=kind, unit=unit.strip())
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=mediator,
        changes={"person": person.pk, "area": area.pk, "kind": kind},
    )
    return mediator


@transaction.atomic
def do_set_mediator_active(*, actor: User, mediator: Mediator, active: bool) -> Mediator:
    mediator = Mediator.objects.select_for_update().select_related("area").get(pk=mediator.pk)
    require(actor, Cap.MEDIATION_MANAGE, mediator.area)
    if mediator.active == active:
        return mediator
    changes = {"active": [mediator.active, active]}
    mediator.active = active
    mediator.save(update_fields=["active", "updated_at"])
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=mediator, changes=changes)
    return mediator


def _check_mediators(case: Case, mediators: list[Mediator]) -> None:
    if not mediators:
        raise ValidationError({"mediators": "请至少选择一名调解员"})
    for mediator in mediators:
        if not mediator.active:
            raise ValidationError({"mediators": f"{mediator.person.name}已不在岗"})
        if not case.place.is_within(mediator.area):
            raise ValidationError({"mediators": f"{mediator.person.name}不负责该纠纷所在区域"})


def _clean_parties(parties: Iterable[str]) -> list[str]:
    names = [p.strip()[:50] for p in parties if p and p.strip()]
    if not names:
        raise ValidationError({"parties": "请填写当事人"})
    return names


@transaction.atomic
def do_open_mediation(
    case: Case, *, actor: User, mediators: Iterable[Mediator], parties: Iterable[str]
) -> Mediation:
    """发起调解 on an open dispute case, with its mediators and parties."""
    case = Case.objects.select_for_update(of=("self",)).select_related("place").get(pk=case.pk)
    check_may_mediate(actor, case)
    if case.kind != CaseKind.DISPUTE:
        raise ValidationError("只有纠纷类事项可以调解")
    if case.status not in OPEN_STATUSES:
        raise ValidationError(f"该事项当前状态为“{case.get_status_display()}”，不能发起调解")
    if Mediation.objects.filter(case=case).exists():
        raise ValidationError("该纠纷已在调解")
    chosen = list(
        Mediator.objects.filter(pk__in=[m.pk for m in mediators]).select_related("person", "area")
    )
    _check_mediators(case, chosen)
    names = _clean_parties(parties)
    mediation = Mediation.objects.create(case=case, parties=names, created_by=actor)
    mediation.mediators.set(chosen)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=mediation,
        changes={"case": case.pk, "mediators": [m.pk for m in chosen], "parties": names},
    )
    return mediation


def _lock(mediation: Mediation) -> Mediation:
    return (
        Mediation.objects.select_for_update(of=("self",))
        .select_related("case__place")
        .get(pk=mediation.pk)
    )


def _check_open(mediation: Mediation) -> None:
    if mediation.status != MediationStatus.OPEN:
        raise ValidationError(f"该调解已结束（{mediation.get_status_display()}）")


@transaction.atomic
def do_record_session(
    mediation: Mediation,
    *,
    actor: User,
    held_on: dt.date | None = None,
    location: str,
    participants: str,
    notes: str = "",
) -> MediationSession:
    mediation = _lock(mediation)
    check_may_mediate(actor, mediation.case, mediation)
    _check_open(mediation)
    held_on = held_on or timezone.localdate()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "调解日期不能晚于今天"})
    if not location.strip():
        raise ValidationError({"location": "请填写调解地点"})
    if not participants.strip():
        raise ValidationError({"participants": "请填写参加人员"})
    session = MediationSession.objects.create(
        mediation=mediation,
        held_on=held_on,
        location=location.strip()[:100],
        participants=participants.strip()[:300],
        notes=notes.strip(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=session,
        changes={"mediation": mediation.pk, "held_on": held_on.isoformat()},
    )
    return session


@transaction.atomic
def do_record_outcome(
    mediation: Mediation,
    *,
    actor: User,
    agreed: bool,
    agreement: str = "",
    agreed_on: dt.date | None = None,
    failure_reason: str = "",
    referral: str = "",
    referral_note: str = "",
) -> Mediation:
    """调解结果: an agreement (协议内容 and date), or no agreement with a reason and the
    referral (诉讼, 仲裁 …). Either ends the mediation; the case stays with its handler."""
    mediation = _lock(mediation)
    check_may_mediate(actor, mediation.case, mediation)
    _check_open(mediation)
    if not mediation.sessions.exists():
        raise ValidationError("请先登记至少一次调解会")
    if agreed:
        agreed_on = agreed_on or timezone.localdate()
        if not agreement.strip():
            raise ValidationError({"agreement": "请填写协议内容"})
        if agreed_on > timezone.localdate():
            raise ValidationError({"agreed_on": "协议日期不能晚于今天"})
        mediation.status = MediationStatus.AGREED
        mediation.agreement = agreement.strip()
        mediation.agreed_on = agreed_on
    else:
        if not failure_reason.strip():
            raise ValidationError({"failure_reason": "请填写未达成协议的原因"})
        if referral not in Referral.values:
            raise ValidationError({"referral": "请选择分流去向"})
        mediation.status = MediationStatus.FAILED
        mediation.failure_reason = failure_reason.strip()[:200]
        mediation.referral = referral
        mediation.referral_note = referral_note.strip()[:200]
    mediation.concluded_at = timezone.now()
    fields = [
        "status",
        "agreement",
        "agreed_on",
        "failure_reason",
        "referral",
        "referral_note",
        "concluded_at",
        "updated_at",
    ]
    mediation.save(update_fields=fields)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=mediation,
        changes={"status": [MediationStatus.OPEN, mediation.status], "referral": referral},
    )
    return mediation


@transaction.atomic
def do_resolve_by_agreement(mediation: Mediation, *, actor: User, note: str = "") -> Case:
    """办结 the dispute case on the recorded agreement, through the case engine: only the
    case's handler (承办人) may, and only while it is being handled (已接单 / 办理中) — the
    engine's own rule, with its own errors."""
    mediation = _lock(mediation)
    if mediation.status != MediationStatus.AGREED:
        raise ValidationError("调解未达成协议，不能据此办结")
    if mediation.case.status in RESOLVED_STATUSES:
        raise ValidationError("该纠纷事项已办结")
    text = f"调解达成协议（{mediation.agreed_on:%Y-%m-%d}）：{mediation.agreement[:300]}"
    if note.strip():
        text = f"{text}\n{note.strip()}"
    case = do_transition(mediation.case, Action.RESOLVE, actor=actor, note=text)
    audit.record(
        actor=actor, verb=AuditVerb.UPDATE, obj=mediation, changes={"resolved_case": case.pk}
    )
    return case
