"""Every write of activities: create, change, cancel, sign-up (with its waiting list),
cancellation of a sign-up, check-in (QR code or staff), the volunteers' hours and photos.

Each action is one transaction. Sign-ups and check-ins lock the activity row first, so the
seats of one activity are counted by one writer at a time (no overbooking) and two check-ins of
one person find the same row (one row per person and activity is also a database constraint).
"""

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, can, require
from apps.cases import images
from apps.cases.errors import InvalidTransitionData
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q
from apps.volunteers.actions import do_record_hours
from apps.volunteers.models import Volunteer

from . import qr
from .choices import (
    ActivityKind,
    ActivityStatus,
    CheckinMethod,
    ParticipantRole,
    SignupSource,
    SignupStatus,
)
from .models import Activity, ActivityPhoto, Participation

EDITABLE = (
    "title",
    "kind",
    "description",
    "place",
    "address",
    "start_at",
    "end_at",
    "capacity",
    "project",
    "self_signup",
)


def is_activity_staff(user: Any, activity_place: Place) -> bool:
    """Staff of a managing role whose scope holds the place."""
    return can(user, Cap.ACTIVITIES_MANAGE, activity_place)


def may_manage(user: Any, activity: Activity) -> bool:
    """Managing staff in scope, or one of the activity's own organiser accounts."""
    return is_activity_staff(user, activity.place) or _organiser(user, activity)()


def _organiser(user: Any, activity: Activity) -> Callable[[], bool]:
    """The organiser accounts' way in (see `may_manage`), asked only when staff is refused."""
    return lambda: bool(
        user is not None
        and user.is_authenticated
        and activity.pk
        and activity.organisers.filter(pk=user.pk).exists()
    )


def _locked(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",)).select_related("place").get(pk=activity.pk)
    )


def _locked_for_manager(activity: Activity, actor: User, what: str) -> Activity:
    """The activity, locked, for a change by someone who may manage it (refused otherwise)."""
    locked = _locked(activity)
    require(actor, Cap.ACTIVITIES_MANAGE, locked.place, what=what, unless=_organiser(actor, locked))
    return locked


def _check_times(start_at: dt.datetime, end_at: dt.datetime) -> None:
    if end_at <= start_at:
        raise ValidationError({"end_at": "结束时间应晚于开始时间"})


def _check_values(kind: str, capacity: int | None) -> None:
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": "活动类型不在可选范围内"})
    if capacity is not None and capacity < 0:
        raise ValidationError({"capacity": "名额应为正整数（不限名额请留空）"})


def _set_relations(activity: Activity, relations: dict[str, Any]) -> None:
    for name in ("target_tags", "organisations", "organisers"):
        if relations.get(name) is not None:
            getattr(activity, name).set(relations[name])


@transaction.atomic
def do_create_activity(
    *,
    actor: User,
    place: Place,
    title: str,
    kind: str,
    start_at: dt.datetime,
    end_at: dt.datetime,
    capacity: int | None = None,
    description: str = "",
    address: str = "",
    project: str = "",
    self_signup: bool = True,
    target_tags: Any = None,
    organisations: Any = None,
    organisers: Any = None,
) -> Activity:
    """Register an activity at a place in the actor's scope."""
    require(actor, Cap.ACTIVITIES_CREATE, place)
    if not title.strip():
        raise ValidationError({"title": "请填写活动名称"})
    _check_times(start_at, end_at)
    _check_values(kind, capacity)
    activity = Activity.objects.create(
        place=place,
        title=title.strip(),
        kind=kind,
        start_at=start_at,
        end_at=end_at,
        capacity=capacity or None,
        description=description.strip(),
        address=address.strip(),
        project=project.strip(),
        self_signup=self_signup,
        created_by=actor,
    )
    _set_relations(
        activity,
        {"target_tags": target_tags, "organisations": organisations, "organisers": organisers},
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=activity,
        changes={
            "title": activity.title,
            "place": place.pk,
            "start_at": start_at,
            "end_at": end_at,
            "capacity": activity.capacity,
        },
    )
    return activity


