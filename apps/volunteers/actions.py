"""Every write on volunteers: registration (by staff, or a resident's self-registration and
its approval), certificates, training records, availability exceptions, no-shows, service hours
(record, approve, decline) and points (grant, redeem, donate).

Each action is one transaction that locks the row whose state changes, checks the actor's role
and scope, and writes one audit event.
"""

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.permissions import Cap, can, require
from apps.core import audit, crypto
from apps.core.choices import AuditVerb
from apps.core.validators import normalise_phone, phone_error
from apps.orgs.models import Organisation
from apps.people.actions import check_org, do_create_person
from apps.people.models import Person, Skill
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .choices import (
    ApplicationStatus,
    ExceptionKind,
    HoursStatus,
    PointsKind,
    TrainingKind,
    VolunteerStatus,
)
from .models import (
    AvailabilityException,
    NoShow,
    PointsAccount,
    PointsEntry,
    RewardItem,
    ServiceHours,
    Training,
    Volunteer,
    VolunteerApplication,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SLOT_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")

# --- the registry ------------------------------------------------------------------------

R = TypeVar("R", ServiceHours, NoShow)


def availability_error(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return '可服务时间格式应为 {"mon": ["08:00-12:00"]}'
    for day, slots in value.items():
        if day not in WEEKDAYS:
            return f"可服务时间中的星期“{day}”无效（应为 mon…sun）"
        if not isinstance(slots, list) or not all(
            isinstance(s, str) and _SLOT_RE.match(s) and s[:5] < s[6:] for s in slots
        ):
            return f"可服务时间“{day}”的时段应写成 08:00-12:00"
    return None


def certificates_error(value: Any) -> str | None:
    if not isinstance(value, list) or not all(
        isinstance(c, Mapping) and str(c.get("name", "")).strip() for c in value
    ):
        return "证书应为列表，每项至少有名称"
    return None


@transaction.atomic
def do_register_volunteer(
    person: Person,
    *,
    actor: User,
    skills: Iterable[Skill | str] = (),
    certificates: list[dict[str, Any]] | None = None,
    availability: dict[str, list[str]] | None = None,
    status: str = VolunteerStatus.ACTIVE,
    organisation: Organisation | None = None,
    registered_on: dt.date | None = None,
) -> Volunteer:
    """Register the person as a volunteer (or update the registration)."""
    require(actor, Cap.PEOPLE_EDIT, person.place)
    certificates = certificates or []
    availability = availability or {}
    errors = {
        "certificates": certificates_error(certificates),
        "availability": availability_error(availability),
        "status": None if status in VolunteerStatus.values else "志愿者状态不在可选范围内",
    }
    if any(errors.values()):
        raise ValidationError({k: v for k, v in errors.items() if v})
    check_org(organisation, actor, "organisation", party=False)
    skill_list = list(skills)
    codes = [s for s in skill_list if isinstance(s, str)]
    found = list(Skill.objects.filter(code__in=codes)) if codes else []
    if len(found) != len(set(codes)):
        known = {s.code for s in found}
        raise ValidationError(
            {"skills": f"未知的技能：{'、'.join(c for c in codes if c not in known)}"}
        )
    skill_objs = [s for s in skill_list if isinstance(s, Skill)] + found
    volunteer = Volunteer.objects.select_for_update().filter(person=person).first()
    created = volunteer is None
    if volunteer is None:
        volunteer = Volunteer(person=person, registered_on=registered_on or dt.date.today())
    elif registered_on:
        volunteer.registered_on = registered_on
    volunteer.status = status
    volunteer.certificates = [dict(c) for c in certificates]
    volunteer.availability = dict(availability)
    volunteer.organisation = organisation
    volunteer.save()
    volunteer.skills.set(skill_objs)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE if created else AuditVerb.UPDATE,
        obj=volunteer,
        changes={
            "status": status,
            "skills": sorted(s.code for s in skill_objs),
            "certificates": len(certificates),
            "availability": availability,
        },
    )
    return volunteer


# --- hours and points --------------------------------------------------------------------


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
    account: PointsAccount, kind: str, amount: int, *, actor: User, **fields: Any
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
    actor: User,
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
    activity = _case_or_activity(
        case, activity, served_on, "served_on", "请填写服务的工单或活动", "服务日期不能晚于今天"
    )
    return _create_recorded(
        ServiceHours,
        actor,
        {"hours": str(amount), "case": _pk(case), "activity": activity},
        volunteer=volunteer,
        case=case,
        activity=activity,
        served_on=served_on,
        hours=amount,
        note=note.strip(),
    )


def _case_or_activity(
    case: Any, activity: str, day: dt.date, day_field: str, missing: str, future: str
) -> str:
    """The activity (stripped) of a row about an order or an activity on `day`: refused when
    it names neither (`missing`) or when `day` is after today (`future`, on `day_field`)."""
    activity = (activity or "").strip()
    if case is None and not activity:
        raise ValidationError({"activity": missing})
    if day > timezone.localdate():
        raise ValidationError({day_field: future})
    return activity


def _pk(row: Any) -> Any:
    return None if row is None else row.pk


def _create_recorded(model: type[R], actor: User, changes: dict[str, Any], **fields: Any) -> R:
    """Create a row entered by `actor` (its `recorded_by`) and audit its creation."""
    row = model.objects.create(recorded_by=actor, **fields)
    audit.record(actor=actor, verb=AuditVerb.CREATE, obj=row, changes=changes)
    return row


def _decide(row: ServiceHours, actor: User, status: str, note: str) -> ServiceHours:
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
def do_approve_hours(row: ServiceHours, *, actor: User, note: str = "") -> ServiceHours:
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
def do_decline_hours(row: ServiceHours, *, actor: User, note: str = "") -> ServiceHours:
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
def do_grant_points(volunteer: Volunteer, amount: int, *, actor: User, note: str) -> PointsEntry:
    """Grant points as a reward (表彰奖励). Staff in scope, with a reason."""
    require(actor, Cap.SERVICES_REVIEW_HOURS, volunteer.person.place, what="发放积分")
    if not note.strip():
        raise ValidationError({"note": "请填写发放理由"})
    account = _locked_account(volunteer)
    entry = _post(account, PointsKind.GRANTED, _positive(amount), actor=actor, note=note.strip())
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=account, changes={"granted": amount})
    return entry


