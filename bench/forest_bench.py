"""Forest patrol benchmark: a county's month of ranger patrols stored and measured.

    .venv/bin/python bench/forest_bench.py [--size tiny|small|county] [--pg] [--keep-db]
        [--days N] [--database-url URL]

What it does, on a database of its own (a temporary SQLite file, or with --pg the PostgreSQL
database gongzhi_bench_forest, dropped at the end unless --keep-db):

1. builds a county with 22 forest zones (polygons) and 335 rangers holding a ranger duty and
   an account (`tiny`: 20 rangers, 2 days; `small`: 335 rangers, 3 days; `county`: 335
   rangers, 30 days — the issue's month), and generates the patrol tasks of every day by the
   action (one INSERT … SELECT per level);
2. stores every patrol: a 2-hour walk with a fix every 15 s (480 fixes), sent as batches of
   120 fixes through `do_add_points` (the API's action: checks, idempotent key), then
   finished with `do_finish_patrol` (cleaning, distance, coverage, tasks done). Baseline in
   the same run: the same batches written by one plain `bulk_create` (the floor of any
   ingest): ingest_points_per_s is the action's rate, `ratio_to_bulk` the action ÷ floor;
3. track_ms: the median time to measure one 500-fix patrol (`measure`: read the batches,
   clean, distance, coverage, save); baseline: a naive haversine sum of the same fixes;
4. month_indicators_ms: the county's 巡林率 by level plus 巡护里程 for the month.

`--database-url` runs on a database of your choice (migrated first, never dropped; use an
empty one: the bench builds its own county). Progress goes to stderr after every day.

Last line:

    RESULT points=… ingest_points_per_s=… ratio_to_bulk=… track_ms=… naive_track_ms=…
           month_indicators_ms=…
"""

