"""责任台账: who answers for which household or place, of which kind, from when to when."""

from collections.abc import Iterator
from typing import Any

from apps.core import crypto
from apps.duties.choices import HOUSEHOLD_DUTIES, DutyKind
from apps.duties.models import Duty
from apps.places.choices import PlaceKind

from ..specs import DUTIES
from .base import Context, FastInsert, Row, places_by_code, resolve_place
from .ledger import ExportScope, Ledger
from .persons import persons_by_index, reveal_or_mask
from .roles import keyset

DUTY_FIELDS = ("person", "place", "kind", "start_date", "end_date", "note")


class DutiesLedger(Ledger):
    spec = DUTIES

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        indexes = {
            id(r): crypto.blind_index(r.data["id_number"]) for r in rows if "id_number" in r.data
        }
        known = persons_by_index(indexes.values())
        places = places_by_code(r.data.get("place", "") for r in rows)
        existing = set(
            Duty.objects.filter(
                person_id__in=[k.id for k in known.values()],
                place_id__in=[p.id for p in places.values()],
            ).values_list("person_id", "place_id", "kind", "start_date")
        )
        records = []
        for row in rows:
            person_id = self._person(ctx, row, known.get(indexes.get(id(row), "")))
            place = resolve_place(ctx, row, "place", places)
            self._check_terms(ctx, row, place.kind if place else "")
            if person_id is None or place is None or not row.ok:
                continue
            key = (person_id, place.id, row.data["kind"], row.data["start_date"])
            earlier = ctx.first_seen(key, row)
            if earlier is not None:
                ctx.error(row, "kind", f"与第{earlier}行重复（同一人同一地点同类责任同日开始）")
            elif key in existing:
                ctx.error(row, "kind", "该责任已登记")
            elif ctx.prepare:
                d = row.data
                records.append(
                    (
                        person_id,
                        place.id,
                        d["kind"],
                        d["start_date"],
                        d.get("end_date"),
                        d.get("note", ""),
                    )
                )
        return records

    def _person(self, ctx: Context, row: Row, known: Any) -> int | None:
        if "id_number" not in row.data:
            return None
        if known is None:
            ctx.error(row, "id_number", "未找到该身份证号的人员（责任人须先登记）")
            return None
        name = row.data.get("name")
        if name and name != known.name:
            ctx.error(row, "name", f"姓名与身份证号不符（系统中为“{known.name}”）")
        return known.id

    def _check_terms(self, ctx: Context, row: Row, place_kind: str) -> None:
        d = row.data
        kind = d.get("kind")
        if kind in HOUSEHOLD_DUTIES and place_kind and place_kind != PlaceKind.HOUSEHOLD:
            ctx.error(row, "place", f"“{DutyKind(kind).label}”责任应落实到户，请填写户编码")
        start, end = d.get("start_date"), d.get("end_date")
        if start and end and end < start:
            ctx.error(row, "end_date", "结束日期早于开始日期")

    def write(self, records: list[Any], ctx: Context) -> int:
        return FastInsert(Duty, DUTY_FIELDS).run(records)

    def export_rows(self, where: ExportScope) -> Iterator[tuple[Any, ...]]:
        qs = Duty.objects.filter(**where.path_filter("place"))
        fields = (
            "person__id_number_enc",
            "person__id_number_masked",
            "person__name",
            "place__code",
            "kind",
            "start_date",
            "end_date",
            "note",
        )
        labels = dict(DutyKind.choices)
        for chunk in keyset(qs, fields):
            for d in chunk:
                where.count_person()
                yield (
                    reveal_or_mask(
                        where, d["person__id_number_enc"], d["person__id_number_masked"]
                    ),
                    d["person__name"],
                    d["place__code"],
                    labels.get(d["kind"], d["kind"]),
                    d["start_date"],
                    d["end_date"],
                    d["note"],
                )
