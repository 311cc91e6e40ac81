"""Batched inserts with primary keys chosen before the insert.

The generator links rows to each other (a resident to a household, a duty to a resident, a
place's path to its ancestors' ids) before anything is written, so every row gets its id up
front: from the table's sequence on PostgreSQL, and on SQLite from a local counter above the
current maximum (safe because the whole load runs inside one write transaction per batch of
towns and SQLite has a single writer).
"""

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from operator import attrgetter
from types import SimpleNamespace
from typing import Any

from django.db import connection, models
from django.utils import timezone

from apps.places.actions import allocate_ids

BATCH = 5000


class Row(SimpleNamespace):
    """The column values of one row to insert, by attname.

    Several times lighter to build than a model instance, which matters at a million rows;
    columns left out take the field's default. Model methods that only set attributes
    (Person.set_id_number, places.actions.assign_path) work on a Row as well.
    """

    @property
    def pk(self) -> Any:
        return getattr(self, "id", None)


class IdPool:
    """Hands out primary keys for one model without a round trip per row."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.free: list[int] = []
        self.last = 0

    def take(self) -> int:
        if not self.free:
            self._refill()
        self.last = self.free.pop()
        return self.last

    def _refill(self) -> None:
        if connection.vendor == "postgresql":
            self.free = allocate_ids(self.model, BATCH)[::-1]
            return
        # SQLite's allocate_ids reads MAX(id), which does not see ids taken but not yet
        # flushed; continue from whichever is higher.
        start = max(allocate_ids(self.model, 1)[0], self.last + 1)
        self.free = list(range(start + BATCH - 1, start - 1, -1))


class Sink:
    """Collects unsaved model instances and writes them in batches of BATCH rows.

    Foreign keys are deferrable on both SQLite and PostgreSQL, so rows may be written in any
    order inside the transaction; `flush()` must run before the transaction commits. Nothing
    here calls save() or sends signals, as with bulk_create. A queued row may still be
    changed until the next row of its model is queued.
    """

    def __init__(self) -> None:
        self.pending: dict[type[models.Model], list[Any]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.pools: dict[type[models.Model], IdPool] = {}
        self.defaults: dict[type[models.Model], dict[str, Any]] = {}

    def new_id(self, model: type[models.Model]) -> int:
        pool = self.pools.get(model)
        if pool is None:
            pool = self.pools[model] = IdPool(model)
        return pool.take()

    def add(self, obj: models.Model) -> Any:
        """Queue a model instance."""
        self._queue(type(obj), obj)
        return obj

    def row(self, model: type[models.Model], **values: Any) -> Row:
        """Queue a Row for `model`, with a new primary key unless `id=None` is given."""
        if "id" not in values:
            values["id"] = self.new_id(model)
        row = Row(**{**self._defaults(model), **values})
        self._queue(model, row)
        return row

    def _defaults(self, model: type[models.Model]) -> dict[str, Any]:
        """Every column's default, so a Row carries all columns."""
        defaults = self.defaults.get(model)
        if defaults is None:
            defaults = self.defaults[model] = {
                f.attname: f.get_default() for f in model._meta.concrete_fields
            }
        return defaults

    def _queue(self, model: type[models.Model], obj: Any) -> None:
        # Write a full batch before queueing, never the row just added: its caller may still
        # be filling it in (a path, an encrypted ID number) until it queues the next one.
        if len(self.pending[model]) >= BATCH:
            self._write(model)
        self.pending[model].append(obj)

    def flush(self) -> None:
        for model in list(self.pending):
            self._write(model)

    def _write(self, model: type[models.Model]) -> None:
        rows = self.pending.pop(model, [])
        if rows:
            insert_rows(model, rows)
            self.counts[model._meta.label_lower] += len(rows)


def insert_rows(model: type[models.Model], objs: list[Any]) -> None:
    """INSERT unsaved instances the way bulk_create would, several times faster.

    bulk_create prepares every value through the field and compiler machinery and, on SQLite,
    caps a statement at 999 parameters; with half a million rows that dominates the load.
    Values here are plain Python already (the generator sets attnames, dates and JSON-able
    dicts), so only dates, datetimes and JSON need adapting, and auto_now timestamps left
    unset get one value per batch. Rows go in with executemany on SQLite and COPY on
    PostgreSQL. Rows without a primary key leave the id to the database (many-to-many rows).
    """
    ops = connection.ops
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and objs[0].pk is None)]
    get = attrgetter(*(f.attname for f in fields))
    adapt = [(i, c) for i, c in enumerate(_converter(f, ops, now) for f in fields) if c]
    rows = []
    for obj in objs:
        row = list(get(obj))
        for i, convert in adapt:
            row[i] = convert(row[i])
        rows.append(row)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _converter(field: models.Field, ops: Any, now: datetime) -> Callable[[Any], Any] | None:
    """How to adapt a value of `field` for the driver, or None to pass it as it is."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # A history the generator dates itself (cases, their events) keeps its times.
        stamp = ops.adapt_datetimefield_value(now)
        adapt = ops.adapt_datetimefield_value
        return lambda value: stamp if value is None else adapt(value)
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None
