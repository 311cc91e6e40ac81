"""KPI dashboard benchmark: the three rates and the top-level dashboard for random place
subtrees and months, from the rollups (`apps.stats`) against a plain GROUP BY over the raw
cases, on PostgreSQL.

    nice .venv/bin/python bench/kpi_bench.py [--size large] [--queries 200] [--keep-db]
    nice .venv/bin/python bench/kpi_bench.py --db gongzhi_bench_kpi_large  # measure again

What it does:

1. creates a PostgreSQL database of its own (dropped at the end unless `--keep-db`) and
   migrates it; with `--db NAME` it reuses a database kept by an earlier run (steps 2–3
   are skipped);
2. builds the place tree of the demo plan of the matching size (`apps.demo.plan.build_plan`:
   `large` is 25 towns, 198 communities, 668 grids — the shape `manage.py demo --size large`
   loads, without the households below the grids, which the rollups cut away anyway), and
   writes `--size` cases at random grids over three years straight into `cases_case` with
   one `INSERT … SELECT … FROM generate_series` per million (not through the actions): the
   older a case, the likelier it is finished, as in real life (1 % stay stuck open, 2 %
   cancelled, 70 % of the finished rated);
3. builds the rollups with `rollups.rebuild` (INSERT … SELECT … GROUP BY, timed) and checks
   them with `verify` (the same GROUP BY compared in SQL, timed; `--skip-verify` to skip);
4. for `--queries` random (place subtree: the county, a town, a community or a grid; month
   of the three years) pairs, times the top-level dashboard from the rollups
   (`selectors.dashboard_figures`: the headline figures and three rates of the month and
   the month before, every child area's figures, the 12-month trend; plus the red-flag list)
   and the same figures by plain GROUP BY over the raw cases (`case_kpis`-style conditional
   counts over the subtree and month, a GROUP BY per child prefix, a GROUP BY per month for
   the trend), and checks the headline figures agree;
5. prints p50/p95 of both. Last line:

    RESULT cases=… dashboard_p95_ms=… speedup_vs_raw=…

(speedup = raw p50 ÷ rollup p50; the p95 ratio is printed too). Sizes: tiny 10,000;
small 100,000; medium 1,000,000; large 10,000,000 cases.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
SIZES = {"tiny": 10_000, "small": 100_000, "medium": 1_000_000, "large": 10_000_000}
# The demo plan whose place tree carries each size.
PLAN = {"tiny": "tiny", "small": "small", "medium": "county", "large": "large"}
CHUNK = 1_000_000


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def setup_django(database_url: str, migrate: bool) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", "--noinput", verbosity=0)


def make_tree(size: str, seed: int) -> tuple[Any, list[Any], list[Any]]:
    """County → towns → communities → grids of the demo plan for `size`."""
    from apps.core.testing.factories import make_place
    from apps.demo.plan import COUNTY_CODE, COUNTY_NAME, build_plan
    from apps.places.choices import PlaceKind

    plan = build_plan(PLAN[size], seed)
    county = make_place(PlaceKind.COUNTY, COUNTY_NAME, code=COUNTY_CODE)
    areas, grids = [], []
    for town in plan.towns:
        t = make_place(PlaceKind.TOWN, town.name, county, code=town.code)
        areas.append(t)
        for community in town.communities:
            c = make_place(PlaceKind.COMMUNITY, community.name, t, code=community.code)
            areas.append(c)
            for grid in community.grids:
                grids.append(make_place(PlaceKind.GRID, f"第{grid.number}网格", c))
    return county, areas, grids


def _column_values(grid_ids: list[int], unit_ids: list[int], category_ids: list[int]) -> Any:
    """(column, SQL expression) for every column of cases_case; `s` is the row of random
    draws built in `insert_cases`. Columns nobody names here get NULL or the field's
    default, so a field added to Case later does not break the benchmark."""
    from django.db.models import NOT_PROVIDED

    from apps.cases.models import Case

    finished = "(NOT s.cancelled AND NOT s.stuck AND s.c + s.rd + s.hd < now())"
    responded = "(NOT s.cancelled AND s.c + s.rd < now())"
    rated = f"({finished} AND s.r2 < 0.7)"
    named = {
        "created_at": "s.c",
        "updated_at": "now()",
        "kind": "(ARRAY['need','need','need','service_order','hazard','dispute','errand',"
        "'event'])[1 + floor(s.r4 * 8)::int]",
        "source": "(ARRAY['visit','patrol','portal','hotline','qr','meeting'])"
        "[1 + floor(s.r3 * 6)::int]",
        "category_id": f"(ARRAY{category_ids})[1 + floor(s.r5 * {len(category_ids)})::int]",
        "place_id": f"(ARRAY{grid_ids})[s.gi]",
        "handling_unit_id": f"(ARRAY{unit_ids})[s.gi]",
        "title": "'基准事项' || s.g",
        "tracking_token": "'bench-' || s.g",
        "status": f"""CASE WHEN s.cancelled THEN 'cancelled'
            WHEN {finished} AND {rated} AND s.c + s.rd + s.hd + interval '3 days' < now()
              THEN 'closed'
            WHEN {finished} AND {rated} THEN 'evaluated'
            WHEN {finished} THEN 'resolved'
            WHEN {responded} THEN (CASE WHEN s.r4 < 0.5 THEN 'in_progress' ELSE 'dispatched' END)
            ELSE 'submitted' END""",
        "level": "'community'",
        "respond_by": "s.c + interval '1 day'",
        "resolve_by": "s.c + interval '5 days'",
        "responded_at": f"CASE WHEN {responded} THEN s.c + s.rd END",
        "resolved_at": f"CASE WHEN {finished} THEN s.c + s.rd + s.hd END",
        "closed_at": f"CASE WHEN {finished} AND {rated} AND s.c + s.rd + s.hd "
        "+ interval '3 days' < now() THEN s.c + s.rd + s.hd + interval '3 days' END",
        "rating": f"""CASE WHEN {rated} THEN (CASE WHEN s.r3 < 0.55 THEN 'satisfied'
            WHEN s.r3 < 0.85 THEN 'basic' ELSE 'unsatisfied' END) ELSE '' END""",
        "rated_at": f"CASE WHEN {rated} THEN s.c + s.rd + s.hd + interval '1 day' END",
    }
    columns, params = [], []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in named:
            columns.append((field.column, named[field.column]))
        elif field.null:
            columns.append((field.column, "NULL"))
        elif field.default is not NOT_PROVIDED or field.empty_strings_allowed:
            value = field.get_db_prep_save(field.get_default(), connection=_conn())
            if value is None:
                raise SystemExit(f"cases_case.{field.column}: no value for the benchmark")
            columns.append((field.column, "%s"))
            params.append(value)
        else:
            raise SystemExit(f"cases_case.{field.column}: no value for the benchmark")
    return columns, params


def _conn() -> Any:
    from django.db import connection

    return connection


def insert_cases(n: int, grids: list[Any], seed: int) -> None:
    """`n` cases at random grids over the last three years, one INSERT … SELECT per
    million rows of generate_series (random draws seeded: the same seed, the same cases)."""
    from django.db import connection, transaction

    from apps.cases.models import Category

    grid_ids = [g.pk for g in grids]
    unit_ids = [g.parent_id for g in grids]
    category_ids = sorted(Category.objects.values_list("pk", flat=True))
    columns, params = _column_values(grid_ids, unit_ids, category_ids)
    names = ", ".join(c for c, _ in columns)
    values = ",\n  ".join(e for _, e in columns)
    draws = f"""
        SELECT g,
          now() - random() * interval '1095 days' AS c,
          random() * interval '30 hours' AS rd,
          random() * interval '7 days' AS hd,
          random() < 0.02 AS cancelled,
          random() < 0.01 AS stuck,
          random() AS r2, random() AS r3, random() AS r4, random() AS r5,
          1 + floor(random() * {len(grid_ids)})::int AS gi
        FROM generate_series(%s, %s) AS g"""
    sql = f"INSERT INTO cases_case ({names})\nSELECT {values}\nFROM ({draws}) AS s"
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [((seed % 1000) / 1000.0)])
        for first in range(1, n + 1, CHUNK):
            last = min(n, first + CHUNK - 1)
            t0 = time.perf_counter()
            with transaction.atomic():
                cursor.execute(sql, [*params, first, last])
            print(f"  cases {first:,}–{last:,} in {time.perf_counter() - t0:.0f} s", flush=True)
        cursor.execute("VACUUM ANALYZE cases_case")


def timed(call: Any, *args: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = call(*args)
    return (time.perf_counter() - t0) * 1000, value


def rollup_dashboard(user: Any, place: Any, month: dt.date, now: Any) -> Any:
    """The overview's figures: `dashboard_figures` (three rates and every case figure of the
    month and the month before, every child area, the 12-month trend)."""
    from apps.stats.selectors import dashboard_figures

    return dashboard_figures(user, place, month, now=now)


def red_flags(place: Any) -> Any:
    """The red-flag list (the ten longest-overdue open cases of the subtree), timed apart:
    it reads the cases, not the rollups, and has no raw counterpart."""
    from apps.stats.selectors import overdue_cases

    return list(overdue_cases(place))


def raw_dashboard(user: Any, place: Any, month: dt.date, now: Any) -> Any:
    """The same figures by plain GROUP BY over the raw cases."""
    from django.db.models import Count, Q
    from django.db.models.functions import Substr, TruncMonth

    from apps.cases.measures import Measure, measure_q
    from apps.cases.selectors import kpi_cases
    from apps.stats.selectors import counted_cases, month_end, months_back, previous_month

    def kpis(start: dt.date, end: dt.date) -> dict[str, int]:
        return kpi_cases(user, place, start, end).aggregate(
            **{m.value: Count("pk", filter=measure_q(m, now) or None) for m in Measure}
        )

    end = month_end(month)
    figures = kpis(month, end)
    kpis(previous_month(month), month - dt.timedelta(days=1))
    width = len(place.path) + 10
    children = list(
        counted_cases(place, month, end)
        .annotate(prefix=Substr("place__path", 1, width))
        .values("prefix")
        .annotate(
            n=Count("pk"),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            responded_in_time=Count("pk", filter=measure_q(Measure.RESPONDED_IN_TIME, now)),
            due=Count("pk", filter=measure_q(Measure.DUE_TO_RESPOND, now)),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count("pk", filter=measure_q(Measure.SATISFIED, now)),
        )
        .order_by()
    )
    list(
        counted_cases(place, months_back(month, 11), end)
        .annotate(m=TruncMonth("created_at"))
        .values("m")
        .annotate(
            n=Count("pk"),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count("pk", filter=measure_q(Measure.SATISFIED, now)),
        )
        .order_by()
    )
    return figures, children


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def build(args: argparse.Namespace, n: int) -> None:
    from apps.stats import rollups

    t0 = time.perf_counter()
    _county, areas, grids = make_tree(args.size, args.seed)
    print(
        f"tree: {len(areas) + 1} areas, {len(grids)} grids in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    t0 = time.perf_counter()
    insert_cases(n, grids, args.seed)
    print(f"{n:,} cases written in {time.perf_counter() - t0:.0f} s", flush=True)
    ms, rows = timed(rollups.rebuild)
    print(f"rebuild (SQL): {rows:,} rollup rows in {ms / 1000:.1f} s", flush=True)
    _analyze()
    if not args.skip_verify:
        ms, diffs = timed(rollups.verify)
        print(f"verify (SQL): {len(diffs)} differences in {ms / 1000:.1f} s", flush=True)
        assert not diffs


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # every table: without statistics on places_place the planner takes a subtree for
        # one row and picks nested loops (measured: ten times slower)
        cursor.execute("VACUUM ANALYZE")


def measure(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.utils import timezone

    from apps.accounts.choices import Role
    from apps.accounts.models import User
    from apps.core.testing.factories import make_user
    from apps.places.choices import PlaceKind
    from apps.places.models import Place

    rng = random.Random(args.seed)
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM cases_case")
        n = c.fetchone()[0]
        c.execute("SELECT count(*) FROM stats_caserollup")
        day_rows = c.fetchone()[0]
        c.execute("SELECT count(*) FROM stats_casemonthrollup")
        month_rows = c.fetchone()[0]
    county = Place.objects.get(kind=PlaceKind.COUNTY)
    areas = list(Place.objects.filter(kind__in=[PlaceKind.TOWN, PlaceKind.COMMUNITY]))
    grids = list(Place.objects.filter(kind=PlaceKind.GRID).order_by("pk"))
    print(
        f"{n:,} cases; rollups: {day_rows:,} day rows, {month_rows:,} month rows; "
        f"{len(areas) + 1} areas, {len(grids)} grids; load {load_avg()}",
        flush=True,
    )
    user = User.objects.filter(username="bench").first() or make_user(
        "bench", Role.COUNTY_LEADER, county
    )
    now = timezone.now()
    months = []
    cursor = timezone.localdate().replace(day=1)
    for _ in range(36):
        months.append(cursor)
        cursor = (cursor - dt.timedelta(days=1)).replace(day=1)
    places = [county, *areas, *rng.sample(grids, min(50, len(grids)))]
    fast, slow, flags = [], [], []
    by_kind: dict[str, tuple[list[float], list[float]]] = {}
    figures = ("total", "due_to_respond", "responded_in_time", "resolved", "satisfied", "overdue")
    for i in range(args.queries + 5):
        place, month = rng.choice(places), rng.choice(months)
        a_ms, a = timed(rollup_dashboard, user, place, month, now)
        f_ms, _ = timed(red_flags, place)
        b_ms, (b, children) = timed(raw_dashboard, user, place, month, now)
        assert [getattr(a.current, f) for f in figures] == [b[f] for f in figures], place
        raw_children = {r["prefix"]: r["n"] for r in children}
        assert all(k.total == raw_children.get(k.place.path, 0) for k in a.children), place
        if i >= 5:  # warm-up: plans and caches
            fast.append(a_ms)
            slow.append(b_ms)
            flags.append(f_ms)
            by_kind.setdefault(place.kind, ([], []))[0].append(a_ms)
            by_kind[place.kind][1].append(b_ms)
    p50, p95 = statistics.median(fast), pct(fast, 0.95)
    r50, r95 = statistics.median(slow), pct(slow, 0.95)
    print(f"rollups:  p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(fast)} dashboards)")
    print(f"raw:      p50 {r50:.1f} ms, p95 {r95:.1f} ms")
    for kind, (mine, theirs) in sorted(by_kind.items()):
        print(
            f"  {kind:9} ×{len(mine):3}: rollups p50 {statistics.median(mine):.1f} ms "
            f"p95 {pct(mine, 0.95):.1f} ms, raw p50 {statistics.median(theirs):.1f} ms "
            f"p95 {pct(theirs, 0.95):.1f} ms"
        )
    print(
        f"red-flag list (cases, apart): p50 {statistics.median(flags):.1f} ms, "
        f"p95 {pct(flags, 0.95):.1f} ms"
    )
    print(f"speedup at p95: {r95 / p95:.1f}×; load {load_avg()}")
    print(f"RESULT cases={n} dashboard_p95_ms={p95:.1f} speedup_vs_raw={r50 / p50:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--db", help="measure on a database kept by an earlier run")
    parser.add_argument("--build-only", action="store_true", help="build, do not measure")
    parser.add_argument("--skip-verify", action="store_true", help="no `verify` after the build")
    args = parser.parse_args()
    base = PG_ADMIN.rsplit("/", 1)[0]
    if args.db:
        setup_django(f"{base}/{args.db}", migrate=False)
        measure(args)
        return
    name = f"gongzhi_bench_kpi_{args.size}" if args.keep_db else f"gongzhi_bench_kpi_{os.getpid()}"
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"')
    try:
        setup_django(f"{base}/{name}", migrate=True)
        build(args, SIZES[args.size])
        if not args.build_only:
            measure(args)
        if args.keep_db:
            print(f"kept database {name}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
