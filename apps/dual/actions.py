"""双报到双报告: organisations and in-service party members register with a community (报到),
pick needs or activities there, and their service is reported back to their own unit (报告)
every month.

Writes are actions: one transaction, the changing row locked, role and scope checked, one
audit event; the month-end notification goes out after commit.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, can, refusal, require
from apps.cases.models import Case
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.notifications.choices import NotificationKind
from apps.notifications.services import notify
from apps.orgs.models import Organisation
from apps.people.choices import PartyEmployment
from apps.people.models import PartyMember
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import DualKind, DualServiceStatus, RegistrationStatus
from .models import DualRegistration, DualReport, DualService
from .selectors import month_bounds, open_needs, report_lines

NOT_COMMUNITY_STAFF = refusal(Cap.SERVICES_DUAL)


def is_community_staff(user: Any, community: Place) -> bool:
    return can(user, Cap.SERVICES_DUAL, community)


def _is_member_self(user: Any, registration: DualRegistration) -> bool:
    member = registration.party_member
    return bool(user.is_authenticated and member and user.person_id == member.person_id)


@transaction.atomic
def do_register_dual(
    *,
    actor: User,
    organisation: Organisation,
    community: Place,
    party_member: PartyMember | None = None,
    contact: Any = None,
    registered_on: dt.date | None = None,
    note: str = "",
) -> DualRegistration:
    """报到: a unit (no `party_member`) or an in-service member of it registers with a
    community. Staff of the community record it approved; a party member registering
    themselves waits for the community's approval."""
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": "报到社区必须是社区/村"})
    self_service = bool(
        party_member is not None
        and actor.is_authenticated
        and actor.person_id == party_member.person_id
    )
    if not (self_service or is_community_staff(actor, community)):
        raise PermissionDenied(NOT_COMMUNITY_STAFF)
    if party_member is not None and party_member.employment != PartyEmployment.IN_SERVICE:
        raise ValidationError({"party_member": "双报到的党员应为在职党员"})
    kind = DualKind.MEMBER if party_member is not None else DualKind.UNIT
    duplicate = DualRegistration.objects.filter(community=community, kind=kind).filter(
        Q(party_member=party_member) if party_member else Q(organisation=organisation)
    )
    if duplicate.exists():
        raise ValidationError("已在该社区报到，不能重复报到")
    approved = is_community_staff(actor, community)
    row = DualRegistration.objects.create(
        kind=kind,
        organisation=organisation,
        party_member=party_member,
        community=community,
        registered_on=registered_on or timezone.localdate(),
        contact=contact,
        status=RegistrationStatus.APPROVED if approved else RegistrationStatus.PENDING,
        decided_by=actor if approved else None,
        decided_at=timezone.now() if approved else None,
        note=note.strip(),
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=row,
        changes={
            "kind": kind,
            "organisation": organisation.pk,
            "party_member": party_member.pk if party_member else None,
            "status": row.status,
        },
    )
    return row


@transaction.atomic
def do_decide_dual(
    registration: DualRegistration, *, actor: User, approve: bool, note: str = ""
) -> DualRegistration:
    locked = (
        DualRegistration.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=registration.pk)
    )
    require(actor, Cap.SERVICES_DUAL, locked.community)
    if locked.status != RegistrationStatus.PENDING:
        raise ValidationError(f"该报到已{locked.get_status_display()}，不能再审核")
    if not approve and not note.strip():
        raise ValidationError({"note": "请填写未通过的理由"})
    status = RegistrationStatus.APPROVED if approve else RegistrationStatus.DECLINED
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    if note.strip():
        locked.note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "note", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={"status": [RegistrationStatus.PENDING, status]},
    )
    return locked


@transaction.atomic
def do_pick_need(
    registration: DualRegistration,
    *,
    actor: User,
    case: Case | None = None,
    activity_id: int | None = None,
    title: str = "",
) -> DualService:
    """认领: the registered member (or community staff for a unit or member) picks an open need
    of the community, or an activity by its number."""
    locked = (
        DualRegistration.objects.select_for_update(of=("self",))
        .select_related("community", "party_member")
        .get(pk=registration.pk)
    )
    if not (_is_member_self(actor, locked) or is_community_staff(actor, locked.community)):
        raise PermissionDenied(NOT_COMMUNITY_STAFF)
    if locked.status != RegistrationStatus.APPROVED:
        raise ValidationError("报到尚未通过审核，不能认领")
    if case is None and activity_id is None:
        raise ValidationError("请选择要认领的需求或活动")
    if case is not None:
        if not open_needs(locked.community).filter(pk=case.pk).exists():
            raise ValidationError({"case": "该需求不在报到社区，或已办结"})
        if DualService.objects.filter(
            registration=locked, case=case, status__in=[DualServiceStatus.PICKED]
        ).exists():
            raise ValidationError({"case": "已认领该需求"})
        title = title.strip() or case.title
    title = title.strip() or f"活动 #{activity_id}"
    row = DualService.objects.create(
        registration=locked,
        case=case,
        activity_id=activity_id,
        title=title[:100],
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=row,
        changes={"case": row.case_id, "activity": activity_id, "title": row.title},
    )
    return row


