"""Every write of volunteer services: hours (record, approve, decline) and points (grant,
redeem, donate). Each action is one transaction that locks the row whose state changes, checks
the actor's role and scope, and writes one audit event."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.permissions import Cap, can, require
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.people.models import Volunteer
from apps.places.models import Place

from .choices import HoursStatus, PointsKind
from .models import PointsAccount, PointsEntry, RewardItem, ServiceHours


def is_service_staff(user: Any, volunteer: Volunteer) -> bool:
    """Staff of a service role whose scope holds the volunteer's place."""
    return can(user, Cap.SERVICES_REVIEW_HOURS, volunteer.person.place)


def _is_self(user: Any, volunteer: Volunteer) -> bool:
    return bool(user.is_authenticated and user.person_id == volunteer.person_id)


def points_per_hour() -> int:
    return int(settings.SERVICES_POINTS_PER_HOUR)


def _locked_account(volunteer: Volunteer) -> PointsAccount:
    PointsAccount.objects.get_or_create(volunteer=volunteer)
    return PointsAccount.objects.select_for_update().get(volunteer=volunteer)


def _post(
    account: PointsAccount, kind: str, amount: int, *, actor: Any, **fields: Any
) -> PointsEntry:
    """Append a ledger line to a locked account and move its balance by the same amount."""
    if account.balance + amount < 0:
        raise ValidationError({"amount": f"积分不足：余额 {account.balance} 分，需要 {-amount} 分"})
    entry = PointsEntry.objects.create(
        account=account, kind=kind, amount=amount, created_by=actor, **fields
    )
    account.balance += amount
    account.save(update_fields=["balance"])
    return entry


@transaction.atomic
def do_record_hours(
    volunteer: Volunteer,
    *,
    actor: Any,
    hours: Decimal | float | str,
    served_on: dt.date,
    case: Any = None,
    activity: str = "",
    note: str = "",
) -> ServiceHours:
    """Record hours served (pending until approved). Staff in scope, or the volunteer."""
    if not (_is_self(actor, volunteer) or is_service_staff(actor, volunteer)):
        raise PermissionDenied("您不能登记该志愿者的服务时长")
    amount = Decimal(str(hours)).quantize(Decimal("0.1"))
    if not Decimal("0") < amount <= Decimal("24"):
        raise ValidationError({"hours": "服务时长应在 0.1 到 24 小时之间"})
    activity = (activity or "").strip()
    if case is None and not activity:
        raise ValidationError({"activity": "请填写服务的工单或活动"})
    if served_on > timezone.localdate():
        raise ValidationError({"served_on": "服务日期不能晚于今天"})
    row = ServiceHours.objects.create(
        volunteer=volunteer,
        case=case,
        activity=activity,
        served_on=served_on,
        hours=amount,
        note=note.strip(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=row,
        changes={"hours": str(amount), "case": row.case_id, "activity": activity},
    )
    return row


def _decide(row: ServiceHours, actor: Any, status: str, note: str) -> ServiceHours:
    locked = (
        ServiceHours.objects.select_for_update(of=("self",))
        .select_related("volunteer__person__place")
        .get(pk=row.pk)
    )
    label = HoursStatus(status).label
    require(
        actor,
        Cap.SERVICES_REVIEW_HOURS,
        locked.volunteer.person.place,
        what=f"审核服务时长（{label}）",
    )
    if locked.status != HoursStatus.PENDING:
        raise ValidationError(f"该时长已{locked.get_status_display()}，不能再审核")
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    return locked


@transaction.atomic
def do_approve_hours(row: ServiceHours, *, actor: Any, note: str = "") -> ServiceHours:
    """Approve pending hours; the volunteer earns points for them in the same transaction."""
    locked = _decide(row, actor, HoursStatus.APPROVED, note)
    earned = int(locked.hours * points_per_hour())
    if earned > 0:
        account = _locked_account(locked.volunteer)
        _post(account, PointsKind.EARNED, earned, actor=actor, hours=locked, note="服务时长认定")
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={"status": [HoursStatus.PENDING, HoursStatus.APPROVED], "points": earned},
    )
    return locked


