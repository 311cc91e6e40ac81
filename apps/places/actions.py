"""Writes to the place tree."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Model

from apps.accounts.permissions import Cap, require
from apps.core import audit
from apps.core.choices import AuditVerb

from .models import Place, path_segment


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """Reserve `count` primary keys, so a bulk insert can compute paths before it writes.

    PostgreSQL draws them from the table's sequence; SQLite (one writer at a time, and the
    caller holds the write transaction) continues after the current maximum.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cur.fetchall()]
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        start = cur.fetchone()[0] + 1
    return list(range(start, start + count))


def assign_path(place: Place) -> None:
    """Fill path and depth of an unsaved place whose id is already set."""
    parent_path = place.parent.path if place.parent_id else ""
    place.path = parent_path + path_segment(place.pk)
    place.depth = place.parent.depth + 1 if place.parent_id else 0


def check_can_edit_place(actor: Any, place: Place) -> None:
    if getattr(actor, "is_superuser", False):
        return  # a superuser edits the whole tree, whatever account scope it carries
    require(actor, Cap.PLACES_EDIT, place)


@transaction.atomic
def do_create_place(
    *, actor: Any, kind: str, code: str, name: str, parent: Place | None, **fields: Any
) -> Place:
    if parent is not None:
        check_can_edit_place(actor, parent)
    elif not getattr(actor, "is_superuser", False):
        raise PermissionDenied("只有系统管理员可以新建县区")
    place = Place(kind=kind, code=code, name=name, parent=parent, **fields)
    place.full_clean(exclude=["path", "depth"])
    place.pk = allocate_ids(Place, 1)[0]
    assign_path(place)
    place.save(force_insert=True)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=place,
        changes={"kind": kind, "code": code, "name": name},
    )
    return place


EDITABLE_FIELDS = ("name", "address", "lng", "lat", "geometry", "attributes")


@transaction.atomic
def do_update_place(*, actor: Any, place: Place, **data: Any) -> Place:
    place = Place.objects.select_for_update().get(pk=place.pk)
    check_can_edit_place(actor, place)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段：{', '.join(sorted(unknown))}")
    changes = audit.changed_fields(place, data)
    if not changes:
        return place
    for name, value in data.items():
        setattr(place, name, value)
    place.full_clean(exclude=["path", "depth", "code", "parent"])
    place.save(update_fields=[*changes, "updated_at"])
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=place, changes=changes)
    return place