@transaction.atomic
def do_update_activity(activity: Activity, *, actor: User, **fields: Any) -> Activity:
    """Change an activity's details. More seats move people up from the waiting list."""
    locked = _locked_for_manager(activity, actor, "修改该活动")
    if locked.cancelled:
        raise ValidationError("该活动已取消，不能修改")
    relations: dict[str, Any] = {
        k: fields.pop(k) for k in ("target_tags", "organisations", "organisers") if k in fields
    }
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "place" in fields and not can(actor, Cap.ACTIVITIES_CREATE, fields["place"]):
        raise PermissionDenied("您不能把活动改到该地点：地点不在您的管辖范围内")
    if "capacity" in fields:
        fields["capacity"] = fields["capacity"] or None
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = [getattr(old, "pk", old), getattr(value, "pk", value)]
            setattr(locked, name, value)
    _check_times(locked.start_at, locked.end_at)
    _check_values(locked.kind, locked.capacity)
    if changes:
        locked.save(update_fields=[*changes, "updated_at"])
    _set_relations(locked, relations)
    promoted = _promote(locked, actor)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={**changes, **({"promoted": promoted} if promoted else {})},
    )
    return locked


@transaction.atomic
def do_record_reach(
    activity: Activity,
    *,
    actor: User,
    online_viewers: int,
    walk_ins: int,
    summary: str = "",
) -> Activity:
    """Record what cannot be counted at the door: live-stream viewers (线上观看人次), people
    served on the spot without signing in, and a summary of the results."""
    locked = _locked_for_manager(activity, actor, "登记活动成效")
    if online_viewers < 0 or walk_ins < 0:
        raise ValidationError("人次不能为负数")
    before = [locked.online_viewers, locked.walk_ins]
    locked.online_viewers, locked.walk_ins = online_viewers, walk_ins
    locked.summary = summary.strip()
    locked.save(update_fields=["online_viewers", "walk_ins", "summary", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={"online_viewers": [before[0], online_viewers], "walk_ins": [before[1], walk_ins]},
    )
    return locked


@transaction.atomic
def do_cancel_activity(activity: Activity, *, actor: User, reason: str) -> Activity:
    """Call an activity off (with a reason). Sign-ups stay as they were, for the record."""
    locked = _locked_for_manager(activity, actor, "取消该活动")
    if not reason.strip():
        raise ValidationError({"reason": "请填写取消原因"})
    if locked.cancelled:
        raise ValidationError("该活动已取消")
    locked.status = ActivityStatus.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=locked,
        changes={"status": [ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED], "reason": reason},
    )
    return locked


@transaction.atomic
def do_renew_qr(activity: Activity, *, actor: User) -> Activity:
    """Issue a new check-in QR code: every earlier code of the activity stops working."""
    locked = _locked_for_manager(activity, actor, "更换签到码")
    locked.qr_version += 1
    locked.save(update_fields=["qr_version", "updated_at"])
    audit.record(
        actor=actor, verb=AuditVerb.UPDATE, obj=locked, changes={"qr_version": locked.qr_version}
    )
    return locked


# Sign-up and the waiting list -----------------------------------------------------------


def _seats_taken(activity: Activity) -> int:
    return activity.participations.filter(
        status=SignupStatus.REGISTERED, role=ParticipantRole.PARTICIPANT
    ).count()


def _promote(activity: Activity, actor: User) -> list[int]:
    """Move people up from the waiting list, first come first served, while seats are free.
    The caller holds the activity's lock."""
    waiting = activity.participations.filter(status=SignupStatus.WAITLISTED).order_by(
        "signed_up_at", "id"
    )
    if activity.capacity is not None:
        free = activity.capacity - _seats_taken(activity)
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = []
    for row in waiting.select_related("person"):
        row.status = SignupStatus.REGISTERED
        row.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            obj=row,
            object_repr=f"{row.person.name} · {activity.title}",
            scope_path=activity.place.path,
            changes={"status": [SignupStatus.WAITLISTED, SignupStatus.REGISTERED], "from": "候补"},
        )
        promoted.append(row.pk)
    return promoted