@transaction.atomic
def do_complete_dual_service(
    service: DualService,
    *,
    actor: User,
    served_on: dt.date,
    hours: Decimal | float | str,
) -> DualService:
    """Community staff confirm the service was done, with its date and hours."""
    locked = (
        DualService.objects.select_for_update(of=("self",))
        .select_related("registration__community")
        .get(pk=service.pk)
    )
    require(actor, Cap.SERVICES_DUAL, locked.registration.community)
    if locked.status != DualServiceStatus.PICKED:
        raise ValidationError(f"该服务已{locked.get_status_display()}")
    amount = Decimal(str(hours)).quantize(Decimal("0.1"))
    if not Decimal("0") < amount <= Decimal("24"):
        raise ValidationError({"hours": "服务时长应在 0.1 到 24 小时之间"})
    if served_on > timezone.localdate():
        raise ValidationError({"served_on": "服务日期不能晚于今天"})
    locked.status = DualServiceStatus.DONE
    locked.served_on = served_on
    locked.hours = amount
    locked.save(update_fields=["status", "served_on", "hours", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={"status": ["picked", "done"], "hours": str(amount), "on": served_on.isoformat()},
    )
    return locked


# --- 双报告: the monthly report ------------------------------------------------------------


@transaction.atomic
def do_generate_dual_reports(month: dt.date, *, actor: User | None = None) -> list[DualReport]:
    """Write the month's report rows (idempotent: a rerun updates them) and notify each unit's
    contact once per row."""
    first, _ = month_bounds(month)
    now = timezone.now()
    lines = report_lines(first)
    existing = {
        (r.organisation_id, r.community_id): r
        for r in DualReport.objects.select_for_update().filter(month=first)
    }
    out: list[DualReport] = []
    for line in lines:
        row = existing.pop((line.organisation_id, line.community_id), None)
        if row is None:
            row = DualReport(
                organisation_id=line.organisation_id, community_id=line.community_id, month=first
            )
        row.members, row.services, row.hours = line.members, line.services, line.hours
        row.generated_at = now
        row.save()
        out.append(row)
    for stale in existing.values():  # services later cancelled or moved to another month
        stale.members, stale.services, stale.hours, stale.generated_at = 0, 0, Decimal("0"), now
        stale.save(update_fields=["members", "services", "hours", "generated_at"])
        out.append(stale)
    _notify_contacts([r for r in out if r.notified_at is None and r.services], now)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        object_type="services.dualreport",
        object_id=first.isoformat(),
        object_repr=f"双报告 {first:%Y-%m}",
        changes={"rows": len(out), "services": sum(r.services for r in out)},
    )
    return out


def _notify_contacts(rows: list[DualReport], now: dt.datetime) -> None:
    if not rows:
        return
    contacts: dict[tuple[int, int], set[int]] = {}
    for reg in DualRegistration.objects.filter(
        organisation_id__in={r.organisation_id for r in rows},
        status=RegistrationStatus.APPROVED,
        contact__isnull=False,
    ).values("organisation_id", "community_id", "contact_id"):
        key = (reg["organisation_id"], reg["community_id"])
        contacts.setdefault(key, set()).add(reg["contact_id"])
    for row in DualReport.objects.filter(pk__in=[r.pk for r in rows]).select_related(
        "organisation", "community"
    ):
        users = contacts.get((row.organisation_id, row.community_id))
        if not users:
            continue
        notify(
            users,
            f"双报告：{row.organisation.name} {row.month.year}年{row.month.month}月服务情况",
            f"在{row.community.name}：服务党员 {row.members} 人，服务 {row.services} 次，"
            f"共 {row.hours} 小时。",
            url=f"{reverse('dual:reports')}?month={row.month:%Y-%m}",
            obj=row,
            kind=NotificationKind.SERVICES_DUAL_REPORT,
        )
        DualReport.objects.filter(pk=row.pk).update(notified_at=now)
