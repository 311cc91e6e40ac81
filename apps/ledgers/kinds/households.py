"""户台账: one row per household, under a unit, a building or a grid."""

from collections.abc import Iterator
from typing import Any

from apps.places.actions import allocate_ids
from apps.places.choices import ALLOWED_PARENTS, PlaceKind
from apps.places.models import SEGMENT, Place, path_segment, place_code_error

from ..specs import HOUSEHOLDS
from .base import (
    Context,
    FastInsert,
    PlaceRef,
    Row,
    next_code,
    note_code,
    places_by_code,
    resolve_place,
)
from .ledger import ExportScope, Ledger

PLACE_FIELDS = ("id", "kind", "code", "name", "parent", "path", "depth", "address", "lng", "lat")


class HouseholdsLedger(Ledger):
    spec = HOUSEHOLDS

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        places = places_by_code(
            [r.data.get("parent", "") for r in rows] + [r.data.get("code", "") for r in rows]
        )
        parents = {
            r.number: resolve_place(ctx, r, "parent", places, ALLOWED_PARENTS[PlaceKind.HOUSEHOLD])
            for r in rows
        }
        taken = set(
            Place.objects.filter(
                kind=PlaceKind.HOUSEHOLD, parent_id__in={p.id for p in parents.values() if p}
            ).values_list("parent_id", "name")
        )
        records = []
        for row in rows:
            parent = parents[row.number]
            if parent is None:
                continue
            self._check_code(ctx, row, parent, places)
            self._check_name(ctx, row, parent, taken)
            self._check_point(ctx, row)
            if row.ok and ctx.prepare:
                d = row.data
                records.append(
                    (
                        parent,
                        d.get("code", ""),
                        d["name"],
                        d.get("address", ""),
                        d.get("lng"),
                        d.get("lat"),
                    )
                )
        return records

    def _check_code(
        self, ctx: Context, row: Row, parent: PlaceRef, places: dict[str, PlaceRef]
    ) -> None:
        code = row.data.get("code")
        if not code:
            return
        error = place_code_error(PlaceKind.HOUSEHOLD, code, Place(code=parent.code))
        if error:
            ctx.error(row, "code", error)
            return
        earlier = ctx.first_seen(("code", code), row)
        if earlier is not None:
            ctx.error(row, "code", f"与第{earlier}行的户编码重复")
        elif code in places:
            ctx.error(row, "code", f"编码{code}已被占用")
        else:
            note_code(ctx, parent, PlaceKind.HOUSEHOLD, code)

    def _check_name(
        self, ctx: Context, row: Row, parent: PlaceRef, taken: set[tuple[int, str]]
    ) -> None:
        name = row.data.get("name")
        if not name:
            return
        earlier = ctx.first_seen(("name", parent.id, name), row)
        if earlier is not None:
            ctx.error(row, "name", f"与第{earlier}行重复（同一上级下门牌户号相同）")
        elif (parent.id, name) in taken:
            ctx.error(row, "name", f"上级{parent.code}下已有门牌户号“{name}”")

    def _check_point(self, ctx: Context, row: Row) -> None:
        lng, lat = row.data.get("lng"), row.data.get("lat")
        if (lng is None) != (lat is None):
            ctx.error(row, "lng" if lng is None else "lat", "经度和纬度应同时填写")
        elif lng is not None and lat is not None and not (73 <= lng <= 136 and 3 <= lat <= 54):
            ctx.error(row, "lng", "经纬度不在中国境内，请检查是否填反")

    def write(self, records: list[Any], ctx: Context) -> int:
        ids = allocate_ids(Place, len(records))
        rows = []
        for pk, (parent, code, name, address, lng, lat) in zip(ids, records, strict=True):
            code = code or next_code(ctx, parent, PlaceKind.HOUSEHOLD)
            rows.append(
                (
                    pk,
                    PlaceKind.HOUSEHOLD,
                    code,
                    name,
                    parent.id,
                    parent.path + path_segment(pk),
                    len(parent.path) // SEGMENT,
                    address,
                    lng,
                    lat,
                )
            )
        return FastInsert(Place, PLACE_FIELDS).run(rows, prepared=True)

    def export_rows(self, where: ExportScope) -> Iterator[tuple[Any, ...]]:
        qs = Place.objects.filter(kind=PlaceKind.HOUSEHOLD, **where.path_filter("")).order_by(
            "path"
        )
        fields = ("parent__code", "code", "name", "address", "lng", "lat")
        yield from qs.values_list(*fields).iterator(chunk_size=2000)