def _person_in_scope(user: Any, person: Person) -> bool:
    return Person.objects.visible_to(user).filter(pk=person.pk).exists()


@transaction.atomic
def do_sign_up(
    activity: Activity,
    person: Person,
    *,
    actor: User,
    role: str = ParticipantRole.PARTICIPANT,
) -> Participation:
    """Sign a person up: by staff (for a resident in their scope) or by the person themselves
    when the activity allows it. A full activity puts participants on the waiting list."""
    if role not in ParticipantRole.values:
        raise ValidationError({"role": "身份不在可选范围内"})
    locked = _locked(activity)
    is_self = bool(actor.is_authenticated and actor.person_id == person.pk)
    if not is_self and not (may_manage(actor, locked) and _person_in_scope(actor, person)):
        raise PermissionDenied("您不能为该居民报名")
    if is_self and not locked.self_signup and not may_manage(actor, locked):
        raise PermissionDenied("该活动不开放自助报名，请联系社区工作人员")
    if locked.cancelled:
        raise ValidationError("该活动已取消，不能报名")
    if timezone.now() >= locked.end_at:
        raise ValidationError("该活动已结束，不能报名")
    if role == ParticipantRole.VOLUNTEER and not Volunteer.objects.filter(person=person).exists():
        raise ValidationError({"role": f"{person.name}不是登记在册的志愿者"})
    existing = (
        Participation.objects.select_for_update().filter(activity=locked, person=person).first()
    )
    if existing is not None and existing.status != SignupStatus.CANCELLED:
        where = "候补名单中" if existing.status == SignupStatus.WAITLISTED else "报名名单中"
        raise ValidationError(f"{person.name}已在该活动的{where}，无需重复报名")
    full = (
        role == ParticipantRole.PARTICIPANT
        and locked.capacity is not None
        and _seats_taken(locked) >= locked.capacity
    )
    row = existing or Participation(activity=locked, person=person)
    row.role = role
    row.status = SignupStatus.WAITLISTED if full else SignupStatus.REGISTERED
    row.source = SignupSource.SELF if is_self else SignupSource.STAFF
    row.signed_up_at = timezone.now()
    row.signed_up_by = actor
    row.cancelled_at = None
    row.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE if existing else AuditVerb.CREATE,
        obj=row,
        object_repr=f"{person.name} · {locked.title}",
        scope_path=locked.place.path,
        changes={"status": row.status, "role": role, "source": row.source},
    )
    return row


@transaction.atomic
def do_cancel_signup(participation: Participation, *, actor: User) -> Participation:
    """Withdraw a sign-up (the person or staff). A freed seat goes to the first on the waiting
    list."""
    locked_activity = _locked(participation.activity)
    row = (
        Participation.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=participation.pk)
    )
    is_self = bool(actor.is_authenticated and actor.person_id == row.person_id)
    if not (is_self or may_manage(actor, locked_activity)):
        raise PermissionDenied("您不能取消该报名")
    if row.status == SignupStatus.CANCELLED:
        raise ValidationError("该报名已取消")
    if row.present:
        raise ValidationError("已签到，不能取消报名")
    if timezone.now() >= locked_activity.end_at:
        raise ValidationError("活动已结束，不能取消报名")
    before = row.status
    row.status = SignupStatus.CANCELLED
    row.cancelled_at = timezone.now()
    row.save(update_fields=["status", "cancelled_at", "updated_at"])
    promoted = _promote(locked_activity, actor)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=row,
        object_repr=f"{row.person.name} · {locked_activity.title}",
        scope_path=locked_activity.place.path,
        changes={"status": [before, SignupStatus.CANCELLED], "promoted": promoted},
    )
    return row


