"""Querysets compiled to SQL once per process, for the few reads every request of a hot path
makes (the case a transition locks, its timeline).

Django builds and compiles a queryset's SQL on every evaluation; for a `select_related` over
four wide tables that is most of the CPU the read costs (about 1 ms a query on the 2-core
box), while the SQL is the same every time but for one parameter. `CompiledQuery(build)`
calls `build(marker)` once per database alias, compiles it, remembers where the marker went
among the parameters, and afterwards only executes the SQL with the value in its place and
turns the rows into model instances the way Django's own `ModelIterable` does (field
converters, `select_related` objects attached). The query goes through the connection's
cursor, so query counting, `execute_wrapper` and the debug log see it as usual.

Only for querysets whose SQL does not depend on the value (an equality filter on one field,
no `__in` list, no None); the value must be of the marker's type. Several values: pass a tuple
of distinct markers, `build` receives them in order and `all(*values)` takes the values in the
same order; an `__in` list of a fixed length takes one marker per item (keep one compiled
query per length). A marker compared with a datetime column is given as a `DatetimeMarker`:
Django adapts a datetime before it reaches the parameters, so the marker is looked for in its
adapted form and each value is adapted the same way. A `values_list` queryset answers plain
tuples (the field converters applied), a model queryset model instances.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

M = TypeVar("M", bound=Model)

# A value no real lookup uses, to find the parameter's position in the compiled SQL.
INT_MARKER = -7_340_021_913
STR_MARKER = "\x1ecompiled-query-marker\x1e"


def int_markers(n: int) -> tuple[int, ...]:
    """`n` distinct integer markers (ids in an `__in` list, several id filters)."""
    return tuple(INT_MARKER - i for i in range(n))


def str_markers(n: int) -> tuple[str, ...]:
    """`n` distinct string markers (paths in an `__in` list, several text filters)."""
    return tuple(f"{STR_MARKER}{i}" for i in range(n))


class DatetimeMarker(dt.datetime):
    """A datetime marker: located in the parameters in the adapted form the connection gives
    a datetime column's value, and the value put in its place adapted the same way."""


def datetime_marker(n: int = 0) -> DatetimeMarker:
    return DatetimeMarker(1901, 2, 3, 4, 5, 6, 789_000 + n, tzinfo=dt.UTC)


@dataclass
class _Plan:
    sql: str
    params: list[Any]
    at: list[int]  # where each marker went among the parameters, in the markers' order
    adapt: list[Callable[[Any], Any] | None]  # how each value is put there
    model: Any  # None for a values_list queryset: plain tuples
    init_list: list[str]
    start: int
    end: int
    converters: dict[int, Any]
    compiler: Any
    populators: list[Any]


