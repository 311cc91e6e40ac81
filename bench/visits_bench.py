"""Visits benchmark: generate one cycle of household-visit tasks for a whole demo county and
compute the coverage of every community, on PostgreSQL (default) or SQLite.

    .venv/bin/python bench/visits_bench.py [--size large] [--engine sqlite] [--keep-db]
    .venv/bin/python bench/visits_bench.py --database-url URL   # a demo county already loaded

What it does:

1. creates a PostgreSQL database of its own (dropped at the end unless --keep-db), migrates
   it and loads the demo county (`manage.py demo --size …`; `large` takes long to load);
2. makes a county-wide Friday household-visit plan held by every 包联 and 结对帮扶 duty, and
   times `do_generate_cycle` for one occurrence: the two reads (targets with their care-tag
   and open-case priority; the current duties) and the inserts of every task;
3. times the database alone writing the same rows: a plain `INSERT … SELECT` copying the
   generated tasks into a second cycle (no Python, no reads of people or duties): the floor
   any generator could reach, so ratio = generate ÷ insert-select;
4. times `cycle_coverage` (two queries) for every community of the county.

Last line:

    RESULT tasks=… generate_s=… ratio_to_insert_select=… coverage_s=…
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
SIZES = ("tiny", "small", "county", "large")


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["GONGZHI_TASKS"] = "immediate"  # no background thread left behind at the drop
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def run(size: str, skip_coverage: bool = False) -> dict[str, float]:
    from django.db import connection
    from django.utils import timezone

    from apps.places.choices import PlaceKind
    from apps.places.models import Place
    from apps.visits.actions import do_create_plan, do_generate_cycle
    from apps.visits.models import VisitCycle, VisitTask
    from apps.visits.recurrence import next_occurrence, window_end
    from apps.visits.selectors import cycle_coverage

    county = Place.objects.filter(kind=PlaceKind.COUNTY).order_by("path").first()
    assert county is not None, "no demo county in this database"
    start = dt.date(2025, 1, 3)
    plan = do_create_plan(
        actor=None,
        name="基准：全县周五入户",
        kind="household",
        scope=county,
        rule="FREQ=WEEKLY;BYDAY=FR",
        start_date=start,
        duty_kinds=["baolian", "pairing"],
        checklist=["政策宣传", "民意记录"],
        window_days=2,
    )
    occurrence = next_occurrence(plan.rule, start, timezone.localdate() + dt.timedelta(days=14))
    assert occurrence is not None
    t0 = time.perf_counter()
    cycle, created = do_generate_cycle(plan, occurrence)
    generate_s = time.perf_counter() - t0

    # The floor: the database copying the same rows into a second cycle, nothing else.
    second = VisitCycle.objects.create(
        plan=plan,
        occurrence=occurrence + dt.timedelta(weeks=1),
        window_end=window_end(occurrence + dt.timedelta(weeks=1), 2),
    )
    table = VisitTask._meta.db_table
    columns = (
        "plan_id, cycle_id, occurrence, window_end, status, kind, created_at, reason, "
        "place_id, assignee_id, duty_id, priority"
    )
    ops = connection.ops
    sql = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT plan_id, %s, %s, %s, status, kind, %s, reason, "
        f"place_id, assignee_id, duty_id, priority FROM {table} WHERE cycle_id = %s"
    )
    params = [
        second.pk,
        ops.adapt_datefield_value(second.occurrence),
        ops.adapt_datefield_value(second.window_end),
        ops.adapt_datetimefield_value(timezone.now()),
        cycle.pk,
    ]
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        copied = cursor.rowcount
    insert_select_s = time.perf_counter() - t0
    assert copied == created, (copied, created)
    print(
        f"generate {generate_s:.2f} s · INSERT…SELECT {insert_select_s:.2f} s ({created} tasks)",
        flush=True,
    )
    if skip_coverage:
        return {
            "tasks": created,
            "generate_s": generate_s,
            "insert_select_s": insert_select_s,
            "coverage_s": 0.0,
        }

    communities = list(Place.objects.subtree(county).filter(kind=PlaceKind.COMMUNITY))
    t0 = time.perf_counter()
    visited = due = 0
    for community in communities:
        cover = cycle_coverage(cycle, community)
        due += cover.due
        visited += cover.visited
    coverage_s = time.perf_counter() - t0
    county_cover = cycle_coverage(cycle, county)
    assert due == county_cover.due, (due, county_cover.due)
    print(
        f"size={size} tasks={created} households_due={county_cover.due} "
        f"no_holder={county_cover.no_holder} communities={len(communities)}"
    )
    print(
        f"generate {generate_s:.2f} s · INSERT…SELECT {insert_select_s:.2f} s · "
        f"coverage of {len(communities)} communities {coverage_s:.2f} s "
        f"({1000 * coverage_s / max(1, len(communities)):.1f} ms each)"
    )
    return {
        "tasks": created,
        "generate_s": generate_s,
        "insert_select_s": insert_select_s,
        "coverage_s": coverage_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="large")
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--skip-coverage", action="store_true", help="time the generation only")
    parser.add_argument(
        "--database-url", help="run on this database, a demo county already loaded (kept)"
    )
    args = parser.parse_args()
    name = f"gz_visits_bench_{os.getpid()}"
    if args.database_url:
        database_url = args.database_url
    elif args.engine == "sqlite":
        database_url = f"sqlite:///{tempfile.gettempdir()}/{name}.sqlite3"
    else:
        database_url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "GONGZHI_TASKS": "immediate",
    }
    fresh = not args.database_url
    if fresh and args.engine == "postgresql":
        pg_admin(f'CREATE DATABASE "{name}"')
    try:
        if fresh:
            t0 = time.perf_counter()
            manage(env, "migrate", "--noinput")
            out = manage(env, "demo", "--size", args.size)
            load_s = time.perf_counter() - t0
            visits_line = next((line for line in out.splitlines() if "走访：" in line), "")
            shown = f" ({visits_line.strip()})" if visits_line else ""
            print(f"demo {args.size} loaded in {load_s:.0f} s{shown}")
        setup_django(database_url)
        from django.db import connection, connections

        print(f"engine={connection.vendor}")
        figures = run(args.size, args.skip_coverage)
        connections.close_all()
    finally:
        if fresh and not args.keep_db:
            if args.engine == "postgresql":
                pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{tempfile.gettempdir()}/{name}.sqlite3{suffix}").unlink(missing_ok=True)
    ratio = figures["generate_s"] / max(figures["insert_select_s"], 1e-6)
    print(
        f"RESULT tasks={figures['tasks']} generate_s={figures['generate_s']:.2f} "
        f"insert_select_s={figures['insert_select_s']:.2f} "
        f"ratio_to_insert_select={ratio:.1f} coverage_s={figures['coverage_s']:.2f}"
    )


if __name__ == "__main__":
    main()
