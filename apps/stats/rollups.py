"""Case rollups: what each case adds to the counters of its rollup row, the hook the case
actions call in their own transaction, and `rebuild` / `verify` from the raw cases.

A case's *contribution* is a key (rollup place, registration day, category, source, kind,
status) and a vector of counters. A write moves the case from its old contribution to its new
one: the old vector is subtracted from the old key and the new one added to the new key, each
with one `INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c` (SQLite ≥ 3.24 and
PostgreSQL), so two transactions changing cases of the same row never lose an increment.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Coalesce, Greatest, Substr, TruncDate, TruncMonth
from django.utils import timezone

from apps.cases.choices import OPEN_STATUSES, SATISFIED_RATINGS, WITHDRAWN_STATUSES
from apps.cases.models import Case
from apps.places.models import SEGMENT

from .models import CASE_COUNTERS, CaseMonthRollup, CaseRollup

# Rollup rows are kept per grid: a case's place path is cut after four segments (county,
# town, community, grid). Any place at grid level or above is an exact path range of rows.
CUT_SEGMENTS = 4
CUT = CUT_SEGMENTS * SEGMENT

Key = tuple[Any, ...]  # (place path, day, category id, source, kind, status) in full
Vector = tuple[int, ...]
ZERO: Vector = (0,) * len(CASE_COUNTERS)


def rollup_path(place_path: str) -> str:
    return place_path[:CUT]


def exact_for(place_path: str) -> bool:
    """Whether the rollups answer for this place's subtree exactly (grid level or above)."""
    return len(place_path) <= CUT


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


def _contribution(row: dict[str, Any], persons: int) -> Contribution:
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
    persons = case.persons.count() if case.resolved_at is not None else 0
    return _contribution(row, persons)


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


def _upsert_sql(table: Table, rows: int = 1) -> str:
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


# --- from the raw cases -------------------------------------------------------------------


def _raw_rows(chunk: int = 5000) -> Iterator[dict[str, Any]]:
    qs = Case.objects.annotate(persons_n=Count("persons")).values(*ROW_FIELDS, "persons_n")
    return qs.order_by().iterator(chunk_size=chunk)


def expected(rows: Iterable[dict[str, Any]] | None = None) -> dict[str, dict[Key, Vector]]:
    """Every rollup table as the raw cases say it should be (rows with only zeros left out)."""
    totals: dict[str, dict[Key, list[int]]] = {
        t.name: defaultdict(lambda: [0] * len(CASE_COUNTERS)) for t in TABLES
    }
    for row in _raw_rows() if rows is None else rows:
        c = _contribution(row, row["persons_n"])
        for table in TABLES:
            acc = totals[table.name][table.key(c.key)]
            for i, v in enumerate(table.vector(c.key, c.vector)):
                acc[i] += v
    return {
        name: {k: tuple(v) for k, v in rows_.items() if any(v)} for name, rows_ in totals.items()
    }


def found(table: Table) -> dict[Key, Vector]:
    rows = table.model.objects.values_list(*table.keys, *CASE_COUNTERS)
    width = len(table.keys)
    return {row[:width]: tuple(row[width:]) for row in rows.iterator(chunk_size=5000)}


@dataclass(frozen=True)
class Difference:
    table: str
    key: Key
    counter: str
    expected: int
    found: int

    def __str__(self) -> str:
        table = next(t for t in TABLES if t.name == self.table)
        where = " ".join(f"{k}={v}" for k, v in zip(table.keys, self.key, strict=True))
        where = where.replace("place_path=", "place=")
        return f"{self.table} {where} {self.counter}: expected {self.expected}, found {self.found}"