class CompiledQuery(Generic[M]):
    def __init__(self, build: Callable[..., QuerySet[M]], marker: Any = INT_MARKER) -> None:
        self.build = build
        self.markers: tuple[Any, ...] = marker if isinstance(marker, tuple) else (marker,)
        if len(set(self.markers)) != len(self.markers):
            raise ValueError("the markers must be distinct")
        self.plans: dict[str, _Plan] = {}

    def _plan(self, using: str) -> _Plan:
        plan = self.plans.get(using)
        if plan is None:
            qs = self.build(*self.markers)
            compiler = qs.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            ops = connections[using].ops
            at: list[int] = []
            adapt: list[Callable[[Any], Any] | None] = []
            for marker in self.markers:
                how: Callable[[Any], Any] | None = (
                    ops.adapt_datetimefield_value if isinstance(marker, DatetimeMarker) else None
                )
                seen = how(marker) if how else marker
                found = [i for i, p in enumerate(params) if type(p) is type(seen) and p == seen]
                if len(found) != 1:
                    raise ValueError(f"a marker appears {len(found)} times in the compiled query")
                at.append(found[0])
                adapt.append(how)
            klass_info, select = compiler.klass_info, compiler.select
            converters = compiler.get_converters([f[0] for f in select])
            if qs._iterable_class is not ModelIterable:  # values_list: the columns as they are
                plan = _Plan(sql, list(params), at, adapt, None, [], 0, 0, converters, compiler, [])
            else:
                fields = klass_info["select_fields"]
                start, end = fields[0], fields[-1] + 1
                plan = _Plan(
                    sql=sql,
                    params=list(params),
                    at=at,
                    adapt=adapt,
                    model=klass_info["model"],
                    init_list=[f[0].target.attname for f in select[start:end]],
                    start=start,
                    end=end,
                    converters=converters,
                    compiler=compiler,
                    # django-stubs describe a later Django (a fetch_mode argument); 5.2 has 3
                    populators=get_related_populators(klass_info, select, using),  # type: ignore[call-arg]
                )
            self.plans[using] = plan
        return plan

    def _rows(self, values: tuple[Any, ...], using: str) -> tuple[_Plan, Any]:
        plan = self._plan(using)
        if len(values) != len(plan.at):
            raise TypeError(f"{len(plan.at)} values expected, {len(values)} given")
        if any(type(v) is int and not -(2**63) <= v < 2**63 for v in values):
            return plan, []  # no row has such an id (Django's lookups answer nothing too)
        params = list(plan.params)
        for i, how, value in zip(plan.at, plan.adapt, values, strict=True):
            params[i] = how(value) if how else value
        with connections[using].cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows: Any = cursor.fetchall()
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        return plan, rows

    def rows(self, *values: Any, using: str = "default") -> list[tuple[Any, ...]]:
        """The tuples a `values_list` queryset built for `values` would give, in its order."""
        plan, rows = self._rows(values, using)
        if plan.model is not None:
            raise TypeError("rows() is for values_list querysets; all() gives instances")
        return [tuple(row) for row in rows]

    def all(self, *values: Any, using: str = "default") -> list[M]:
        """The instances the queryset built for `values` would give, in its order."""
        plan, rows = self._rows(values, using)
        if plan.model is None:
            raise TypeError("all() is for model querysets; rows() gives tuples")
        out = []
        for row in rows:
            obj = plan.model.from_db(using, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out

    def get(self, *values: Any, using: str = "default") -> M:
        """The one instance for `values`; the model's DoesNotExist when there is none."""
        found = self.all(*values, using=using)
        if not found:
            raise self.plans[using].model.DoesNotExist
        return found[0]


class CompiledPerLength(Generic[M]):
    """`CompiledQuery`s for a query whose `__in` list may have any length: the SQL differs per
    length, so one is compiled per length on first use. `build(*values)` is given markers as
    for `CompiledQuery`, `markers(n)` makes the `n` distinct markers of a length. Beyond `most`
    values nothing is compiled: the queryset is built and evaluated each time (rare lengths
    would only fill the cache)."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        markers: Callable[[int], tuple[Any, ...]],
        most: int | None = None,
    ) -> None:
        self.build = build
        self.markers = markers
        self.most = most
        self.queries: dict[int, CompiledQuery[M]] = {}

    def _query(self, n: int) -> "CompiledQuery[M] | None":
        if self.most is not None and n > self.most:
            return None
        query = self.queries.get(n)
        if query is None:
            query = self.queries[n] = CompiledQuery(self.build, self.markers(n))
        return query

    def all(self, *values: Any, using: str = "default") -> list[M]:
        query = self._query(len(values))
        return query.all(*values, using=using) if query else list(self.build(*values))

    def rows(self, *values: Any, using: str = "default") -> list[tuple[Any, ...]]:
        query = self._query(len(values))
        if query:
            return query.rows(*values, using=using)
        rows: Any = self.build(*values)  # a values_list queryset: tuples
        return [tuple(row) for row in rows]


class CompiledUpdate:
    """`obj.save(update_fields=fields)` for one model and one fixed list of fields, its SQL
    built once per database alias: the `pre_save` signal (the too-long rule of
    `apps.core.limits`) and each field's `pre_save` (`auto_now`) run as in `save`, then one
    `UPDATE … SET … WHERE pk = %s`. Refuses, like `save`, when no row was updated. No
    `post_save` receivers may depend on it (it sends `post_save` too, with `update_fields`)."""

    def __init__(self, model: type[Model], fields: list[str]) -> None:
        self.model = model
        self.fields: list[Any] = [model._meta.get_field(name) for name in fields]
        self.sql: dict[str, str] = {}

    def _sql(self, using: str) -> str:
        sql = self.sql.get(using)
        if sql is None:
            q = connections[using].ops.quote_name
            sets = ", ".join(f"{q(f.column)} = %s" for f in self.fields)
            meta: Any = self.model._meta
            sql = f"UPDATE {q(meta.db_table)} SET {sets} WHERE {q(meta.pk.column)} = %s"
            self.sql[using] = sql
        return sql

    def save(self, obj: Model, using: str = "default") -> None:
        from django.db import DatabaseError
        from django.db.models.signals import post_save, pre_save

        names = frozenset(f.name for f in self.fields)
        pre_save.send(self.model, instance=obj, raw=False, using=using, update_fields=names)
        connection = connections[using]
        params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in self.fields]
        params.append(obj.pk)
        with connection.cursor() as cursor:
            cursor.execute(self._sql(using), params)
            if cursor.rowcount != 1:
                raise DatabaseError("Save with update_fields did not affect any rows.")
        obj._state.db = using
        post_save.send(
            self.model, instance=obj, created=False, update_fields=names, raw=False, using=using
        )


class CompiledInsert:
    """`obj.save(force_insert=True)` of a new row of one model with an automatic primary key,
    its `INSERT … RETURNING id` built once per database alias (Django compiles the INSERT of
    every `save` anew: for an append-only row written on every transition, the event and the
    audit event, that was most of the write's CPU). As in `save`: the `pre_save` signal (the
    too-long rule of `apps.core.limits`), each field's `pre_save` (`auto_now_add`, defaults
    already set by the constructor) and `post_save` with `created=True`; the model's own
    `save()` is not called, so it must add nothing a new row needs."""

    def __init__(self, model: type[Model]) -> None:
        meta: Any = model._meta
        if meta.parents:
            raise ValueError("CompiledInsert does not write inherited models")
        self.model = model
        self.pk = meta.pk
        self.fields: list[Any] = [
            f
            for f in meta.local_concrete_fields
            if f is not meta.pk and not getattr(f, "generated", False)
        ]
        self.sql: dict[str, tuple[str, bool]] = {}

    def _sql(self, using: str) -> tuple[str, bool]:
        found = self.sql.get(using)
        if found is None:
            connection = connections[using]
            q = connection.ops.quote_name
            meta: Any = self.model._meta
            columns = ", ".join(q(f.column) for f in self.fields)
            values = ", ".join(["%s"] * len(self.fields))
            sql = f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES ({values})"
            returning = bool(connection.features.can_return_columns_from_insert)
            if returning:
                sql += f" RETURNING {q(self.pk.column)}"
            found = self.sql[using] = (sql, returning)
        return found

    def save(self, obj: Model, using: str = "default") -> None:
        from django.db.models.signals import post_save, pre_save

        if obj.pk is not None:
            raise ValueError("CompiledInsert writes new rows only")
        pre_save.send(self.model, instance=obj, raw=False, using=using, update_fields=None)
        connection = connections[using]
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in self.fields]
        sql, returning = self._sql(using)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                pk = cursor.fetchone()[0]
            else:
                meta: Any = self.model._meta
                pk = connection.ops.last_insert_id(cursor, meta.db_table, self.pk.column)
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
        post_save.send(
            self.model, instance=obj, created=True, update_fields=None, raw=False, using=using
        )
