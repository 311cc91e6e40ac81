"""Key-project lamp board benchmark: a city's 2,500 projects × 6 stages with history.

    .venv/bin/python bench/projects_bench.py [--size county|city] [--pg] [--keep-db]
    .venv/bin/python bench/projects_bench.py --database-url postgres://…/an_empty_database

On a database of its own (a temporary SQLite file, or with --pg the PostgreSQL database
gongzhi_bench_projects, dropped at the end unless --keep-db; or the empty database named by
--database-url, SQLite or PostgreSQL, migrated, filled and kept), it builds a province, a city
and its counties (`city`: 10 counties × 250 projects = 2,500; `county`: 1 × 250), lays out
every project's six default stages from a start date spread over the past 400 days, and
moves them as the demo does (started stages, most completed, some late), with a start and a
complete event per move in the stage history. Then it measures, median of 5 runs each:

- city_board_ms: `selectors.board` for a city account over the city (lamp counts, the stage ×
  lamp matrix, counties × lamps, the first page of the worst 50 projects with their stages'
  lamps, open blockers) — all lamps computed in SQL;
- county_board_ms: the same for one county account;
- python_lamps_ms (baseline, same run): reading the city's 15,000 stages and classifying
  their lamps one by one in Python (what the SQL replaces), without the rest of the board.

Last line: RESULT engine=… projects=… stages=… events=… city_board_ms=… county_board_ms=…
python_lamps_ms=…
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "gongzhi_bench_projects"
SIZES = {"county": (1, 250), "city": (10, 250)}


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


def median_ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def build(counties: int, per_county: int) -> tuple:
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.choices import Role
    from apps.core.testing.factories import make_place
    from apps.places.choices import PlaceKind
    from apps.projects.actions import plan_stages
    from apps.projects.models import Project, ProjectStage, StageEvent, StageTemplate
    from apps.projects.workdays import due_date, workday_number

    rng = random.Random(1)
    today = timezone.localdate()
    now = timezone.now()
    templates = list(StageTemplate.objects.order_by("position"))
    with transaction.atomic():
        province = make_place(PlaceKind.PROVINCE, "江西省", code="360000000000")
        city = make_place(PlaceKind.CITY, "九江市", province, code="360400000000")
        places = [
            make_place(PlaceKind.COUNTY, f"县{i + 1}", city, code=f"3604{21 + i:02d}000000")
            for i in range(counties)
        ]
        projects = Project.objects.bulk_create(
            [
                Project(
                    code=f"P{c:02d}-{n:04d}",
                    name=f"重点项目{c}-{n}",
                    level="city",
                    type="industry",
                    investment_wan=Decimal(rng.randrange(1000, 90000)),
                    owner_unit="某公司",
                    place=place,
                    start_date=due_date(today - dt.timedelta(days=rng.randrange(10, 400)), 0),
                )
                for c, place in enumerate(places)
                for n in range(per_county)
            ],
            batch_size=2000,
        )
        stages, events = [], []
        for project in projects:
            for template, begin, end in plan_stages(project.start_date, templates):
                stage = ProjectStage(
                    project=project,
                    template=template,
                    position=template.position,
                    planned_start=begin,
                    planned_end=end,
                    due_workday=workday_number(end),
                    owner_name="李明",
                )
                finished = due_date(end, rng.choice([0, 0, 2, 5, 9, 18]))
                if begin <= today:
                    stage.status, stage.actual_start = "active", begin
                    events.append((stage, "start", begin))
                if begin <= today and finished < today and rng.random() < 0.85:
                    stage.status, stage.actual_end = "done", finished
                    stage.done_workday = workday_number(finished)
                    events.append((stage, "complete", finished))
                stages.append(stage)
        ProjectStage.objects.bulk_create(stages, batch_size=5000)
        StageEvent.objects.bulk_create(
            [
                StageEvent(stage=s, kind=k, on_date=d, at=now, actor_label="bench")
                for s, k, d in events
            ],
            batch_size=5000,
        )
        users = get_user_model()
        city_user = users.objects.create(username="city", role=Role.PROJECT_OFFICIAL, scope=city)
        county_user = users.objects.create(
            username="county", role=Role.PROJECT_OFFICIAL, scope=places[0]
        )
    return city, places[0], city_user, county_user, len(projects), len(stages), len(events)


def run(counties: int, per_county: int) -> None:
    from django.utils import timezone

    from apps.projects import selectors
    from apps.projects.models import ProjectStage
    from apps.projects.workdays import workday_number

    city, county, city_user, county_user, projects, stages, events = build(counties, per_county)

    def city_board() -> None:
        selectors.board(city_user, city)

    def county_board() -> None:
        selectors.board(county_user, county)

    def python_lamps() -> None:
        today = workday_number(timezone.localdate())
        counts = [0, 0, 0, 0]
        for done, due, yellow, orange in ProjectStage.objects.filter(
            project__place__path__startswith=city.path
        ).values_list(
            "done_workday", "due_workday", "template__yellow_days", "template__orange_days"
        ):
            late = (done if done is not None else today) - due
            counts[0 if late <= 0 else 1 if late <= yellow else 2 if late <= orange else 3] += 1

    from django.db import connection

    print(f"engine: {connection.vendor}")
    city_board()  # warm caches and connections once
    board = selectors.board(city_user, city)
    print(f"city lamp counts: {[(c['label'], c['n']) for c in board.lamp_counts]}")
    city_ms = median_ms(city_board)
    county_ms = median_ms(county_board)
    python_ms = median_ms(python_lamps)
    print(f"city board {city_ms} ms, county board {county_ms} ms, python lamps {python_ms} ms")
    print(
        f"RESULT engine={connection.vendor} projects={projects} stages={stages} events={events} "
        f"city_board_ms={city_ms} "
        f"county_board_ms={county_ms} python_lamps_ms={python_ms}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=list(SIZES), default="city")
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--database-url", help="run on this empty database (migrated, filled and kept)"
    )
    args = parser.parse_args()
    if args.database_url:
        url = args.database_url
    elif args.pg:
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        pg_admin(f"CREATE DATABASE {PG_DB}")
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    else:
        path = Path(tempfile.mkdtemp()) / "projects_bench.sqlite3"
        url = f"sqlite:///{path}"
    try:
        setup(url)
        run(*SIZES[args.size])
    finally:
        if args.pg and not args.keep_db and not args.database_url:
            from django.db import connections

            connections.close_all()
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")


if __name__ == "__main__":
    main()
