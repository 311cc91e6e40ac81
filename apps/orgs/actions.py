"""Writes on organisations, their members and compounds' governance facts."""

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.accounts.scoping import place_in_scope
from apps.core import audit, crypto
from apps.core.choices import AuditVerb
from apps.core.validators import normalise_phone, phone_error
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import PARTY_KINDS, MemberRole, OrgKind, PropertyModel
from .models import CompoundProfile, Membership, Organisation

_CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ORG_FIELDS = (
    "kind",
    "name",
    "place",
    "parent",
    "credit_code",
    "contact_name",
    "founded_on",
    "active",
)


def _clean_organisation(org: Organisation, actor: User, contact_phone: str | None) -> None:
    errors: dict[str, str] = {}
    if org.kind not in OrgKind.values:
        errors["kind"] = "未知的组织类型"
    if not org.name.strip():
        errors["name"] = "请填写名称"
    if org.place_id is None or not place_in_scope(actor, org.place):
        errors["place"] = "所选地点不存在或不在您的管辖范围内"
    parent = org.parent
    if parent is not None:
        if parent.pk == org.pk or not place_in_scope(actor, parent.place):
            errors["parent"] = "上级组织不存在或不在您的管辖范围内"
        elif org.kind in PARTY_KINDS and parent.kind not in PARTY_KINDS:
            errors["parent"] = "党组织的上级必须是党组织"
    if org.credit_code and not _CREDIT_CODE_RE.match(org.credit_code):
        errors["credit_code"] = "统一社会信用代码应为18位数字或大写字母"
    if contact_phone and phone_error(contact_phone):
        errors["contact_phone"] = phone_error(contact_phone) or ""
    if (
        "name" not in errors
        and "place" not in errors
        and Organisation.objects.filter(place=org.place, kind=org.kind, name=org.name)
        .exclude(pk=org.pk)
        .exists()
    ):
        errors["name"] = f"{org.place.name}已有同名的{OrgKind(org.kind).label}"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_organisation(
    *,
    actor: User,
    kind: str,
    name: str,
    place: Place | None,
    parent: Organisation | None = None,
    credit_code: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    founded_on: date | None = None,
) -> Organisation:
    """Register an organisation attached to a place of the actor's scope."""
    require(actor, Cap.ORGS_EDIT)
    org = Organisation(
        kind=kind,
        name=name.strip(),
        place=place,
        parent=parent,
        credit_code=credit_code.strip().upper(),
        contact_name=contact_name.strip(),
        founded_on=founded_on,
    )
    _clean_organisation(org, actor, contact_phone)
    if contact_phone:
        org.contact_phone_masked = crypto.mask_phone(normalise_phone(contact_phone))
    org.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=org,
        changes={
            "kind": kind,
            "name": org.name,
            "place": org.place_id,
            "parent": org.parent_id,
        },
    )
    return org


@transaction.atomic
def do_update_organisation(
    org: Organisation, *, actor: User, contact_phone: str | None = None, **fields: Any
) -> Organisation:
    require(actor, Cap.ORGS_EDIT)
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    org = Organisation.objects.select_for_update().select_related("place").get(pk=org.pk)
    require(actor, Cap.ORGS_EDIT, org.place)
    changes = audit.changed_fields(org, fields)
    for name, value in fields.items():
        setattr(org, name, value)
    _clean_organisation(org, actor, contact_phone)
    if contact_phone:
        masked = crypto.mask_phone(normalise_phone(contact_phone))
        changes["contact_phone"] = [org.contact_phone_masked, masked]
        org.contact_phone_masked = masked
    org.save()
    changes = {k: [getattr(v, "pk", v) for v in pair] for k, pair in changes.items()}
    if changes:
        audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=org, changes=changes)
    return org


@transaction.atomic
def do_add_member(
    org: Organisation,
    person: Person,
    *,
    actor: User,
    role: str = MemberRole.MEMBER,
    start_date: date | None = None,
) -> Membership:
    """Seat a person of the actor's scope on an organisation of the actor's scope."""
    require(actor, Cap.ORGS_EDIT)
    require(actor, Cap.ORGS_EDIT, org.place)
    if not place_in_scope(actor, person.place):
        raise ValidationError({"person": "所选人员不存在或不在您的管辖范围内"})
    if role not in MemberRole.values:
        raise ValidationError({"role": "未知的职务"})
    membership, created = Membership.objects.get_or_create(
        organisation=org,
        person=person,
        role=role,
        defaults={"start_date": start_date or date.today()},
    )
    if not created:
        raise ValidationError(
            {"person": f"{person.name}已是{org.name}的{membership.get_role_display()}"}
        )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=membership,
        changes={"organisation": org.pk, "person": person.pk, "role": role},
    )
    return membership


@transaction.atomic
def do_set_compound_profile(
    compound: Place,
    *,
    actor: User,
    property_model: str = PropertyModel.NONE,
    property_company: Organisation | None = None,
    built_year: int | None = None,
    households_planned: int | None = None,
) -> CompoundProfile:
    """Record the compound's property model and the company or arrangement serving it."""
    require(actor, Cap.ORGS_EDIT)
    errors: dict[str, str] = {}
    if compound.kind != PlaceKind.COMPOUND or not place_in_scope(actor, compound):
        errors["compound"] = "所选小区不存在或不在您的管辖范围内"
    if property_model not in PropertyModel.values:
        errors["property_model"] = "未知的物业模式"
    if property_company is not None and property_company.kind != OrgKind.PROPERTY_COMPANY:
        errors["property_company"] = "物业服务企业的类型应为“物业服务企业”"
    if property_model == PropertyModel.COMPANY and property_company is None:
        errors["property_company"] = "物业模式为物业公司时，请选择物业服务企业"
    if errors:
        raise ValidationError(errors)
    profile = CompoundProfile.objects.select_for_update().filter(compound=compound).first()
    created = profile is None
    profile = profile or CompoundProfile(compound=compound)
    values = {
        "property_model": property_model,
        "property_company": property_company,
        "built_year": built_year,
        "households_planned": households_planned,
    }
    changes = values if created else audit.changed_fields(profile, values)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE if created else AuditVerb.UPDATE,
        obj=profile,
        changes={k: getattr(v, "pk", v) for k, v in changes.items()},
    )
    return profile
