"""Case rollups, the write side: what each case adds to the counters of its rollup row and the
hook the case actions call in their own transaction (`record_case_change`). Stats reads the
tables and recomputes them from the raw cases (`apps.stats.rollups`: `verify`, `rebuild`).

A case's *contribution* is a key (rollup place, registration day, category, source, kind,
status) and a vector of counters. A write moves the case from its old contribution to its new
one: the old vector is subtracted from the old key and the new one added to the new key, each
with one `INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c` (SQLite ≥ 3.24 and
PostgreSQL), so two transactions changing cases of the same row never lose an increment.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from apps.core.compiled import CompiledQuery
from apps.places.choices import PlaceKind
from apps.places.models import SEGMENT, Place

from .choices import OPEN_STATUSES, SATISFIED_RATINGS, WITHDRAWN_STATUSES
from .models import CASE_COUNTERS, Case, CaseMonthRollup, CaseRollup

# Rollup rows are kept per grid: a case's place path is cut at the grid's depth (a case filed
# on a household counts under its grid), so any place at grid level or above is an exact path
# range of rows. The grid's depth depends on the root of its tree: the kinds from the root down
# to the grid are fixed (apps.places.choices.ALLOWED_PARENTS), so a county-rooted tree has its
# grids at the 4th segment, a city-rooted one at the 5th, a province-rooted one at the 6th.
ADMIN_CHAIN = (
    PlaceKind.PROVINCE,
    PlaceKind.CITY,
    PlaceKind.COUNTY,
    PlaceKind.TOWN,
    PlaceKind.COMMUNITY,
    PlaceKind.GRID,
)
COUNTY_CUT = (len(ADMIN_CHAIN) - ADMIN_CHAIN.index(PlaceKind.COUNTY)) * SEGMENT


def cut_below(root_kind: str) -> int:
    """How many path characters a rollup key keeps in a tree rooted at a `root_kind` place."""
    return (len(ADMIN_CHAIN) - ADMIN_CHAIN.index(PlaceKind(root_kind))) * SEGMENT


# The cut of each tree, by its root's path; a process-wide memo (roots are few and their kind
# never changes), emptied whenever a root place is saved or deleted (`forget_roots`) and by bulk
# writers of places (the demo). A root not found yet is looked up once.
_ROOT_CUTS: dict[str, int] = {}


def forget_roots(**_: Any) -> None:
    _ROOT_CUTS.clear()


def root_saved(sender: Any, instance: Any, **_: Any) -> None:
    """post_save / post_delete of a place: a root may be new, gone or of another kind."""
    if instance.parent_id is None:
        _ROOT_CUTS.clear()


def cut_for(place_path: str) -> int:
    """The number of characters of `place_path` its rollup key keeps (its tree's grid depth)."""
    root = place_path[:SEGMENT]
    cut = _ROOT_CUTS.get(root)
    if cut is None:
        kind = Place.objects.filter(path=root).values_list("kind", flat=True).first()
        if kind is None:  # not a stored tree (yet): as a county-rooted one, not remembered
            return COUNTY_CUT
        cut = _ROOT_CUTS[root] = cut_below(kind)
    return cut


def root_cuts() -> dict[str, int]:
    """The cut of every tree, read from the database now (for the SQL of verify and rebuild)."""
    return {
        path: cut_below(kind)
        for path, kind in Place.objects.filter(parent__isnull=True).values_list("path", "kind")
    }


Key = tuple[Any, ...]  # (place path, day, category id, source, kind, status) in full
Vector = tuple[int, ...]
ZERO: Vector = (0,) * len(CASE_COUNTERS)


def rollup_path(place_path: str) -> str:
    return place_path[: cut_for(place_path)]


def exact_for(place_path: str) -> bool:
    """Whether the rollups answer for this place's subtree exactly (grid level or above)."""
    return len(place_path) <= cut_for(place_path)


@dataclass(frozen=True)
class Contribution:
    key: Key
    vector: Vector


def _us(start: dt.datetime, end: dt.datetime | None) -> int:
    return 0 if end is None else (end - start) // dt.timedelta(microseconds=1)


def _vector(row: dict[str, Any], persons: int) -> Vector:
    responded, resolved = row["responded_at"], row["resolved_at"]
    created = row["created_at"]
    in_time = bool(responded and row["respond_by"] and responded <= row["respond_by"])
    on_time = bool(resolved and row["resolve_by"] and resolved <= row["resolve_by"])
    return (
        1,
        int(responded is not None),
        int(in_time),
        int(responded is None and row["status"] not in OPEN_STATUSES),
        int(resolved is not None),
        int(on_time),
        int(row["rating"] != ""),
        int(row["rating"] in SATISFIED_RATINGS),
        max(1, persons) if resolved is not None else 0,
        _us(created, responded),
        _us(created, resolved),
    )


ROW_FIELDS = (
    "place__path",
    "created_at",
    "category_id",
    "source",
    "kind",
    "status",
    "respond_by",
    "resolve_by",
    "responded_at",
    "resolved_at",
    "rating",
)


def row_contribution(row: dict[str, Any], persons: int) -> Contribution:
    key: Key = (
        rollup_path(row["place__path"]),
        timezone.localdate(row["created_at"]),
        row["category_id"],
        row["source"],
        row["kind"],
        row["status"],
    )
    return Contribution(key, _vector(row, persons))


def contribution(case: Case) -> Contribution:
    """What `case`, as it is in memory now, adds to the rollups (one query for the persons
    concerned, and only for a resolved case: person-times count nothing before)."""
    row = {name: getattr(case, name) for name in ROW_FIELDS if name != "place__path"}
    row["place__path"] = case.place.path
    persons = len(_PERSONS.rows(case.pk)) if case.resolved_at is not None else 0
    return row_contribution(row, persons)


# `case.persons.count()`, as the link rows' ids (a handful per case), compiled once per process:
# it is read twice in every transition of a resolved case (before and after).
_PERSONS: CompiledQuery[Any] = CompiledQuery(
    lambda pk: Case.persons.through.objects.filter(case_id=pk).values_list("pk")
)


@dataclass(frozen=True)
class Table:
    """One rollup table: its model, key columns, and how a case's full contribution maps to a
    row key and vector of it."""

    model: Any  # type[CaseRollup] | type[CaseMonthRollup]
    keys: tuple[str, ...]
    key: Callable[[Key], Key]
    vector: Callable[[Key, Vector], Vector]

    @property
    def name(self) -> str:
        return self.model._meta.db_table


DAY = Table(
    CaseRollup,
    ("place_path", "day", "category_id", "source", "kind", "status"),
    lambda key: key,
    lambda key, vector: vector,
)
MONTH = Table(
    CaseMonthRollup,
    ("place_path", "month"),
    lambda key: (key[0], key[1].replace(day=1)),
    lambda key, vector: ZERO if key[5] in WITHDRAWN_STATUSES else vector,
)
TABLES = (DAY, MONTH)


def record_case_change(case: Case, before: Contribution | None) -> None:
    """Move `case` from its contribution `before` (None: a new case) to its current one in
    every rollup table. Call inside the transaction that saved the case."""
    after = contribution(case)
    changes: list[tuple[Table, Key, Vector]] = []
    for table in TABLES:
        new_key, new = table.key(after.key), table.vector(after.key, after.vector)
        if before is None:
            changes.append((table, new_key, new))
            continue
        old_key, old = table.key(before.key), table.vector(before.key, before.vector)
        if old_key == new_key:
            changes.append((table, new_key, tuple(a - b for a, b in zip(new, old, strict=True))))
        else:
            changes.append((table, old_key, tuple(-v for v in old)))
            changes.append((table, new_key, new))
    _add_all([c for c in changes if any(c[2])])


_UPSERTS: dict[tuple[str, str, int], str] = {}


def _upsert_sql(table: Table, rows: int = 1) -> str:
    """The upsert of `rows` rows into `table` (built once per engine, table and row count)."""
    key = (connection.vendor, table.name, rows)
    sql = _UPSERTS.get(key)
    if sql is None:
        sql = _UPSERTS[key] = _build_upsert_sql(table, rows)
    return sql


def _build_upsert_sql(table: Table, rows: int) -> str:
    q = connection.ops.quote_name
    name = q(table.name)
    columns = ", ".join(q(c) for c in [*table.keys, *CASE_COUNTERS])
    row = "(" + ", ".join(["%s"] * (len(table.keys) + len(CASE_COUNTERS))) + ")"
    updates = ", ".join(f"{q(c)} = {name}.{q(c)} + excluded.{q(c)}" for c in CASE_COUNTERS)
    conflict = ", ".join(q(c) for c in table.keys)
    return (
        f"INSERT INTO {name} ({columns}) VALUES {', '.join([row] * rows)} "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )


def _add_all(changes: list[tuple[Table, Key, Vector]]) -> None:
    """Add every (table, row key, vector) of one case change to its row: per table one
    multi-row upsert, its rows in key order and the tables in a fixed order, so concurrent
    transitions lock shared rows in the same order (no deadlock between them). On PostgreSQL
    all tables go in one statement (data-modifying WITH), one round trip in all."""
    statements: list[tuple[str, list[Any]]] = []
    for table in TABLES:
        rows = sorted(
            ((k, v) for t, k, v in changes if t is table), key=lambda kv: _sort_key(kv[0])
        )
        if rows:
            params = [x for k, v in rows for x in (*k, *v)]
            statements.append((_upsert_sql(table, len(rows)), params))
    if connection.vendor == "postgresql" and len(statements) > 1:
        *first, (last, _) = statements
        sql = "WITH " + ", ".join(f"u{i} AS ({s})" for i, (s, _) in enumerate(first)) + " " + last
        statements = [(sql, [x for _, params in statements for x in params])]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _sort_key(key: Key) -> tuple[str, ...]:
    return tuple("" if part is None else str(part) for part in key)