@transaction.atomic
def do_donate_points(volunteer: Volunteer, amount: int, *, actor: User, note: str) -> PointsEntry:
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
def do_redeem(volunteer: Volunteer, item: RewardItem, *, actor: User) -> PointsEntry:
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
    community: Place, *, actor: User, name: str, cost: int, stock: int
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
def do_restock_reward_item(item: RewardItem, *, actor: User, add: int) -> RewardItem:
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


# --- self-registration -------------------------------------------------------------------


@transaction.atomic
def do_submit_application(
    *,
    community: Place,
    name: str,
    phone: str,
    address: str,
    skills: list[Skill],
    availability: dict[str, list[str]],
    certificates: list[str],
    motivation: str,
    form_token: str,
) -> tuple[VolunteerApplication, bool]:
    """A resident applies to volunteer (no account). Idempotent on the form's token: a second
    submit of the same form returns the first application. Returns (application, created)."""
    existing = VolunteerApplication.objects.filter(form_token=form_token).first()
    if existing is not None:
        return existing, False
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": "请选择所在社区/村"})
    phone = normalise_phone(phone)
    errors = {
        "name": None if name.strip() else "请填写姓名",
        "phone": phone_error(phone),
        "address": None if address.strip() else "请填写住址",
        "availability": availability_error(availability),
    }
    if any(errors.values()):
        raise ValidationError({k: v for k, v in errors.items() if v})
    index = crypto.blind_index(phone)
    if VolunteerApplication.objects.filter(
        community=community, phone_index=index, status=ApplicationStatus.PENDING
    ).exists():
        raise ValidationError({"phone": "该电话已有一份待审核的申请，请耐心等待社区联系"})
    application = VolunteerApplication.objects.create(
        community=community,
        name=name.strip(),
        phone_enc=crypto.encrypt(phone),
        phone_index=index,
        phone_masked=crypto.mask_phone(phone),
        address=address.strip(),
        availability=availability,
        certificates=[{"name": c.strip()} for c in certificates if c.strip()],
        motivation=motivation.strip(),
        form_token=form_token,
    )
    application.skills.set(skills)
    audit.record(
        actor=None,
        verb=AuditVerb.CREATE,
        obj=application,
        changes={
            "name": application.name,
            "phone": application.phone_masked,
            "skills": sorted(s.code for s in skills),
        },
    )
    return application, True


@dataclass
class Approval:
    application: VolunteerApplication
    volunteer: Volunteer
    username: str
    # Set only when an account was opened: shown once to the approving staff member.
    initial_password: str = ""


