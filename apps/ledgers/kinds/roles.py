"""党员台账 and 志愿者台账: a role of a person who is either already registered (found by the
blind index of the ID number) or new (then name and household are required)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from apps.core import crypto
from apps.orgs.choices import PARTY_KINDS
from apps.orgs.models import Organisation
from apps.people.choices import PartyEmployment
from apps.people.models import PartyMember, Skill
from apps.places.actions import allocate_ids
from apps.places.choices import PlaceKind
from apps.volunteers.choices import VolunteerStatus
from apps.volunteers.models import Volunteer

from ..cells import format_availability, format_certificates
from ..specs import PARTY_MEMBERS, VOLUNTEERS
from .base import Context, FastInsert, PlaceRef, Row, places_by_code, resolve_place
from .ledger import ExportScope, Ledger
from .persons import (
    KnownPerson,
    check_id_duplicate,
    insert_persons,
    person_values,
    persons_by_index,
    reveal_or_mask,
)

OUT_OF_SCOPE_PERSON = "该人员不在您的管辖范围内"


def keyset(qs: QuerySet[Any], fields: tuple[str, ...], batch: int = 2000) -> Iterator[list[dict]]:
    """Batches of `qs.values(*fields)` in id order, without OFFSET and in bounded memory."""
    last = 0
    while chunk := list(qs.filter(id__gt=last).order_by("id").values("id", *fields)[:batch]):
        yield chunk
        last = chunk[-1]["id"]


class PersonRoleLedger(Ledger):
    """Shared check and write of a role hanging off a person."""

    model: Any  # the role's model class: PartyMember or Volunteer
    role_label: str

    def prefetch(self, rows: list[Row], ctx: Context) -> None:
        """Load what `role_values` looks up for this chunk."""

    def role_values(self, ctx: Context, row: Row) -> dict[str, Any]:
        raise NotImplementedError

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        indexes = {
            id(r): crypto.blind_index(r.data["id_number"]) for r in rows if "id_number" in r.data
        }
        known = persons_by_index(indexes.values())
        places = places_by_code(
            r.data.get("household", "") for r in rows if indexes.get(id(r)) not in known
        )
        holders = set(
            self.model.objects.filter(person_id__in=[k.id for k in known.values()]).values_list(
                "person_id", flat=True
            )
        )
        self.prefetch(rows, ctx)
        records = []
        for row in rows:
            index = indexes.get(id(row))
            person = self._person(ctx, row, index, known.get(index or ""), places, holders)
            role = self.role_values(ctx, row)
            if row.ok and ctx.prepare and person is not None:
                records.append((person, role))
        return records

    def _person(
        self,
        ctx: Context,
        row: Row,
        index: str | None,
        known: KnownPerson | None,
        places: dict[str, PlaceRef],
        holders: set[int],
    ) -> int | tuple | None:
        """The known person's id, a new person's values, or None after reporting why not."""
        if index is None or not check_id_duplicate(ctx, row):
            return None
        if known is not None:
            return self._known(ctx, row, known, holders)
        for field_name, label in (("name", "姓名"), ("household", "户编码")):
            if not row.data.get(field_name):
                ctx.error(row, field_name, f"该身份证号尚未登记，新人员须填写{label}")
        place = resolve_place(ctx, row, "household", places)
        if place is None or not row.data.get("name"):
            return None
        return person_values(place, row.data, index)

    def _known(self, ctx: Context, row: Row, known: KnownPerson, holders: set[int]) -> int | None:
        if not ctx.in_scope(known.path):
            ctx.error(row, "id_number", OUT_OF_SCOPE_PERSON)
            return None
        name = row.data.get("name")
        if name and name != known.name:
            ctx.error(row, "name", f"姓名与已登记的人员不符（系统中为“{known.name}”）")
        if known.id in holders:
            ctx.error(row, "id_number", f"该人员已登记为{self.role_label}")
        return known.id

    def write(self, records: list[Any], ctx: Context) -> int:
        new = [person for person, _ in records if isinstance(person, tuple)]
        new_ids = iter(insert_persons(new))
        person_ids = [p if isinstance(p, int) else next(new_ids) for p, _ in records]
        return self.write_roles(person_ids, [role for _, role in records])

    def write_roles(self, person_ids: list[int], roles: list[dict[str, Any]]) -> int:
        raise NotImplementedError


def branch_lookup(ctx: Context) -> dict[str, list[int]]:
    if "branches" not in ctx.cache:
        found: dict[str, list[int]] = {}
        qs = Organisation.objects.filter(
            kind__in=PARTY_KINDS, place__path__startswith=ctx.scope_path
        )
        for name, pk in qs.values_list("name", "id"):
            found.setdefault(name, []).append(pk)
        ctx.cache["branches"] = found
    return ctx.cache["branches"]


class PartyMembersLedger(PersonRoleLedger):
    spec = PARTY_MEMBERS
    model = PartyMember
    role_label = "党员"

    def prefetch(self, rows: list[Row], ctx: Context) -> None:
        ctx.cache["communities"] = places_by_code(r.data.get("report_community", "") for r in rows)

    def role_values(self, ctx: Context, row: Row) -> dict[str, Any]:
        d = row.data
        return {
            "branch_id": self._branch(ctx, row),
            "group_name": d.get("group_name", ""),
            "is_central_household": d.get("is_central_household", False),
            "employment": d.get("employment", PartyEmployment.IN_SERVICE),
            "workplace": d.get("workplace", ""),
            "joined_on": d.get("joined_on"),
            "report_community_id": self._community(ctx, row),
        }

    def _branch(self, ctx: Context, row: Row) -> int | None:
        name = row.data.get("branch")
        if not name:
            return None
        ids = branch_lookup(ctx).get(name, [])
        if len(ids) != 1:
            ctx.error(
                row,
                "branch",
                f"有{len(ids)}个名为“{name}”的党组织，无法确定"
                if ids
                else f"管辖范围内未找到党组织“{name}”",
            )
            return None
        return ids[0]

    def _community(self, ctx: Context, row: Row) -> int | None:
        code = row.data.get("report_community")
        if not code:
            return None
        place = ctx.cache["communities"].get(code)
        if place is None or place.kind != PlaceKind.COMMUNITY:
            ctx.error(row, "report_community", f"未找到编码为{code}的社区（村）")
            return None
        return place.id

    def write_roles(self, person_ids: list[int], roles: list[dict[str, Any]]) -> int:
        objs = [
            PartyMember(person_id=pid, **role) for pid, role in zip(person_ids, roles, strict=True)
        ]
        return len(PartyMember.objects.bulk_create(objs, batch_size=1000))

    def export_rows(self, where: ExportScope) -> Iterator[tuple[Any, ...]]:
        qs = PartyMember.objects.filter(**where.path_filter("person__place"))
        fields = (
            "person__id_number_enc",
            "person__id_number_masked",
            "person__name",
            "person__place__code",
            "person__phone_enc",
            "person__phone_masked",
            "branch__name",
            "group_name",
            "is_central_household",
            "employment",
            "workplace",
            "joined_on",
            "report_community__code",
        )
        labels = dict(PartyEmployment.choices)
        for chunk in keyset(qs, fields):
            for m in chunk:
                where.count_person()
                yield (
                    reveal_or_mask(
                        where, m["person__id_number_enc"], m["person__id_number_masked"]
                    ),
                    m["person__name"],
                    m["person__place__code"],
                    reveal_or_mask(where, m["person__phone_enc"], m["person__phone_masked"]),
                    m["branch__name"] or "",
                    m["group_name"],
                    "是" if m["is_central_household"] else "否",
                    labels.get(m["employment"], ""),
                    m["workplace"],
                    m["joined_on"],
                    m["report_community__code"] or "",
                )


class VolunteersLedger(PersonRoleLedger):
    spec = VOLUNTEERS
    model = Volunteer
    role_label = "志愿者"

    def role_values(self, ctx: Context, row: Row) -> dict[str, Any]:
        d = row.data
        return {
            "status": d.get("status", VolunteerStatus.ACTIVE),
            "certificates": d.get("certificates", []),
            "availability": d.get("availability", {}),
            "registered_on": d.get("registered_on"),
            "skills": self._skills(ctx, row),
        }

    def _skills(self, ctx: Context, row: Row) -> list[int]:
        if "skills" not in ctx.cache:
            ctx.cache["skills"] = dict(Skill.objects.values_list("name", "id"))
        known: dict[str, int] = ctx.cache["skills"]
        found = []
        for name in row.data.get("skills", ()):
            if name in known:
                found.append(known[name])
            else:
                ctx.error(row, "skills", f"未知的技能“{name}”，可选：{'、'.join(known)}")
        return found

    def write_roles(self, person_ids: list[int], roles: list[dict[str, Any]]) -> int:
        ids = allocate_ids(Volunteer, len(roles))
        objs, links = [], []
        for pk, pid, role in zip(ids, person_ids, roles, strict=True):
            skills = role.pop("skills")
            objs.append(Volunteer(pk=pk, person_id=pid, **role))
            links += [(pk, skill) for skill in skills]
        Volunteer.objects.bulk_create(objs, batch_size=1000)
        FastInsert(Volunteer.skills.through, ("volunteer", "skill")).run(links, prepared=True)
        return len(objs)

    def export_rows(self, where: ExportScope) -> Iterator[tuple[Any, ...]]:
        qs = Volunteer.objects.filter(**where.path_filter("person__place"))
        fields = (
            "person__id_number_enc",
            "person__id_number_masked",
            "person__name",
            "person__place__code",
            "person__phone_enc",
            "person__phone_masked",
            "certificates",
            "availability",
            "status",
            "registered_on",
        )
        labels = dict(VolunteerStatus.choices)
        through = Volunteer.skills.through
        for chunk in keyset(qs, fields):
            skills: dict[int, list[str]] = {}
            for vid, name in through.objects.filter(
                volunteer_id__in=[v["id"] for v in chunk]
            ).values_list("volunteer_id", "skill__name"):
                skills.setdefault(vid, []).append(name)
            for v in chunk:
                where.count_person()
                yield (
                    reveal_or_mask(
                        where, v["person__id_number_enc"], v["person__id_number_masked"]
                    ),
                    v["person__name"],
                    v["person__place__code"],
                    reveal_or_mask(where, v["person__phone_enc"], v["person__phone_masked"]),
                    "、".join(skills.get(v["id"], [])),
                    format_certificates(v["certificates"]),
                    format_availability(v["availability"]),
                    labels.get(v["status"], ""),
                    v["registered_on"],
                )