def verify() -> list[Difference]:
    """Every counter of every row where a rollup table differs from the raw cases: the
    expected rows computed by the database (`_day_select`, `_month_expected`) and compared
    with the tables in one FULL OUTER JOIN each, so only the differences travel to Python
    (10M cases need no memory here)."""
    diffs: list[Difference] = []
    for table, select, names in (
        (DAY, _day_select(), ("rp", "d", "category_id", "source", "kind", "status")),
        (MONTH, _month_expected(), ("rp", "m")),
    ):
        diffs += _differences(table, select, names)
    return diffs


def verify_python() -> list[Difference]:
    """`verify` computed row by row in Python (`expected()`), the reference in tests."""
    want = expected()
    diffs = []
    for table in TABLES:
        have, should = found(table), want[table.name]
        for key in sorted(set(should) | set(have), key=str):
            a, b = should.get(key, ZERO), have.get(key, ZERO)
            diffs += [
                Difference(table.name, key, name, x, y)
                for name, x, y in zip(CASE_COUNTERS, a, b, strict=True)
                if x != y
            ]
    return diffs


def _month_expected() -> QuerySet[Any]:
    """The month table as one GROUP BY over the counted raw cases."""
    return (
        Case.objects.order_by()
        .exclude(status__in=sorted(WITHDRAWN_STATUSES))
        .annotate(rp=Substr("place__path", 1, CUT), m=TruncMonth(TruncDate("created_at")))
        .values("rp", "m")
        .annotate(**_counters())
    )


def _as_date(value: Any) -> dt.date:
    return value if type(value) is dt.date else dt.date.fromisoformat(str(value)[:10])


def _differences(table: Table, select: QuerySet[Any], names: tuple[str, ...]) -> list[Difference]:
    q = connection.ops.quote_name
    sql, params = select.query.sql_with_params()
    on = " AND ".join(f"e.{q(a)} = r.{q(b)}" for a, b in zip(names, table.keys, strict=True))
    keys = ", ".join(
        f"COALESCE(e.{q(a)}, r.{q(b)})" for a, b in zip(names, table.keys, strict=True)
    )
    want = ", ".join(f"COALESCE(e.{q(c)}, 0)" for c in CASE_COUNTERS)
    have = ", ".join(f"COALESCE(r.{q(c)}, 0)" for c in CASE_COUNTERS)
    differ = " OR ".join(f"COALESCE(e.{q(c)}, 0) <> COALESCE(r.{q(c)}, 0)" for c in CASE_COUNTERS)
    query = (
        f"SELECT {keys}, {want}, {have} FROM ({sql}) e "
        f"FULL OUTER JOIN {q(table.name)} r ON {on} WHERE {differ}"
    )
    width, n = len(table.keys), len(CASE_COUNTERS)
    day_at = table.keys.index("day") if "day" in table.keys else table.keys.index("month")
    out = []
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    for row in rows:
        key = list(row[:width])
        key[day_at] = _as_date(key[day_at])
        a, b = row[width : width + n], row[width + n :]
        out += [
            Difference(table.name, tuple(key), name, int(x), int(y))
            for name, x, y in zip(CASE_COUNTERS, a, b, strict=True)
            if x != y
        ]
    return sorted(out, key=lambda d: (d.table, str(d.key), CASE_COUNTERS.index(d.counter)))


class Micros(Func):
    """Microseconds from `created_at` to the given time, as an integer (NULL stays NULL):
    the exact `(end - start) // timedelta(microseconds=1)` of `contribution`."""

    output_field = BigIntegerField()

    def __init__(self, end: str) -> None:
        super().__init__(F(end), F("created_at"))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # EPOCH of an interval is numeric (exact) on PostgreSQL ≥ 14.
        template = "(EXTRACT(EPOCH FROM (%(expressions)s)) * 1000000)::bigint"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django's own SQLite function for datetime differences, in microseconds.
        return self.as_sql(compiler, connection, function="django_timestamp_diff", **extra)