import argparse
import datetime as dt
import itertools
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "gongzhi_bench_forest"
SIZES = {"tiny": (20, 2), "small": (335, 3), "county": (335, 30)}
FIXES, EVERY_S, BATCH = 480, 15, 120


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def setup(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "GONGZHI_TASKS": "immediate"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    os.environ.update({"DATABASE_URL": database_url, "GONGZHI_TASKS": "immediate"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def square(lng: float, lat: float, half: float) -> dict:
    ring = [
        [lng - half, lat - half],
        [lng + half, lat - half],
        [lng + half, lat + half],
        [lng - half, lat + half],
        [lng - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def walk(zone, start: dt.datetime, rng: random.Random) -> list[list[float]]:
    lng, lat = zone.lng, zone.lat
    heading, t, out = rng.uniform(0, 6.28), start.timestamp(), []
    for _ in range(FIXES):
        out.append([t, lat + rng.gauss(0, 2e-5), lng + rng.gauss(0, 2e-5), 8])
        heading += rng.gauss(0, 0.3)
        lat += 18 * math.cos(heading) / 111_195
        lng += 18 * math.sin(heading) / (111_195 * math.cos(math.radians(lat)))
        t += EVERY_S
    return out


def build(rangers: int):
    from apps.accounts.choices import Role
    from apps.core.testing.factories import make_place, make_user
    from apps.duties.models import Duty
    from apps.people.models import Person
    from apps.places.choices import PlaceKind

    county = make_place(PlaceKind.COUNTY, "吉水县", code="360822000000", lng=115.13, lat=27.21)
    zones = []
    for n in range(22):
        town = make_place(PlaceKind.TOWN, f"第{n + 1}乡镇", county)
        lng, lat = 115.0 + (n % 6) * 0.08, 27.0 + (n // 6) * 0.08
        zones.append(
            make_place(
                PlaceKind.FOREST_ZONE,
                f"第{n + 1}林区",
                town,
                lng=lng,
                lat=lat,
                geometry=square(lng, lat, 0.03),
            )
        )
    users = []
    for n in range(rangers):
        zone = zones[n % len(zones)]
        person = Person.objects.create(name=f"护林员{n}", sex="M", place=zone)
        Duty.objects.create(
            person=person, place=zone, kind="ranger", start_date=dt.date(2020, 1, 1)
        )
        users.append((make_user(f"r{n}", Role.RANGER, zone, person=person), zone))
    return users


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--days", type=int, help="override the size's number of days")
    parser.add_argument(
        "--database-url", help="run on this (empty or bench-only) database; migrated, kept"
    )
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="with --database-url of a database this bench filled: only steps 3 and 4",
    )
    args = parser.parse_args()
    rangers, days = SIZES[args.size]
    days = args.days or days
    if args.database_url:
        url = args.database_url
    elif args.pg:
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        pg_admin(f"CREATE DATABASE {PG_DB}")
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    else:
        path = Path(tempfile.mkdtemp()) / "forest_bench.sqlite3"
        url = f"sqlite:///{path}"
    try:
        setup(url)
        if args.measure_only:
            measure_only(days)
        else:
            run(rangers, days)
    finally:
        if args.pg and not args.keep_db and not args.database_url:
            from django.db import connections

            connections.close_all()
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")


def measure_only(days: int) -> None:
    """Steps 3 and 4 on a database a run of this bench filled (e.g. one stopped before its
    end): a 500-fix track and the month's indicators over what is stored."""
    from django.contrib.auth import get_user_model
    from django.db.models import Sum
    from django.utils import timezone

    from apps.forestry import actions, indicators, track
    from apps.forestry.choices import PatrolStatus
    from apps.forestry.models import Patrol, TrackBatch

    user = get_user_model().objects.select_related("scope").get(username="r0")
    Patrol.objects.exclude(status=PatrolStatus.FINISHED).update(status=PatrolStatus.FINISHED)
    zone = user.scope
    today = timezone.localdate()
    first = today - dt.timedelta(days=days)
    tz = timezone.get_current_timezone()
    rng = random.Random(2027)
    timings, naive = [], []
    for n in range(15):
        patrol = actions.do_start_patrol(zone, actor=user)
        start = dt.datetime.combine(today, dt.time(6), tz) + dt.timedelta(minutes=n)
        fixes = walk(zone, start, rng) + walk(zone, start + dt.timedelta(hours=2), rng)[:20]
        actions.do_add_points(patrol, fixes[:500], key="all", actor=user)
        began = time.perf_counter()
        actions.measure(Patrol.objects.select_related("zone").get(pk=patrol.pk))
        timings.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        sum(track.haversine_m(a[1], a[2], b[1], b[2]) for a, b in itertools.pairwise(fixes[:500]))
        naive.append((time.perf_counter() - began) * 1000)
        actions.do_finish_patrol(patrol, actor=user)
    county = zone.parent.parent
    began = time.perf_counter()
    rate = indicators.patrol_rate_by_level(county, first, today)
    km = indicators.patrol_km(county, first, today)
    month_ms = (time.perf_counter() - began) * 1000
    points = TrackBatch.objects.aggregate(n=Sum("count"))["n"]
    print(f"patrols={Patrol.objects.count()} 巡林率={rate} km={km}")
    print(
        f"MEASURED points_stored={points} track_ms={statistics.median(timings):.1f} "
        f"naive_track_ms={statistics.median(naive):.2f} month_indicators_ms={month_ms:.1f}"
    )


def run(rangers: int, days: int) -> None:
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from apps.forestry import actions, indicators, track
    from apps.forestry.models import Patrol, TrackBatch

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_password("x")
    rng = random.Random(2026)
    users = build(rangers)
    today = timezone.localdate()
    first = today - dt.timedelta(days=days)
    for n in range(days + 1):
        actions.generate_patrol_tasks(first + dt.timedelta(days=n))
    tz = timezone.get_current_timezone()
    ingest_s = measure_s = 0.0
    points = 0
    floor_rows: list[tuple[Any, Any, list]] = []
    t0 = time.perf_counter()
    for n in range(days):
        day = first + dt.timedelta(days=n)
        for user, zone in users:
            start = dt.datetime.combine(day, dt.time(8, rng.randrange(60)), tz)
            fixes = walk(zone, start, rng)
            patrol = actions.do_start_patrol(zone, actor=user)
            Patrol.objects.filter(pk=patrol.pk).update(started_at=start)
            began = time.perf_counter()
            for k in range(0, FIXES, BATCH):
                actions.do_add_points(patrol, fixes[k : k + BATCH], key=str(k), actor=user)
            ingest_s += time.perf_counter() - began
            points += len(fixes)
            began = time.perf_counter()
            actions.do_finish_patrol(patrol, actor=user)
            measure_s += time.perf_counter() - began
            if len(floor_rows) < 2000:
                floor_rows.append((patrol, user, fixes))
        print(
            f"day {n + 1}/{days}: {time.perf_counter() - t0:.1f} s, "
            f"ingest {points / ingest_s:.0f} points/s, measure {measure_s:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    # baseline: the same kind of batches written by one bulk_create, no checks
    batches = [
        TrackBatch(patrol=p, walker=u, key=f"floor{k}", points=f[k : k + BATCH], count=BATCH)
        for p, u, f in floor_rows
        for k in range(0, FIXES, BATCH)
    ]
    began = time.perf_counter()
    with transaction.atomic():
        TrackBatch.objects.bulk_create(batches, batch_size=500)
    floor_s = time.perf_counter() - began
    floor_rate = len(batches) * BATCH / floor_s
    ingest_rate = points / ingest_s
    # track_ms: one 500-fix patrol measured (read, clean, distance, coverage, save)
    user, zone = users[0]
    timings, naive = [], []
    for n in range(15):
        patrol = actions.do_start_patrol(zone, actor=user)
        start = dt.datetime.combine(today, dt.time(6), tz) + dt.timedelta(minutes=n)
        fixes = [[t + 0.0, a, b, c] for t, a, b, c in walk(zone, start, rng)]
        fixes += walk(zone, start + dt.timedelta(seconds=FIXES * EVERY_S), rng)[:20]
        actions.do_add_points(patrol, fixes[:500], key="all", actor=user)
        began = time.perf_counter()
        actions.measure(Patrol.objects.select_related("zone").get(pk=patrol.pk))
        timings.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        sum(track.haversine_m(a[1], a[2], b[1], b[2]) for a, b in itertools.pairwise(fixes[:500]))
        naive.append((time.perf_counter() - began) * 1000)
        actions.do_finish_patrol(patrol, actor=user)
    county = zone.parent.parent
    began = time.perf_counter()
    rate = indicators.patrol_rate_by_level(county, first, today)
    km = indicators.patrol_km(county, first, today)
    month_ms = (time.perf_counter() - began) * 1000
    print(
        f"rangers={rangers} days={days} patrols={Patrol.objects.count()} 巡林率={rate} "
        f"km={km} measure_per_patrol_ms={measure_s / max(1, rangers * days) * 1000:.1f} "
        f"floor_points_per_s={floor_rate:.0f}"
    )
    print(
        f"RESULT points={points} ingest_points_per_s={ingest_rate:.0f} "
        f"ratio_to_bulk={ingest_rate / floor_rate:.3f} track_ms={statistics.median(timings):.1f} "
        f"naive_track_ms={statistics.median(naive):.2f} month_indicators_ms={month_ms:.1f}"
    )


if __name__ == "__main__":
    main()
