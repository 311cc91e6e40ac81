"""Writes to duties: assign and end, each atomic, scope-checked and audited."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import DUTY_TARGET_KINDS, DutyKind
from .models import Duty


def check_can_manage_duty(actor: User, place: Place, person: Person | None = None) -> None:
    require(actor, Cap.DUTIES_MANAGE, place)
    if person is not None:
        require(actor, Cap.PEOPLE_EDIT, person.place)


def _check_target(kind: str, place: Place) -> None:
    if kind not in DutyKind.values:
        raise ValidationError({"kind": f"未知的责任类型：{kind}"})
    targets = DUTY_TARGET_KINDS[kind]
    if place.kind not in targets:
        names = "、".join(PlaceKind(k).label for k in targets)
        raise ValidationError({"place": f"{DutyKind(kind).label}只能安排到{names}"})


@transaction.atomic
def do_assign_duty(
    *,
    actor: User,
    person: Person,
    place: Place,
    kind: str,
    start_date: date | None = None,
    end_date: date | None = None,
    note: str = "",
) -> Duty:
    """Make `person` answer for `place` as `kind` from `start_date` (today by default)."""
    # Lock the place so two clerks cannot assign the same person twice at once.
    place = Place.objects.select_for_update().get(pk=place.pk)
    check_can_manage_duty(actor, place, person)
    _check_target(kind, place)
    start_date = start_date or timezone.localdate()
    duty = Duty(
        person=person, place=place, kind=kind, start_date=start_date, end_date=end_date, note=note
    )
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": "结束日期不能早于开始日期"})
    duty.full_clean()
    if Duty.objects.current(start_date).filter(person=person, place=place, kind=kind).exists():
        raise ValidationError(
            {"person": f"{person.name}已是{place.name}的{duty.get_kind_display()}"}
        )
    duty.save(force_insert=True)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=duty,
        changes={
            "person": [None, person.pk],
            "place": [None, place.pk],
            "kind": [None, kind],
            "start_date": [None, start_date.isoformat()],
        },
    )
    return duty


@transaction.atomic
def do_end_duty(*, actor: User, duty: Duty, end_date: date | None = None) -> Duty:
    """End a duty on `end_date` (today by default); the row stays as history."""
    duty = Duty.objects.select_for_update().select_related("place").get(pk=duty.pk)
    check_can_manage_duty(actor, duty.place)
    end_date = end_date or timezone.localdate()
    if duty.end_date is not None and duty.end_date <= end_date:
        raise ValidationError({"end_date": "该责任已经结束"})
    if end_date < duty.start_date:
        raise ValidationError({"end_date": "结束日期不能早于开始日期"})
    changes = {"end_date": [duty.end_date, end_date]}
    duty.end_date = end_date
    duty.save(update_fields=["end_date", "updated_at"])
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=duty, changes=changes)
    return duty


EDITABLE_FIELDS = ("start_date", "end_date", "note")


@transaction.atomic
def do_update_duty(*, actor: User, duty: Duty, **data: Any) -> Duty:
    """Correct a duty's period or note (the admin's change form)."""
    duty = Duty.objects.select_for_update().select_related("place").get(pk=duty.pk)
    check_can_manage_duty(actor, duty.place)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段：{', '.join(sorted(unknown))}")
    changes = audit.changed_fields(duty, data)
    if not changes:
        return duty
    for name, value in data.items():
        setattr(duty, name, value)
    if duty.end_date is not None and duty.end_date < duty.start_date:
        raise ValidationError({"end_date": "结束日期不能早于开始日期"})
    duty.full_clean()
    duty.save(update_fields=[*changes, "updated_at"])
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=duty, changes=changes)
    return duty
