"""Writes on people: residents, party members, and reading personal data in full.

Every action checks the actor's role and scope, runs in one transaction and writes one audit
event. Audit events never hold a plain ID-card or phone number, only masks.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.accounts.scoping import place_in_scope
from apps.core import audit, crypto
from apps.core.choices import AuditVerb
from apps.core.validators import (
    birth_date_from_id,
    id_number_error,
    normalise_id_number,
    normalise_phone,
    phone_error,
    sex_from_id,
)
from apps.orgs.choices import PARTY_KINDS
from apps.orgs.models import Organisation
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import PartyEmployment, Relation, RevealField, Sex
from .models import CareTag, PartyMember, Person

TRADE_MAX = Person._meta.get_field("trade").max_length or 30
PERSON_FIELDS = ("name", "sex", "birth_date", "place", "relation", "trade", "note", "active")


def _community_and_household(place: Place) -> str:
    community = next((p.name for p in place.ancestors() if p.kind == PlaceKind.COMMUNITY), "")
    return f"{community} {place.name}".strip()


def duplicate_id_message(holder: Person, actor: User) -> str:
    """Where the number is registered, told only as far as the asker's scope reaches."""
    if place_in_scope(actor, holder.place):
        return f"该身份证号已登记（{_community_and_household(holder.place)}）"
    return "该身份证号已在您管辖范围以外登记，请联系上级核实"