# Check-in and attendance ------------------------------------------------------------------


def _check_in(
    activity: Activity, person: Person, *, actor: User | None, method: str, ip: str | None = None
) -> tuple[Participation, bool]:
    """Mark `person` present; (row, False) if they already were. The caller holds the activity
    lock, so a concurrent check-in of the same person waits here and then finds the row."""
    row = Participation.objects.select_for_update().filter(activity=activity, person=person).first()
    if row is not None and row.present:
        return row, False
    created = row is None
    if row is None:
        row = Participation(
            activity=activity,
            person=person,
            source=SignupSource.WALK_IN,
            signed_up_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    before = row.status if not created else ""
    row.status = SignupStatus.REGISTERED
    row.cancelled_at = None
    row.checked_in_at = timezone.now()
    row.checkin_method = method
    row.checked_in_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save()
    audit.record(
        actor=actor if getattr(actor, "is_authenticated", False) else "居民（扫码签到）",
        verb=AuditVerb.CREATE if created else AuditVerb.UPDATE,
        obj=row,
        object_repr=f"{person.name} · {activity.title}",
        scope_path=activity.place.path,
        changes={"checked_in": True, "method": method, **({"from": before} if before else {})},
        ip=ip,
    )
    return row, True


def _checkin_area(activity: Activity) -> Place:
    """Where residents checking in by name and phone are looked for: the activity's community
    (or its own place when it lies above community level)."""
    if activity.place.kind == PlaceKind.COMMUNITY:
        return activity.place
    community = activity.place.ancestor_of_kind(PlaceKind.COMMUNITY)
    return community or activity.place


def find_resident(activity: Activity, name: str, phone_suffix: str) -> Person:
    """The one person with this name and phone suffix: first among those signed up, then among
    the residents of the activity's community. ValidationError when none or several match."""
    name, phone_suffix = name.strip(), phone_suffix.strip()
    if not name or len(phone_suffix) != 4 or not phone_suffix.isdigit():
        raise ValidationError("请填写姓名和手机号码后四位")
    match = Q(name=name, phone_suffix=phone_suffix, active=True)
    signed = list(
        Person.objects.filter(match, activity_participations__activity=activity).distinct()[:2]
    )
    found = signed or list(Person.objects.filter(match, subtree_q(_checkin_area(activity)))[:2])
    if not found:
        raise ValidationError(
            "未找到您的报名或居民登记信息，请核对姓名和手机号码后四位，或请现场工作人员登记。"
        )
    if len(found) > 1:
        raise ValidationError("有多位居民姓名和手机尾号相同，请找现场工作人员签到。")
    return found[0]


@transaction.atomic
def do_check_in_with_token(
    token: str,
    *,
    user: Any = None,
    name: str = "",
    phone_suffix: str = "",
    ip: str | None = None,
) -> tuple[Participation, bool]:
    """Check in at the door with the activity's QR code: the signed-in person, or a resident
    without an account named by name and phone suffix. Repeating it changes nothing."""
    found = qr.read_token(token)
    if found.not_open_yet:
        start = timezone.localtime(found.activity.start_at)
        raise ValidationError(
            f"签到尚未开始：活动 {start:%m月%d日 %H:%M} 开始，开始前 1 小时起可以签到。"
        )
    activity = _locked(found.activity)
    signed_in = user is not None and user.is_authenticated and user.person_id
    if signed_in:
        person = Person.objects.get(pk=user.person_id)
        return _check_in(activity, person, actor=user, method=CheckinMethod.ACCOUNT, ip=ip)
    person = find_resident(activity, name, phone_suffix)
    return _check_in(activity, person, actor=None, method=CheckinMethod.PHONE, ip=ip)


@transaction.atomic
def do_set_attendance(
    activity: Activity, person: Person, *, actor: User, present: bool
) -> Participation:
    """Staff tick (or untick) a person's attendance on the list."""
    locked = _locked_for_manager(activity, actor, "登记签到")
    if locked.cancelled:
        raise ValidationError("该活动已取消，不能签到")
    if present:
        if timezone.now() < qr.opens_at(locked):
            raise ValidationError("活动尚未开始，不能登记签到")
        return _check_in(locked, person, actor=actor, method=CheckinMethod.STAFF)[0]
    row = Participation.objects.select_for_update().get(activity=locked, person=person)
    if row.service_hours_id:
        raise ValidationError("已登记服务时长，不能取消签到")
    if row.present:
        row.checked_in_at, row.checkin_method, row.checked_in_by = None, "", None
        row.save(update_fields=["checked_in_at", "checkin_method", "checked_in_by", "updated_at"])
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            obj=row,
            object_repr=f"{person.name} · {locked.title}",
            scope_path=locked.place.path,
            changes={"checked_in": False},
        )
    return row


