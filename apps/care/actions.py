"""Writes of the 1+1 care programme: pair, end a pairing, record a contact (and the cases for
the needs found). Each is atomic, role- and scope-checked and audited; the pairing duty is
made and ended through the duties actions."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.cases.actions import do_create_case
from apps.cases.choices import CaseKind, CaseSource
from apps.cases.models import Case, Category
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.duties.actions import check_can_manage_duty, do_assign_duty, do_end_duty
from apps.duties.choices import DutyKind
from apps.duties.models import Duty
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.models import Person
from apps.places.choices import PlaceKind

from .choices import CarerKind, ContactKind
from .models import Contact, Pairing


def _pairing_duty(actor: User, person: Person, carer: Person, start: dt.date) -> Duty:
    """The carer's current `pairing` duty on the person's household: an existing one (a
    sibling is already paired with the same carer) or a new one."""
    existing = (
        Duty.objects.current(start)
        .filter(person=carer, place=person.place, kind=DutyKind.PAIRING)
        .first()
    )
    if existing is not None:
        return existing
    return do_assign_duty(
        actor=actor,
        person=carer,
        place=person.place,
        kind=DutyKind.PAIRING,
        start_date=start,
        note=f"1+1结对：{person.name}",
    )


@transaction.atomic
def do_create_pairing(
    *,
    actor: User,
    person: Person,
    carer: Person,
    carer_kind: str = CarerKind.TEACHER,
    school: Organisation | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    note: str = "",
) -> Pairing:
    """结对: `carer` looks after `person` (a child of a household) from `start_date`; the
    carer gets a `pairing` duty on the household."""
    person = Person.objects.select_for_update().select_related("place").get(pk=person.pk)
    check_can_manage_duty(actor, person.place, carer)
    if person.pk == carer.pk:
        raise ValidationError({"carer": "结对人不能是关爱对象本人"})
    if not person.active:
        raise ValidationError({"person": f"{person.name}已不在册，不能结对"})
    if person.place.kind != PlaceKind.HOUSEHOLD:
        raise ValidationError({"person": "关爱对象须登记在某一户"})
    if carer_kind not in CarerKind.values:
        raise ValidationError({"carer_kind": "结对人身份不在可选范围内"})
    if school is not None and school.kind != OrgKind.SCHOOL:
        raise ValidationError({"school": "请选择学校"})
    start_date = start_date or timezone.localdate()
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": "结束日期不能早于开始日期"})
    if Pairing.objects.current(start_date).filter(person=person, carer=carer).exists():
        raise ValidationError({"carer": f"{carer.name}已与{person.name}结对"})
    duty = _pairing_duty(actor, person, carer, start_date)
    pairing = Pairing(
        person=person,
        carer=carer,
        carer_kind=carer_kind,
        school=school,
        duty=duty,
        start_date=start_date,
        end_date=end_date,
        note=note.strip()[:200],
    )
    pairing.full_clean()
    pairing.save(force_insert=True)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=pairing,
        changes={
            "person": [None, person.pk],
            "carer": [None, carer.pk],
            "carer_kind": [None, carer_kind],
            "school": [None, school.pk if school else None],
            "start_date": [None, start_date.isoformat()],
            "duty": [None, duty.pk],
        },
    )
    return pairing


@transaction.atomic
def do_end_pairing(
    *, actor: User, pairing: Pairing, end_date: dt.date | None = None, reason: str = ""
) -> Pairing:
    """End a pairing (the row stays as history); its duty ends too unless another running
    pairing of the same carer on the same household still needs it."""
    pairing = Pairing.objects.select_for_update().select_related("person__place").get(pk=pairing.pk)
    check_can_manage_duty(actor, pairing.person.place)
    end_date = end_date or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写结束结对的原因"})
    if pairing.end_date is not None and pairing.end_date <= end_date:
        raise ValidationError({"end_date": "该结对已经结束"})
    if end_date < pairing.start_date:
        raise ValidationError({"end_date": "结束日期不能早于开始日期"})
    changes = {"end_date": [pairing.end_date, end_date], "end_reason": [pairing.end_reason, reason]}
    pairing.end_date = end_date
    pairing.end_reason = reason[:200]
    pairing.save(update_fields=["end_date", "end_reason", "updated_at"])
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=pairing, changes=changes)
    duty = pairing.duty
    if duty is not None and (duty.end_date is None or duty.end_date > end_date):
        others = (
            Pairing.objects.current(end_date + dt.timedelta(days=1))
            .filter(duty=duty)
            .exclude(pk=pairing.pk)
        )
        if not others.exists() and end_date >= duty.start_date:
            do_end_duty(actor=actor, duty=duty, end_date=end_date)
    return pairing


def check_may_record(pairing: Pairing, actor: User) -> None:
    """The carer's own account, or staff of the person's area, record contacts."""

    def carer() -> bool:
        return getattr(actor, "person_id", None) is not None and actor.person_id == pairing.carer_id

    require(actor, Cap.CARE_RECORD_CONTACT, pairing.person.place, unless=carer)


def _need_case(
    contact: Contact, actor: User, category: Category | None, title: str, description: str
) -> Case:
    person = contact.pairing.person
    case, _ = do_create_case(
        actor=actor,
        category=category,
        place=person.place,
        title=title,
        description=description,
        kind=CaseKind.NEED,
        source=CaseSource.VISIT,
        reporter=person,
        persons=[person],
        attributes={"care_contact": contact.pk},
    )
    contact.cases.add(case)
    return case


@transaction.atomic
def do_record_contact(
    pairing: Pairing,
    *,
    actor: User,
    kind: str,
    contacted_on: dt.date | None = None,
    notes: str = "",
    needs: str = "",
    need_category: Category | None = None,
    need_title: str = "",
) -> Contact:
    """登记联系: a home visit, family–school contact or phone call of a running pairing. A
    need with a title becomes a case (source 入户走访) on the household, in the same
    transaction: both are kept or neither."""
    check_may_record(pairing, actor)
    pairing = (
        Pairing.objects.select_for_update()
        .select_related("person__place", "carer")
        .get(pk=pairing.pk)
    )
    today = timezone.localdate()
    contacted_on = contacted_on or today
    if kind not in ContactKind.values:
        raise ValidationError({"kind": "联系方式不在可选范围内"})
    if contacted_on > today:
        raise ValidationError({"contacted_on": "联系日期不能晚于今天"})
    if not pairing.is_current(contacted_on):
        raise ValidationError({"contacted_on": "联系日期不在结对期间内"})
    if need_title.strip() and need_category is None:
        raise ValidationError({"need_category": "登记需求为事项时请选择事项类别"})
    contact = Contact.objects.create(
        pairing=pairing,
        kind=kind,
        contacted_on=contacted_on,
        carer=pairing.carer,
        notes=notes.strip(),
        needs=needs.strip(),
        recorded_by=actor,
    )
    case = None
    if need_title.strip():
        case = _need_case(contact, actor, need_category, need_title, needs or notes)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=contact,
        changes={
            "pairing": pairing.pk,
            "kind": kind,
            "contacted_on": contacted_on.isoformat(),
            "case": case.pk if case else None,
        },
    )
    return contact
