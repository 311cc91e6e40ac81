"""Case rollups, the read side's checks: `rebuild` and `verify` recompute the tables from the
raw cases (`gongzhi stats verify/rebuild`). The tables and what a case adds to them (the write
side the case actions call in their own transaction) live in cases (`apps.cases.rollups`)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
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

from apps.cases.choices import OPEN_STATUSES, SATISFIED_RATINGS, WITHDRAWN_STATUSES
from apps.cases.models import CASE_COUNTERS, Case, CaseRollup
from apps.cases.rollups import (
    COUNTY_CUT,
    DAY,
    MONTH,
    ROW_FIELDS,
    TABLES,
    ZERO,
    Key,
    Table,
    Vector,
    exact_for,
    root_cuts,
    row_contribution,
)

__all__ = [
    "DAY",
    "MONTH",
    "TABLES",
    "Difference",
    "exact_for",
    "expected",
    "found",
    "rebuild",
    "rebuild_python",
    "rollup_path_sql",
    "verify",
    "verify_python",
]


def rollup_path_sql(field: str = "place__path") -> Any:
    """`apps.cases.rollups.rollup_path` as an SQL expression: the path cut at its tree's grid
    depth, one branch per cut of the stored roots (read now, not from the memo)."""
    by_cut: dict[int, list[str]] = defaultdict(list)
    for root, cut in sorted(root_cuts().items()):
        by_cut[cut].append(root)
    if len(by_cut) <= 1:
        return Substr(field, 1, next(iter(by_cut), COUNTY_CUT))
    whens = [
        When(Q(**{f"{field}__startswith": root}), then=Substr(field, 1, cut))
        for cut, roots in sorted(by_cut.items())
        for root in roots
    ]
    return DbCase(*whens, default=Substr(field, 1, COUNTY_CUT))


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
        c = row_contribution(row, row["persons_n"])
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
        .annotate(rp=rollup_path_sql(), m=TruncMonth(TruncDate("created_at")))
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
        .annotate(rp=rollup_path_sql(), d=TruncDate("created_at"))
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
