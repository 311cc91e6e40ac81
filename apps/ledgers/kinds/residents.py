"""居民台账: one row per resident of a household."""

from collections.abc import Iterator
from typing import Any

from apps.core import crypto
from apps.core.validators import birth_date_from_id, sex_from_id
from apps.people.choices import Relation, Sex
from apps.people.models import CareTag, Person
from apps.places.choices import PlaceKind

from ..specs import RESIDENTS
from .base import Context, FastInsert, Row, places_by_code, resolve_place
from .ledger import ExportScope, Ledger
from .persons import check_id_duplicate, insert_persons, person_values, reveal_or_mask

HOUSEHOLD = {PlaceKind.HOUSEHOLD}
TRADE_MAX = Person._meta.get_field("trade").max_length or 30


def care_tag_ids(ctx: Context) -> dict[str, int]:
    if "care_tags" not in ctx.cache:
        ctx.cache["care_tags"] = dict(CareTag.objects.filter(active=True).values_list("name", "id"))
    return ctx.cache["care_tags"]


class ResidentsLedger(Ledger):
    spec = RESIDENTS

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        places = places_by_code(r.data.get("household", "") for r in rows)
        indexes = {
            id(r): crypto.blind_index(r.data["id_number"]) for r in rows if "id_number" in r.data
        }
        known = set(
            Person.objects.filter(id_number_index__in=set(indexes.values())).values_list(
                "id_number_index", flat=True
            )
        )
        tags = care_tag_ids(ctx)
        records = []
        for row in rows:
            place = resolve_place(ctx, row, "household", places, HOUSEHOLD)
            index = indexes.get(id(row), "")
            if index:
                self._check_identity(ctx, row, index in known)
            tag_ids = self._tag_ids(ctx, row, tags)
            if len(row.data.get("trade", "")) > TRADE_MAX:
                ctx.error(row, "trade", f"从业行业最多{TRADE_MAX}个字")
            if row.ok and ctx.prepare and place is not None:
                records.append((person_values(place, row.data, index), tag_ids))
        return records

    def _check_identity(self, ctx: Context, row: Row, known: bool) -> None:
        if not check_id_duplicate(ctx, row):
            return
        if known:
            ctx.error(row, "id_number", "该身份证号已在系统中登记")
            return
        id_number = row.data["id_number"]
        birth = row.data.get("birth_date")
        if birth and birth != birth_date_from_id(id_number):
            ctx.error(row, "birth_date", "出生日期与身份证号不符")
        sex = row.data.get("sex")
        if sex and sex != sex_from_id(id_number):
            ctx.error(row, "sex", "性别与身份证号不符")

    def _tag_ids(self, ctx: Context, row: Row, tags: dict[str, int]) -> tuple[int, ...]:
        found = []
        for name in row.data.get("care_tags", ()):
            if name in tags:
                found.append(tags[name])
            else:
                ctx.error(row, "care_tags", f"未知的关爱标签“{name}”，可选：{'、'.join(tags)}")
        return tuple(found)

    def write(self, records: list[Any], ctx: Context) -> int:
        ids = insert_persons([values for values, _ in records])
        links = [
            (pk, tag) for pk, (_, tag_ids) in zip(ids, records, strict=True) for tag in tag_ids
        ]
        FastInsert(Person.care_tags.through, ("person", "caretag")).run(links, prepared=True)
        return len(ids)

    def export_rows(self, where: ExportScope) -> Iterator[tuple[Any, ...]]:
        qs = Person.objects.filter(place__kind=PlaceKind.HOUSEHOLD, **where.path_filter("place"))
        yield from person_rows(qs, where, resident_row)


def resident_row(p: dict[str, Any], tags: list[str], where: ExportScope) -> tuple[Any, ...]:
    return (
        p["place__code"],
        p["name"],
        SEX_LABELS.get(p["sex"], ""),
        reveal_or_mask(where, p["id_number_enc"], p["id_number_masked"]),
        crypto.shown_birth(p["birth_date"], full=where.reveal),
        reveal_or_mask(where, p["phone_enc"], p["phone_masked"]),
        RELATION_LABELS.get(p["relation"], ""),
        "、".join(tags),
        p["trade"],
        p["note"],
    )


SEX_LABELS = dict(Sex.choices)
RELATION_LABELS = dict(Relation.choices)
PERSON_EXPORT_FIELDS = (
    "id",
    "place__code",
    "name",
    "sex",
    "birth_date",
    "relation",
    "trade",
    "note",
    "id_number_enc",
    "id_number_masked",
    "phone_enc",
    "phone_masked",
)


def person_rows(qs: Any, where: ExportScope, make_row: Any, batch: int = 2000) -> Iterator[Any]:
    """Rows of persons in id order, a batch at a time with their care tags (bounded memory)."""
    last = 0
    through = Person.care_tags.through
    while True:
        chunk = list(qs.filter(id__gt=last).order_by("id").values(*PERSON_EXPORT_FIELDS)[:batch])
        if not chunk:
            return
        tags: dict[int, list[str]] = {}
        for pid, name in through.objects.filter(person_id__in=[p["id"] for p in chunk]).values_list(
            "person_id", "caretag__name"
        ):
            tags.setdefault(pid, []).append(name)
        for p in chunk:
            where.count_person()
            yield make_row(p, tags.get(p["id"], []), where)
        last = chunk[-1]["id"]