def _person_for(application: VolunteerApplication, place: Place | None, actor: User) -> Person:
    """The registered resident with the application's phone in the community, else a new
    person at the household staff chose."""
    found = (
        Person.objects.filter(
            subtree_q(application.community, "place"),
            phone_index=application.phone_index,
            active=True,
        )
        .order_by("id")
        .first()
    )
    if found is not None:
        return found
    if place is None:
        raise ValidationError({"place": "未在本社区找到该电话登记的居民，请选择其住址（户）"})
    if not Place.objects.filter(subtree_q(application.community, ""), pk=place.pk).exists():
        raise ValidationError({"place": "住址必须在申请的社区内"})
    return do_create_person(
        actor=actor,
        name=application.name,
        place=place,
        phone=crypto.decrypt(application.phone_enc),
    )


def _register(application: VolunteerApplication, person: Person, actor: User) -> Volunteer:
    """Register (or re-activate) the volunteer with the application's skills, availability and
    certificates added to what is already on record."""
    current = Volunteer.objects.filter(person=person).first()
    skills = set(application.skills.all())
    certificates = list(current.certificates) if current else []
    held = {str(c.get("name")) for c in certificates}
    certificates += [c for c in application.certificates if c["name"] not in held]
    if current is not None:
        skills |= set(current.skills.all())
    return do_register_volunteer(
        person,
        actor=actor,
        skills=sorted(skills, key=lambda s: s.code),
        certificates=certificates,
        availability=application.availability or (current.availability if current else {}),
        status=VolunteerStatus.ACTIVE,
        organisation=current.organisation if current else None,
        registered_on=None if current else timezone.localdate(),
    )


def _account(application: VolunteerApplication, person: Person) -> tuple[Any, str]:
    """The person's account, or a new volunteer account scoped to the community (as every
    volunteer account is) with a one-time initial password."""
    user_model = get_user_model()
    existing = user_model.objects.filter(person=person, is_active=True).order_by("id").first()
    if existing is not None:
        return existing, ""
    password = secrets.token_urlsafe(9)
    user = user_model(
        username=f"vol{application.pk:06d}",
        role=Role.VOLUNTEER,
        scope=application.community,
        person=person,
        display_name=person.name,
    )
    user.set_password(password)
    user.save()
    return user, password


@transaction.atomic
def do_approve_application(
    application: VolunteerApplication, *, actor: User, place: Place | None = None, note: str = ""
) -> Approval:
    """Approve: the resident (found by phone in the community, or created at `place`) becomes
    an active volunteer, with an account of the volunteer role if they have none."""
    locked = (
        VolunteerApplication.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=application.pk)
    )
    require(actor, Cap.SERVICES_REVIEW_APPLICATIONS, locked.community)
    if locked.status != ApplicationStatus.PENDING:
        raise ValidationError(f"该申请已{locked.get_status_display()}，不能再审核")
    person = _person_for(locked, place, actor)
    volunteer = _register(locked, person, actor)
    user, password = _account(locked, person)
    locked.status = ApplicationStatus.APPROVED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.volunteer = volunteer
    locked.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "volunteer",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={
            "status": [ApplicationStatus.PENDING, ApplicationStatus.APPROVED],
            "volunteer": volunteer.pk,
            "account": user.username,
            "account_created": bool(password),
        },
    )
    return Approval(locked, volunteer, user.username, password)


@transaction.atomic
def do_decline_application(
    application: VolunteerApplication, *, actor: User, note: str
) -> VolunteerApplication:
    if not note.strip():
        raise ValidationError({"note": "请填写未通过的理由"})
    locked = (
        VolunteerApplication.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=application.pk)
    )
    require(actor, Cap.SERVICES_REVIEW_APPLICATIONS, locked.community)
    if locked.status != ApplicationStatus.PENDING:
        raise ValidationError(f"该申请已{locked.get_status_display()}，不能再审核")
    locked.status = ApplicationStatus.DECLINED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={"status": [ApplicationStatus.PENDING, ApplicationStatus.DECLINED]},
    )
    return locked


# --- certificates --------------------------------------------------------------------------


def _reregister(volunteer: Volunteer, actor: User, certificates: list[dict[str, Any]]) -> Volunteer:
    return do_register_volunteer(
        volunteer.person,
        actor=actor,
        skills=list(volunteer.skills.all()),
        certificates=certificates,
        availability=volunteer.availability,
        status=volunteer.status,
        organisation=volunteer.organisation,
    )