def default_hours(activity: Activity) -> Decimal:
    hours = Decimal((activity.end_at - activity.start_at).total_seconds()) / 3600
    return min(max(hours, Decimal("0.1")), Decimal("24")).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@transaction.atomic
def do_record_volunteer_hours(
    participation: Participation, *, actor: User, hours: Decimal | None = None
) -> Participation:
    """Confirm a volunteer's attendance and record their hours for the activity, pending
    approval, through apps.services (which checks that the actor may record them)."""
    locked_activity = _locked_for_manager(participation.activity, actor, "确认志愿者出勤")
    row = (
        Participation.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=participation.pk)
    )
    if row.service_hours_id:
        raise ValidationError(f"{row.person.name}的本次活动服务时长已登记")
    if not row.present:
        raise ValidationError(f"{row.person.name}未签到，不能登记服务时长")
    volunteer = Volunteer.objects.filter(person_id=row.person_id).select_related("person").first()
    if volunteer is None:
        raise ValidationError(f"{row.person.name}不是登记在册的志愿者")
    hours_row = do_record_hours(
        volunteer,
        actor=actor,
        hours=hours if hours is not None else default_hours(locked_activity),
        served_on=timezone.localtime(locked_activity.start_at).date(),
        activity=locked_activity.hours_label,
        note="活动签到确认",
    )
    row.service_hours = hours_row
    row.save(update_fields=["service_hours", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=row,
        object_repr=f"{row.person.name} · {locked_activity.title}",
        scope_path=locked_activity.place.path,
        changes={"service_hours": hours_row.pk, "hours": str(hours_row.hours)},
    )
    return row


def volunteers_to_confirm(activity: Activity) -> QuerySet[Participation]:
    """Present volunteers of the activity whose hours are not recorded yet."""
    return activity.participations.filter(
        checked_in_at__isnull=False,
        service_hours__isnull=True,
        person__volunteer__isnull=False,
    ).select_related("person")


@transaction.atomic
def do_add_photo(
    activity: Activity, upload: UploadedFile, *, actor: User, caption: str = ""
) -> ActivityPhoto:
    """Add a photo, checked and thumbnailed by the case helpers (same types and size limit)."""
    locked = _locked_for_manager(activity, actor, "上传活动照片")
    try:
        content_type, width, height = images.check_image(upload)
    except InvalidTransitionData as exc:
        raise ValidationError({"photo": exc.message}) from exc
    photo = ActivityPhoto(
        activity=locked,
        content_type=content_type,
        size=upload.size or 0,
        width=width,
        height=height,
        caption=caption.strip(),
        uploaded_by=actor,
    )
    stem = f"{timezone.now():%Y%m%d%H%M%S%f}"
    ext = content_type.split("/")[1].replace("jpeg", "jpg")
    photo.file.save(f"{stem}.{ext}", upload, save=False)
    photo.thumbnail.save(f"{stem}-thumb.jpg", images.thumbnail(upload), save=False)
    photo.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=photo,
        changes={"size": photo.size, "type": content_type},
    )
    return photo