@transaction.atomic
def do_decline_hours(row: ServiceHours, *, actor: Any, note: str = "") -> ServiceHours:
    """Decline pending hours (with a reason). The row stays, declined, and never counts."""
    if not note.strip():
        raise ValidationError({"note": "请填写不予认定的理由"})
    locked = _decide(row, actor, HoursStatus.DECLINED, note)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={"status": [HoursStatus.PENDING, HoursStatus.DECLINED], "note": note.strip()},
    )
    return locked


def _positive(amount: int) -> int:
    if not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": "积分应为正整数"})
    return amount


@transaction.atomic
def do_grant_points(volunteer: Volunteer, amount: int, *, actor: Any, note: str) -> PointsEntry:
    """Grant points as a reward (表彰奖励). Staff in scope, with a reason."""
    require(actor, Cap.SERVICES_REVIEW_HOURS, volunteer.person.place, what="发放积分")
    if not note.strip():
        raise ValidationError({"note": "请填写发放理由"})
    account = _locked_account(volunteer)
    entry = _post(account, PointsKind.GRANTED, _positive(amount), actor=actor, note=note.strip())
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=account, changes={"granted": amount})
    return entry


@transaction.atomic
def do_donate_points(volunteer: Volunteer, amount: int, *, actor: Any, note: str) -> PointsEntry:
    """Donate points (to a fund or a cause named in `note`). The volunteer or staff in scope."""
    if not (_is_self(actor, volunteer) or is_service_staff(actor, volunteer)):
        raise PermissionDenied("您不能捐赠该志愿者的积分")
    if not note.strip():
        raise ValidationError({"note": "请填写捐赠去向"})
    account = _locked_account(volunteer)
    entry = _post(account, PointsKind.DONATED, -_positive(amount), actor=actor, note=note.strip())
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=account, changes={"donated": amount})
    return entry


@transaction.atomic
def do_redeem(volunteer: Volunteer, item: RewardItem, *, actor: Any) -> PointsEntry:
    """Redeem one catalogue item: the account row and the item row are locked, so neither the
    balance nor the stock can go below zero however many redemptions race."""
    if not (_is_self(actor, volunteer) or is_service_staff(actor, volunteer)):
        raise PermissionDenied("您不能为该志愿者兑换")
    account = _locked_account(volunteer)
    locked_item = RewardItem.objects.select_for_update().get(pk=item.pk)
    if not locked_item.active:
        raise ValidationError("该物品已下架")
    if locked_item.stock <= 0:
        raise ValidationError(f"“{locked_item.name}”已兑完")
    entry = _post(
        account,
        PointsKind.REDEEMED,
        -locked_item.cost,
        actor=actor,
        item=locked_item,
        note=f"兑换{locked_item.name}",
    )
    locked_item.stock -= 1
    locked_item.save(update_fields=["stock", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=account,
        changes={"redeemed": locked_item.name, "cost": locked_item.cost},
    )
    return entry


@transaction.atomic
def do_add_reward_item(
    community: Place, *, actor: Any, name: str, cost: int, stock: int
) -> RewardItem:
    """Put an item in the community's redemption catalogue."""
    require(actor, Cap.SERVICES_MANAGE_REWARDS, community)
    if not name.strip():
        raise ValidationError({"name": "请填写物品名称"})
    if cost <= 0 or stock < 0:
        raise ValidationError({"cost": "所需积分应为正整数，库存不能为负"})
    item = RewardItem.objects.create(community=community, name=name.strip(), cost=cost, stock=stock)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=item,
        changes={"name": item.name, "cost": cost, "stock": stock},
    )
    return item


@transaction.atomic
def do_restock_reward_item(item: RewardItem, *, actor: Any, add: int) -> RewardItem:
    """Add stock to an item (the row is locked, so a racing redemption is counted right)."""
    locked = RewardItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    require(actor, Cap.SERVICES_MANAGE_REWARDS, locked.community)
    if add <= 0:
        raise ValidationError({"add": "补充数量应为正整数"})
    locked.stock += add
    locked.save(update_fields=["stock", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={"stock": [locked.stock - add, locked.stock]},
    )
    return locked
