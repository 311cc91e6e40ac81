"""Helpers for ledgers that name persons: ID-number keys, look-ups and new-person rows."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connection

from apps.core import crypto
from apps.core.text import pinyin_initials
from apps.people.models import Person
from apps.places.actions import allocate_ids

from .base import Context, FastInsert, PlaceRef, Row

PERSON_FIELDS = (
    "id",
    "place",
    "name",
    "name_initials",
    "sex",
    "birth_date",
    "relation",
    "id_number_enc",
    "id_number_index",
    "id_number_masked",
    "phone_enc",
    "phone_index",
    "phone_masked",
    "phone_suffix",
    "trade",
    "note",
    "active",
)


@dataclass(frozen=True)
class KnownPerson:
    id: int
    path: str
    name: str


def id_key(id_number: str) -> int:
    """A compact key of a valid ID number for duplicate detection within a file."""
    last = id_number[17]
    return int(id_number[:17]) * 11 + (10 if last == "X" else int(last))


def persons_by_index(indexes: Iterable[str]) -> dict[str, KnownPerson]:
    wanted = {i for i in indexes if i}
    if not wanted:
        return {}
    rows = Person.objects.filter(id_number_index__in=wanted).values_list(
        "id_number_index", "id", "place__path", "name"
    )
    return {r[0]: KnownPerson(r[1], r[2], r[3]) for r in rows}


@lru_cache(maxsize=65536)
def initials(name: str) -> str:
    return pinyin_initials(name)


def person_values(place: PlaceRef, data: dict[str, Any], index: str) -> tuple[Any, ...]:
    """The PERSON_FIELDS values (without id) of a new person, encrypted and masked."""
    id_number = data["id_number"]
    phone = data.get("phone", "")
    birth = data.get("birth_date") or date(
        int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])
    )
    sex = data.get("sex") or ("M" if int(id_number[16]) % 2 else "F")
    return (
        place.id,
        data["name"],
        initials(data["name"]),
        sex,
        connection.ops.adapt_datefield_value(birth),
        data.get("relation", ""),
        crypto.encrypt(id_number),
        index,
        crypto.mask_id_number(id_number),
        crypto.encrypt(phone),
        crypto.blind_index(phone),
        crypto.mask_phone(phone),
        phone[-4:],
        data.get("trade", ""),
        data.get("note", ""),
        True,
    )


def insert_persons(values: list[tuple[Any, ...]]) -> list[int]:
    """Insert new persons (PERSON_FIELDS without id); return their pre-allocated ids."""
    ids = allocate_ids(Person, len(values))
    FastInsert(Person, PERSON_FIELDS).run(
        [(pk, *v) for pk, v in zip(ids, values, strict=True)], prepared=True
    )
    return ids


def check_id_duplicate(ctx: Context, row: Row) -> bool:
    """Report an ID number already seen in this file; True if the row may go on."""
    earlier = ctx.first_seen(id_key(row.data["id_number"]), row)
    if earlier is not None:
        ctx.error(row, "id_number", f"与第{earlier}行的身份证号重复")
        return False
    return True


def reveal_or_mask(where: Any, enc: str, masked: str) -> str:
    return crypto.decrypt(enc) if where.reveal and enc else masked
