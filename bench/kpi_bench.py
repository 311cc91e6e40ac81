"""KPI dashboard benchmark: the three rates and the top-level dashboard for random place
subtrees and months, from the rollups (`apps.stats`) against a plain GROUP BY over the raw
cases, on PostgreSQL.

    .venv/bin/python bench/kpi_bench.py [--size small] [--queries 200] [--keep-db]

What it does:

1. creates a PostgreSQL database of its own (dropped at the end) and migrates it;
2. builds a county tree (towns → communities → grids) and inserts `--size` cases spread
   over three years straight into the rows (COPY-speed `bulk_create`, random outcomes);
3. builds the rollups with `rebuild` (timed) and checks them with `verify` on small sizes;
4. for `--queries` random (place subtree at town, community or grid level, month) pairs,
   times the dashboard from the rollups — the figures of `case_figures` (three rates and
   friends), the child areas' figures and the 12-month trend — and the same figures by
   plain GROUP BY over the raw cases (`case_kpis` plus a GROUP BY per child prefix and per
   month), and checks the headline figures agree;
5. prints p50/p95 of both. Last line:

    RESULT cases=… dashboard_p95_ms=… speedup_vs_raw=…

(speedup = raw p50 ÷ rollup p50). Sizes: tiny 10,000; small 100,000; medium 1,000,000;
large 10,000,000 cases.
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
TREE = {"tiny": (3, 4, 3), "small": (10, 10, 5), "medium": (20, 15, 6), "large": (25, 20, 8)}


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def make_tree(size: str) -> tuple[Any, list[Any], list[Any]]:
    from apps.core.testing.factories import make_place
    from apps.places.choices import PlaceKind

    towns_n, communities_n, grids_n = TREE[size]
    county = make_place(PlaceKind.COUNTY, "基准县")
    areas, grids = [], []
    for t in range(towns_n):
        town = make_place(PlaceKind.TOWN, f"第{t + 1}镇", county)
        areas.append(town)
        for c in range(communities_n):
            community = make_place(PlaceKind.COMMUNITY, f"{t + 1}镇{c + 1}社区", town)
            areas.append(community)
            for g in range(grids_n):
                grid = make_place(PlaceKind.GRID, f"{community.name}{g + 1}网格", community)
                grids.append(grid)
    return county, areas, grids


def insert_cases(n: int, grids: list[Any], rng: random.Random) -> None:
    """`n` cases at random grids with random outcomes, straight into the rows (registration
    times are spread over three years afterwards by `fix_created`)."""
    from django.utils import timezone

    from apps.cases.models import Case, Category

    categories = list(Category.objects.all())
    statuses = ["submitted", "accepted", "dispatched", "in_progress", "cancelled"]
    batch: list[Case] = []
    for i in range(n):
        created = timezone.now()
        grid = rng.choice(grids)
        case = Case(
            kind="need",
            source=rng.choice(["visit", "patrol", "portal", "hotline", "qr"]),
            category=rng.choice(categories),
            place=grid,
            title=f"基准事项{i}",
            status="submitted",
            level="community",
            handling_unit=grid.parent,
            respond_by=created + dt.timedelta(days=1),
            resolve_by=created + dt.timedelta(days=5),
        )
        if rng.random() < 0.9:
            case.responded_at = created + dt.timedelta(hours=rng.choice([2, 5, 30]))
            if rng.random() < 0.85:
                case.resolved_at = created + dt.timedelta(days=rng.choice([1, 2, 4, 7]))
                case.status = rng.choice(["resolved", "evaluated", "closed"])
                if rng.random() < 0.7:
                    case.rating = rng.choice(["satisfied", "satisfied", "basic", "unsatisfied"])
            else:
                case.status = rng.choice(statuses[1:])
        batch.append(case)
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)


def fix_created(rng_seed: int) -> None:
    """auto_now_add overwrote created_at: spread it again, deterministically per id, with one
    UPDATE (respond/resolve times move with it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE cases_case SET
              created_at = now() - make_interval(secs => ((id * 2654435761 + %s) %% 94608000)),
              updated_at = now()
            """,
            [rng_seed],
        )
        cursor.execute(
            """
            UPDATE cases_case SET
              respond_by = created_at + interval '1 day',
              resolve_by = created_at + interval '5 days',
              responded_at = CASE WHEN responded_at IS NULL THEN NULL
                ELSE created_at + ((id %% 3) * interval '14 hours') + interval '2 hours' END,
              resolved_at = CASE WHEN resolved_at IS NULL THEN NULL
                ELSE created_at + ((id %% 4) * interval '2 days') + interval '1 day' END
            """,
            [],
        )
        cursor.execute("ANALYZE")


def timed(call: Any, *args: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = call(*args)
    return (time.perf_counter() - t0) * 1000, value


def rollup_dashboard(user: Any, place: Any, month: dt.date, now: Any) -> Any:
    from apps.stats.selectors import case_figures, child_figures, month_end, month_rows

    end = month_end(month)
    kpis = case_figures(user, place, month, end, now=now, breakdowns=False)
    child_figures(user, place, month, end, now=now)
    first = (month - dt.timedelta(days=335)).replace(day=1)
    month_rows(place, first, end)
    return kpis


def raw_dashboard(user: Any, place: Any, month: dt.date, now: Any) -> Any:
    from django.db.models import Count, Q
    from django.db.models.functions import Substr, TruncMonth

    from apps.cases.measures import Measure, measure_q
    from apps.cases.selectors import kpi_cases
    from apps.stats.selectors import counted_cases, month_end

    end = month_end(month)
    kpis = kpi_cases(user, place, month, end).aggregate(
        **{m.value: Count("pk", filter=measure_q(m, now) or None) for m in Measure}
    )
    width = len(place.path) + 10
    list(
        counted_cases(place, month, end)
        .annotate(prefix=Substr("place__path", 1, width))
        .values("prefix")
        .annotate(n=Count("pk"), resolved=Count("pk", filter=Q(resolved_at__isnull=False)))
    )
    first = (month - dt.timedelta(days=335)).replace(day=1)
    list(
        counted_cases(place, first, end)
        .annotate(m=TruncMonth("created_at"))
        .values("m")
        .annotate(n=Count("pk"))
    )
    return kpis


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    n = SIZES[args.size]
    rng = random.Random(args.seed)
    name = f"gongzhi_bench_kpi_{os.getpid()}"
    pg_admin(f'CREATE DATABASE "{name}"')
    try:
        setup_django(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
        from django.db import connections
        from django.utils import timezone

        from apps.accounts.choices import Role
        from apps.core.testing.factories import make_user
        from apps.stats import rollups

        t0 = time.perf_counter()
        county, areas, grids = make_tree(args.size)
        insert_cases(n, grids, rng)
        fix_created(args.seed)
        print(f"{n} cases on {len(grids)} grids in {time.perf_counter() - t0:.1f} s", flush=True)
        ms, rows = timed(rollups.rebuild)
        print(f"rebuild: {rows} rollup rows in {ms / 1000:.1f} s", flush=True)
        if n <= 100_000:
            ms, diffs = timed(rollups.verify)
            print(f"verify: {len(diffs)} differences in {ms / 1000:.1f} s", flush=True)
            assert not diffs
        user = make_user("bench", Role.COUNTY_LEADER, county)
        now = timezone.now()
        today = timezone.localdate()
        months = []
        cursor = today.replace(day=1)
        for _ in range(36):
            months.append(cursor)
            cursor = (cursor - dt.timedelta(days=1)).replace(day=1)
        places = [county, *areas, *rng.sample(grids, min(50, len(grids)))]
        fast, slow = [], []
        by_kind: dict[str, tuple[list[float], list[float]]] = {}
        for i in range(args.queries + 5):
            place, month = rng.choice(places), rng.choice(months)
            a_ms, a = timed(rollup_dashboard, user, place, month, now)
            b_ms, b = timed(raw_dashboard, user, place, month, now)
            figures = ("total", "due_to_respond", "responded_in_time", "resolved", "satisfied")
            assert [getattr(a, f) for f in figures] == [b[f] for f in figures], place
            if i >= 5:  # warm-up: plans and caches
                fast.append(a_ms)
                slow.append(b_ms)
                by_kind.setdefault(place.kind, ([], []))[0].append(a_ms)
                by_kind[place.kind][1].append(b_ms)
        p50, p95 = statistics.median(fast), pct(fast, 0.95)
        r50, r95 = statistics.median(slow), pct(slow, 0.95)
        print(f"rollups:  p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(fast)} dashboards)")
        print(f"raw:      p50 {r50:.1f} ms, p95 {r95:.1f} ms")
        for kind, (mine, theirs) in sorted(by_kind.items()):
            print(
                f"  {kind:9} ×{len(mine):3}: rollups p50 {statistics.median(mine):.1f} ms, "
                f"raw p50 {statistics.median(theirs):.1f} ms"
            )
        print(f"speedup at p95: {r95 / p95:.1f}×")
        connections.close_all()
        print(f"RESULT cases={n} dashboard_p95_ms={p95:.1f} speedup_vs_raw={r50 / p50:.1f}")
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
