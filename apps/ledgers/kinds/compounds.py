"""小区台账: a compound (existing, by code, or new under a grid) with its property model,
property company, party organisation, owner committee and property-management committee."""

from collections.abc import Iterator
from typing import Any

from apps.orgs.choices import OrgKind, PropertyModel
from apps.orgs.models import CompoundProfile, Organisation
from apps.places.actions import allocate_ids
from apps.places.choices import PlaceKind
from apps.places.models import SEGMENT, Place, path_segment, place_code_error

from ..specs import COMPOUNDS
from .base import (
    Context,
    PlaceRef,
    Row,
    next_code,
    note_code,
    places_by_code,
    resolve_place,
)
from .ledger import ExportScope, Ledger
from .roles import keyset

COMPOUND = {PlaceKind.COMPOUND}
GRID = {PlaceKind.GRID}
COMMITTEES = (
    ("has_owner_committee", "owner_committee", OrgKind.OWNER_COMMITTEE, "业主委员会", "业委会"),
    ("has_pmc", "pmc", OrgKind.PMC, "物业管理委员会", "物管会"),
)


class CompoundsLedger(Ledger):
    spec = COMPOUNDS

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        places = places_by_code(
            [r.data.get("code", "") for r in rows] + [r.data.get("grid", "") for r in rows]
        )
        with_profile = set(
            CompoundProfile.objects.filter(
                compound_id__in=[p.id for p in places.values()]
            ).values_list("compound_id", flat=True)
        )
        named = set(
            Place.objects.filter(
                kind=PlaceKind.COMPOUND, parent_id__in=[p.id for p in places.values()]
            ).values_list("parent_id", "name")
        )
        records = []
        for row in rows:
            code = row.data.get("code")
            target: int | tuple[PlaceRef, str, str] | None
            if code and code in places:
                target = self._existing(ctx, row, places, with_profile)
            else:
                target = self._new(ctx, row, places, named)
            orgs = self._committees(ctx, row)
            if row.ok and ctx.prepare and target is not None:
                records.append((target, self._profile(row), orgs))
        return records

    def _existing(
        self, ctx: Context, row: Row, places: dict[str, PlaceRef], with_profile: set[int]
    ) -> int | None:
        compound = resolve_place(ctx, row, "code", places, COMPOUND)
        if compound is None:
            return None
        if compound.id in with_profile:
            ctx.error(row, "code", "该小区的治理信息已登记")
        name = row.data.get("name")
        known = Place.objects.filter(pk=compound.id).values_list("name", flat=True).first()
        if name and name != known:
            ctx.error(row, "name", f"小区名称与编码不符（系统中为“{known}”）")
        return compound.id

    def _new(
        self, ctx: Context, row: Row, places: dict[str, PlaceRef], named: set[tuple[int, str]]
    ) -> tuple[PlaceRef, str, str] | None:
        if not row.data.get("grid"):
            ctx.error(row, "grid", "新小区须填写所属网格编码")
            return None
        grid = resolve_place(ctx, row, "grid", places, GRID)
        name = row.data.get("name")
        if grid is None or not name:
            return None
        code = row.data.get("code", "")
        if code:
            error = place_code_error(PlaceKind.COMPOUND, code, Place(code=grid.code))
            earlier = ctx.first_seen(("code", code), row)
            if error or earlier is not None:
                ctx.error(row, "code", error or f"与第{earlier}行的小区编码重复")
            else:
                note_code(ctx, grid, PlaceKind.COMPOUND, code)
        earlier = ctx.first_seen(("name", grid.id, name), row)
        if earlier is not None:
            ctx.error(row, "name", f"与第{earlier}行重复（同一网格下小区名称相同）")
        elif (grid.id, name) in named:
            ctx.error(row, "name", f"网格{grid.code}下已有小区“{name}”")
        return grid, code, name

    def _committees(self, ctx: Context, row: Row) -> list[tuple[str, str]]:
        d = row.data
        orgs: list[tuple[str, str]] = []
        if d.get("party_org"):
            orgs.append((OrgKind.PARTY_BRANCH, d["party_org"]))
        for flag, field_name, kind, suffix, short in COMMITTEES:
            has, name = d.get(flag), d.get(field_name)
            if has is False and name:
                ctx.error(row, field_name, f"填写了{short}名称，但“是否成立{short}”为否")
            elif has or name:
                orgs.append((kind, name or f"{d.get('name', '')}{suffix}"))
        return orgs

    def _profile(self, row: Row) -> dict[str, Any]:
        d = row.data
        return {
            "property_model": d.get("property_model", PropertyModel.NONE),
            "company": d.get("property_company", ""),
            "built_year": d.get("built_year"),
            "households_planned": d.get("households_planned"),
        }

    def write(self, records: list[Any], ctx: Context) -> int:
        for target, profile, orgs in records:
            compound = self._compound(ctx, target)
            company = self._company(ctx, profile.pop("company"), compound)
            CompoundProfile.objects.create(compound=compound, property_company=company, **profile)
            for kind, name in orgs:
                Organisation.objects.get_or_create(place=compound, kind=kind, name=name)
        return len(records)

    def _compound(self, ctx: Context, target: Any) -> Place:
        if isinstance(target, int):
            return Place.objects.get(pk=target)
        grid, code, name = target
        pk = allocate_ids(Place, 1)[0]
        place = Place(
            pk=pk,
            kind=PlaceKind.COMPOUND,
            name=name,
            parent_id=grid.id,
            code=code or next_code(ctx, grid, PlaceKind.COMPOUND),
            path=grid.path + path_segment(pk),
            depth=len(grid.path) // SEGMENT,
        )
        place.save(force_insert=True)
        return place

    def _company(self, ctx: Context, name: str, compound: Place) -> Organisation | None:
        """A property company of that name in the scope, else a new one at this compound."""
        if not name:
            return None
        known = ctx.cache.setdefault("companies", {})
        if name not in known:
            known[name] = Organisation.objects.filter(
                kind=OrgKind.PROPERTY_COMPANY, name=name, place__path__startswith=ctx.scope_path
            ).first() or Organisation.objects.create(
                kind=OrgKind.PROPERTY_COMPANY, name=name, place=compound
            )
        return known[name]

    def export_rows(self, where: ExportScope) -> Iterator[tuple[Any, ...]]:
        qs = Place.objects.filter(kind=PlaceKind.COMPOUND, **where.path_filter(""))
        fields = (
            "code",
            "parent__code",
            "name",
            "compound_profile__property_model",
            "compound_profile__property_company__name",
            "compound_profile__built_year",
            "compound_profile__households_planned",
        )
        labels = dict(PropertyModel.choices)
        for chunk in keyset(qs, fields):
            orgs: dict[tuple[int, str], str] = {}
            for place_id, kind, name in Organisation.objects.filter(
                place_id__in=[c["id"] for c in chunk],
                kind__in=[OrgKind.PARTY_BRANCH, OrgKind.OWNER_COMMITTEE, OrgKind.PMC],
            ).values_list("place_id", "kind", "name"):
                orgs.setdefault((place_id, kind), name)
            for c in chunk:
                owner = orgs.get((c["id"], OrgKind.OWNER_COMMITTEE), "")
                pmc = orgs.get((c["id"], OrgKind.PMC), "")
                yield (
                    c["code"],
                    c["parent__code"],
                    c["name"],
                    labels.get(c["compound_profile__property_model"] or PropertyModel.NONE),
                    c["compound_profile__property_company__name"] or "",
                    orgs.get((c["id"], OrgKind.PARTY_BRANCH), ""),
                    "是" if owner else "否",
                    owner,
                    "是" if pmc else "否",
                    pmc,
                    c["compound_profile__built_year"],
                    c["compound_profile__households_planned"],
                )