@transaction.atomic
def do_add_certificate(
    volunteer: Volunteer,
    *,
    actor: User,
    name: str,
    number: str = "",
    issued_on: dt.date | None = None,
) -> Volunteer:
    """Add a certificate (持证社工, 急救员证 …) to the volunteer's record."""
    require(actor, Cap.SERVICES_REVIEW_HOURS, volunteer.person.place, what="登记证书")
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写证书名称"})
    certificates = list(locked.certificates or [])
    if any(str(c.get("name")) == name for c in certificates):
        raise ValidationError({"name": f"已登记“{name}”"})
    entry: dict[str, Any] = {"name": name}
    if number.strip():
        entry["number"] = number.strip()
    if issued_on:
        entry["issued_on"] = issued_on.isoformat()
    return _reregister(locked, actor, [*certificates, entry])


@transaction.atomic
def do_remove_certificate(volunteer: Volunteer, *, actor: User, name: str) -> Volunteer:
    require(actor, Cap.SERVICES_REVIEW_HOURS, volunteer.person.place, what="登记证书")
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    certificates = [c for c in locked.certificates or [] if str(c.get("name")) != name]
    if len(certificates) == len(locked.certificates or []):
        raise ValidationError({"name": f"未登记“{name}”"})
    return _reregister(locked, actor, certificates)


# --- training, availability exceptions, no-shows -----------------------------------------


@transaction.atomic
def do_record_training(
    volunteer: Volunteer,
    *,
    actor: User,
    title: str,
    kind: str,
    held_on: dt.date,
    hours: Decimal | float | str,
    organiser: str = "",
) -> Training:
    """Record a training (theory or practice) the volunteer attended. Staff in scope."""
    require(actor, Cap.SERVICES_REVIEW_HOURS, volunteer.person.place, what="登记培训")
    amount = Decimal(str(hours)).quantize(Decimal("0.1"))
    errors = {
        "title": None if title.strip() else "请填写培训内容",
        "kind": None if kind in TrainingKind.values else "培训类型应为理论或实践",
        "hours": None if Decimal("0") < amount <= Decimal("200") else "学时应在 0.1 到 200 之间",
        "held_on": None if held_on <= timezone.localdate() else "培训日期不能晚于今天",
    }
    if any(errors.values()):
        raise ValidationError({k: v for k, v in errors.items() if v})
    row = Training.objects.create(
        volunteer=volunteer,
        title=title.strip(),
        kind=kind,
        held_on=held_on,
        hours=amount,
        organiser=organiser.strip(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=row,
        changes={"title": row.title, "kind": kind, "hours": str(amount)},
    )
    return row


@transaction.atomic
def do_add_availability_exception(
    volunteer: Volunteer,
    *,
    actor: User,
    on: dt.date,
    kind: str,
    start: dt.time | None = None,
    end: dt.time | None = None,
    note: str = "",
) -> AvailabilityException:
    """A date off the weekly pattern: unavailable, or extra availability. The volunteer or
    staff in scope."""
    if not (_is_self(actor, volunteer) or is_service_staff(actor, volunteer)):
        raise PermissionDenied("您不能修改该志愿者的可服务时间")
    if kind not in ExceptionKind.values:
        raise ValidationError({"kind": "类型应为不可服务或临时可服务"})
    if (start is None) != (end is None) or (start and end and start >= end):
        raise ValidationError({"end": "请同时填写开始和结束时间，且结束晚于开始（全天则都不填）"})
    if kind == ExceptionKind.EXTRA and start is None:
        raise ValidationError({"start": "临时可服务请填写时段"})
    if on < timezone.localdate():
        raise ValidationError({"on": "日期不能早于今天"})
    row = AvailabilityException.objects.create(
        volunteer=volunteer,
        on=on,
        kind=kind,
        start=start,
        end=end,
        note=note.strip(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=row,
        changes={"on": on.isoformat(), "kind": kind, "span": str(row)},
    )
    return row


@transaction.atomic
def do_record_no_show(
    volunteer: Volunteer,
    *,
    actor: User,
    happened_on: dt.date,
    case: Any = None,
    activity: str = "",
    note: str = "",
) -> NoShow:
    """Record that the volunteer claimed an order or signed up for an activity and did not
    come. Staff in scope."""
    require(actor, Cap.SERVICES_REVIEW_HOURS, volunteer.person.place, what="登记爽约")
    activity = _case_or_activity(
        case, activity, happened_on, "happened_on", "请填写爽约的工单或活动", "日期不能晚于今天"
    )
    return _create_recorded(
        NoShow,
        actor,
        {"case": _pk(case), "activity": activity, "on": happened_on.isoformat()},
        volunteer=volunteer,
        case=case,
        activity=activity,
        happened_on=happened_on,
        note=note.strip(),
    )