def _counters() -> dict[str, Any]:
    """The counters of `_vector` as aggregates over raw cases (fresh expressions)."""
    persons = (
        Case.persons.through.objects.filter(case_id=OuterRef("pk"))
        .order_by()
        .values("case_id")
        .annotate(c=Count("*"))
        .values("c")  # type: ignore[misc]  # the annotation, not a field
    )
    resolved = Q(resolved_at__isnull=False)
    responded = Q(responded_at__isnull=False)
    one = Value(1)
    counters = {
        "n": Count("pk"),
        "responded": Count("pk", filter=responded),
        "responded_in_time": Count(
            "pk", filter=responded & Q(respond_by__isnull=False, responded_at__lte=F("respond_by"))
        ),
        "unresponded_closed": Count(
            "pk", filter=Q(responded_at__isnull=True) & ~Q(status__in=sorted(OPEN_STATUSES))
        ),
        "resolved": Count("pk", filter=resolved),
        "resolved_on_time": Count(
            "pk", filter=resolved & Q(resolve_by__isnull=False, resolved_at__lte=F("resolve_by"))
        ),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating__in=sorted(SATISFIED_RATINGS))),
        "person_times": Coalesce(
            Sum(
                DbCase(
                    When(resolved, then=Greatest(one, Coalesce(Subquery(persons), Value(0)))),
                    default=Value(0),
                )
            ),
            Value(0),
        ),
        "response_us": Coalesce(Sum(Micros("responded_at")), Value(0)),
        "handling_us": Coalesce(Sum(Micros("resolved_at")), Value(0)),
    }
    assert tuple(counters) == CASE_COUNTERS
    return counters


def _day_select() -> QuerySet[Any]:
    """The day table as one GROUP BY over the raw cases (the same counters as `_vector`)."""
    return (
        Case.objects.order_by()
        .annotate(rp=Substr("place__path", 1, CUT), d=TruncDate("created_at"))
        .values("rp", "d", "category_id", "source", "kind", "status")
        .annotate(**_counters())
    )


def _month_select() -> QuerySet[Any]:
    """The month table from the day table: counted statuses summed per (place, month)."""
    return (
        CaseRollup.objects.order_by()
        .exclude(status__in=sorted(WITHDRAWN_STATUSES))
        .annotate(m=TruncMonth("day"))
        .values("place_path", "m")
        .annotate(**{c: Sum(c) for c in CASE_COUNTERS})
    )


def _insert_select(table: Table, rows: QuerySet[Any]) -> int:
    q = connection.ops.quote_name
    sql, params = rows.query.sql_with_params()
    columns = ", ".join(q(c) for c in [*table.keys, *CASE_COUNTERS])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(table.name)} ({columns}) {sql}", params)
        return cursor.rowcount


@transaction.atomic
def rebuild() -> int:
    """Recompute every rollup table from the raw cases with two INSERT … SELECT … GROUP BY
    statements (the day table from the cases, the month table from the day table); returns
    the number of rows written. Run it when case writes are quiet: the tables are locked for
    the duration, and a case written meanwhile waits for it."""
    written = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            names = ", ".join(connection.ops.quote_name(t.name) for t in TABLES)
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
            # one big sort/hash per statement: give it memory for this transaction only
            cursor.execute("SET LOCAL work_mem = '256MB'")
    for table, select in ((DAY, _day_select), (MONTH, _month_select)):
        table.model.objects.all().delete()
        written += _insert_select(table, select())
    return written


def rebuild_python() -> int:
    """The same as `rebuild`, row by row in Python from `expected()` (the reference the SQL
    version is tested against)."""
    want = expected()
    written = 0
    with transaction.atomic():
        for table in TABLES:
            table.model.objects.all().delete()
            table.model.objects.bulk_create(
                (
                    table.model(
                        **dict(zip(table.keys, key, strict=True)),
                        **dict(zip(CASE_COUNTERS, vector, strict=True)),
                    )
                    for key, vector in want[table.name].items()
                ),
                batch_size=2000,
            )
            written += len(want[table.name])
    return written
