"""Writes on volunteers beyond hours and points: self-registration and its approval,
certificates, training records, availability exceptions and no-shows.

Each action is one transaction that locks the row whose state changes, checks the actor's role
and scope, and writes one audit event (registering the volunteer itself goes through
apps.people's action, which audits it).
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.permissions import Cap, require
from apps.core import audit, crypto
from apps.core.choices import AuditVerb
from apps.core.validators import normalise_phone, phone_error
from apps.people.actions import availability_error, do_create_person, do_register_volunteer
from apps.people.choices import VolunteerStatus
from apps.people.models import Person, Skill, Volunteer
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .actions import _is_self, is_service_staff
from .choices import ApplicationStatus, ExceptionKind, TrainingKind
from .models import AvailabilityException, NoShow, Training, VolunteerApplication

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


def _person_for(application: VolunteerApplication, place: Place | None, actor: Any) -> Person:
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


def _register(application: VolunteerApplication, person: Person, actor: Any) -> Volunteer:
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
    application: VolunteerApplication, *, actor: Any, place: Place | None = None, note: str = ""
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
    application: VolunteerApplication, *, actor: Any, note: str
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


def _reregister(volunteer: Volunteer, actor: Any, certificates: list[dict[str, Any]]) -> Volunteer:
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
    actor: Any,
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
def do_remove_certificate(volunteer: Volunteer, *, actor: Any, name: str) -> Volunteer:
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
    actor: Any,
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
    actor: Any,
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
    actor: Any,
    happened_on: dt.date,
    case: Any = None,
    activity: str = "",
    note: str = "",
) -> NoShow:
    """Record that the volunteer claimed an order or signed up for an activity and did not
    come. Staff in scope."""
    require(actor, Cap.SERVICES_REVIEW_HOURS, volunteer.person.place, what="登记爽约")
    activity = activity.strip()
    if case is None and not activity:
        raise ValidationError({"activity": "请填写爽约的工单或活动"})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": "日期不能晚于今天"})
    row = NoShow.objects.create(
        volunteer=volunteer,
        case=case,
        activity=activity,
        happened_on=happened_on,
        note=note.strip(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=row,
        changes={"case": row.case_id, "activity": activity, "on": happened_on.isoformat()},
    )
    return row