def _care_tags(values: Iterable[CareTag | str]) -> list[CareTag]:
    values = list(values)
    codes = [v for v in values if isinstance(v, str)]
    tags = [v for v in values if isinstance(v, CareTag)]
    if codes:
        found = {t.code: t for t in CareTag.objects.filter(code__in=codes, active=True)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError({"care_tags": f"未知的关爱标签：{'、'.join(unknown)}"})
        tags += list(found.values())
    return tags


def _clean_person(
    data: dict[str, Any],
    *,
    actor: User,
    id_number: str | None,
    phone: str | None,
    instance: Person | None,
) -> dict[str, str]:
    """Validate the fields of a person; return the normalised secrets to store."""
    errors: dict[str, str] = {}
    secrets: dict[str, str] = {}
    if "name" in data and not (data["name"] or "").strip():
        errors["name"] = "请填写姓名"
    place = data.get("place")
    if "place" in data and (place is None or not place_in_scope(actor, place)):
        errors["place"] = "所选地点不存在或不在您的管辖范围内"
    if data.get("sex") and data["sex"] not in Sex.values:
        errors["sex"] = "性别只能是男或女"
    if data.get("relation") and data["relation"] not in Relation.values:
        errors["relation"] = "与户主关系不在可选范围内"
    if len((data.get("trade") or "").strip()) > TRADE_MAX:
        errors["trade"] = f"从业行业最多{TRADE_MAX}个字"
    if id_number:
        error = id_number_error(id_number)
        if error:
            errors["id_number"] = error
        else:
            value = normalise_id_number(id_number)
            holder = (
                Person.objects.select_related("place")
                .filter(id_number_index=crypto.blind_index(value))
                .exclude(pk=instance.pk if instance else 0)
                .first()
            )
            if holder is not None:
                errors["id_number"] = duplicate_id_message(holder, actor)
            secrets["id_number"] = value
    if phone:
        error = phone_error(phone)
        if error:
            errors["phone"] = error
        secrets["phone"] = normalise_phone(phone)
    if errors:
        raise ValidationError(errors)
    return secrets


def _apply_secrets(person: Person, secrets: dict[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "id_number" in secrets:
        old = person.id_number_masked
        person.set_id_number(secrets["id_number"])
        if old != person.id_number_masked or not old:
            changes["id_number"] = [old, person.id_number_masked]
        if person.birth_date is None:
            person.birth_date = birth_date_from_id(secrets["id_number"])
        if not person.sex:
            person.sex = sex_from_id(secrets["id_number"])
    if "phone" in secrets:
        old = person.phone_masked
        person.set_phone(secrets["phone"])
        if old != person.phone_masked or not old:
            changes["phone"] = [old, person.phone_masked]
    return changes


def _save(person: Person, actor: User, **kwargs: Any) -> None:
    """Save, turning a lost race on the unique ID index into the same message as the check."""
    try:
        with transaction.atomic():
            person.save(**kwargs)
    except IntegrityError as exc:
        holder = Person.objects.filter(id_number_index=person.id_number_index).first()
        if holder is None:
            raise
        raise ValidationError({"id_number": duplicate_id_message(holder, actor)}) from exc


@transaction.atomic
def do_create_person(
    *,
    actor: User,
    name: str,
    place: Place | None,
    sex: str = "",
    birth_date: date | None = None,
    relation: str = "",
    id_number: str = "",
    phone: str = "",
    care_tags: Iterable[CareTag | str] = (),
    trade: str = "",
    note: str = "",
) -> Person:
    """Register a person at a place of the actor's scope."""
    require(actor, Cap.PEOPLE_EDIT)
    data = {"name": name, "place": place, "sex": sex, "relation": relation, "trade": trade}
    secrets = _clean_person(data, actor=actor, id_number=id_number, phone=phone, instance=None)
    tags = _care_tags(care_tags)
    person = Person(
        place=place,
        sex=sex,
        birth_date=birth_date,
        relation=relation,
        trade=trade.strip(),
        note=note,
    )
    person.set_name(name)
    masks = _apply_secrets(person, secrets)
    _save(person, actor)
    person.care_tags.set(tags)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=person,
        changes={
            "name": person.name,
            "place": person.place_id,
            **({"trade": person.trade} if person.trade else {}),
            **masks,
            "care_tags": sorted(t.code for t in tags),
        },
    )
    return person


@transaction.atomic
def do_update_person(
    person: Person,
    *,
    actor: User,
    id_number: str | None = None,
    phone: str | None = None,
    care_tags: Iterable[CareTag | str] | None = None,
    **fields: Any,
) -> Person:
    """Change a person's fields; `id_number` / `phone` / `care_tags` only when given."""
    require(actor, Cap.PEOPLE_EDIT)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    person = Person.objects.select_for_update().select_related("place").get(pk=person.pk)
    require(actor, Cap.PEOPLE_EDIT, person.place)
    if "trade" in fields:
        fields["trade"] = (fields["trade"] or "").strip()
    secrets = _clean_person(fields, actor=actor, id_number=id_number, phone=phone, instance=person)
    changes: dict[str, Any] = audit.changed_fields(person, fields)
    if "place" in changes:
        changes["place"] = [changes["place"][0].pk, changes["place"][1].pk]
    for name, value in fields.items():
        if name == "name":
            person.set_name(value)
        else:
            setattr(person, name, value)
    changes.update(_apply_secrets(person, secrets))
    if care_tags is not None:
        tags = _care_tags(care_tags)
        old = sorted(person.care_tags.values_list("code", flat=True))
        new = sorted(t.code for t in tags)
        if old != new:
            person.care_tags.set(tags)
            changes["care_tags"] = [old, new]
    _save(person, actor)
    if changes:
        audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=person, changes=changes)
    return person


@transaction.atomic
def do_reveal_person(
    person: Person, field: str, *, actor: User | AnonymousUser, ip: str | None = None
) -> str:
    """Decrypt the person's ID-card number or phone for an authorised actor (an anonymous one
    is refused by `require`), and log the read.

    Every call writes an audit event, also when the same number was shown a minute ago: the
    log must answer "who saw this person's number, and when".
    """
    if field not in RevealField.values:
        raise ValidationError({"field": "只能查看身份证号或电话"})
    require(actor, Cap.PEOPLE_REVEAL, person.place)
    token = Person.objects.values_list(f"{field}_enc", flat=True).get(pk=person.pk)
    return audit.reveal(person, field, token, actor=actor, ip=ip)


def check_org(org: Organisation | None, actor: User, field: str, *, party: bool) -> None:
    if org is None:
        return
    if not place_in_scope(actor, org.place):
        raise ValidationError({field: "所选组织不存在或不在您的管辖范围内"})
    if party and org.kind not in PARTY_KINDS:
        raise ValidationError({field: "所在支部必须是党组织"})


@transaction.atomic
def do_set_party_member(
    person: Person,
    *,
    actor: User,
    branch: Organisation | None = None,
    group_name: str = "",
    is_central_household: bool = False,
    employment: str = PartyEmployment.IN_SERVICE,
    workplace: str = "",
    joined_on: date | None = None,
    report_community: Place | None = None,
) -> PartyMember:
    """Record (or change) the person's party membership: branch, group, 党员中心户, 双报到."""
    require(actor, Cap.PEOPLE_EDIT, person.place)
    check_org(branch, actor, "branch", party=True)
    if employment not in PartyEmployment.values:
        raise ValidationError({"employment": "在职状态不在可选范围内"})
    if report_community is not None and (
        report_community.kind != PlaceKind.COMMUNITY or not place_in_scope(actor, report_community)
    ):
        raise ValidationError({"report_community": "双报到社区必须是您管辖范围内的社区村"})
    values = {
        "branch": branch,
        "group_name": group_name.strip(),
        "is_central_household": is_central_household,
        "employment": employment,
        "workplace": workplace.strip(),
        "joined_on": joined_on,
        "report_community": report_community,
    }
    member = PartyMember.objects.select_for_update().filter(person=person).first()
    created = member is None
    if member is None:
        member = PartyMember(person=person)
    old = {name: getattr(member, name) for name in values}
    changes = {
        name: getattr(value, "pk", value)
        for name, value in values.items()
        if created or old[name] != value
    }
    for name, value in values.items():
        setattr(member, name, value)
    member.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE if created else AuditVerb.UPDATE,
        obj=member,
        changes=changes,
    )
    return member
