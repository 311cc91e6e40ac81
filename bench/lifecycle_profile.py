"""In-process cost of the case lifecycle over the API: queries and CPU per request.

    .venv/bin/python bench/lifecycle_profile.py [--n 30] [--size tiny] [--db NAME] [--keep-db]
                                                [--cprofile create|accept|…] [--tasks immediate]

Creates (or, with --db, reuses) a PostgreSQL database, loads the demo county, makes a
dispatcher and a handler with API keys, then runs `--n` whole lifecycles (create, accept,
dispatch, claim, resolve, rate by token) through Django's test client with `X-API-Key`, as the
benchmark does over HTTP. Per request kind it prints the number of queries (the same on every
run) and the CPU time of this process per request (median; `time.process_time`, so the load
of other processes on the machine hardly moves it), plus the database time as Django saw it.
Notifications and other tasks run as `--tasks` says (default `capture`: queued, not run, i.e.
what the web worker pays with an outside worker; `immediate` runs them in the request).
With --cprofile KIND the profile of that request kind is printed (top 30 by cumulative time).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

STEPS = ("create", "accept", "dispatch", "claim", "resolve", "rate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=30, help="lifecycles measured")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--db", default="", help="reuse this database (made on first use)")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--cprofile", default="", help="print the profile of this request kind (or all)"
    )
    parser.add_argument("--only", default="", help="print only profile lines matching this")
    parser.add_argument("--tasks", default="capture", choices=["capture", "immediate"])
    parser.add_argument("--sort", default="cumulative", help="cProfile order (tottime …)")
    parser.add_argument("--queries", default="", help="print the SQL of this request kind")
    args = parser.parse_args()

    import lifecycle_bench as bench

    name = args.db or f"gongzhi_profile_{os.getpid()}"
    database_url = bench.PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, "DATABASE_URL": database_url, "GONGZHI_DEBUG": ""}
    fresh = True
    try:
        bench.pg_admin(f'CREATE DATABASE "{name}"')
    except Exception:
        if not args.db:
            raise
        fresh = False
    try:
        if fresh:
            print(f"database {name}: migrate, demo --size {args.size} …", flush=True)
            bench.manage(env, "migrate", "--noinput")
            bench.manage(env, "demo", "--size", args.size)
        else:
            bench.manage(env, "migrate", "--noinput")
        run(database_url, args)
    finally:
        if not (args.keep_db or args.db):
            bench.pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def accounts(database_url: str) -> dict[str, Any]:
    """A dispatcher and a handler (new ones each run) with API keys, and a household."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from apps.accounts.apikeys import do_create_api_key
    from apps.accounts.choices import Role
    from apps.accounts.models import User
    from apps.places.choices import PlaceKind
    from apps.places.models import Place

    community = Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path").first()
    assert community is not None
    household = Place.objects.subtree(community).filter(kind=PlaceKind.HOUSEHOLD).first()
    keys = {}
    for who, role in (("d", Role.COMMUNITY_STAFF), ("h", Role.VOLUNTEER)):
        user = User(username=f"profile-{who}{os.getpid()}", role=role, scope=community)
        user.set_unusable_password()
        user.save()
        _, raw = do_create_api_key(name=f"profile {who}", actor=None, user=user)
        keys[who] = (user.pk, raw)
    return {
        "place": (household or community).pk,
        "dispatcher_key": keys["d"][1],
        "handler": keys["h"][0],
        "handler_key": keys["h"][1],
    }


def run(database_url: str, args: Any) -> None:
    import lifecycle_bench as bench

    spec = accounts(database_url)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from apps.cases import similarity
    from apps.core import tasks

    # capture: tasks are queued and not run, as with outside workers (the audit sealer's
    # timer queues too); immediate: every task runs in the request that queued it.
    settings.TASKS_BACKEND = "inline" if args.tasks == "capture" else "immediate"
    if args.tasks == "capture":
        from apps.core import audit

        if hasattr(audit, "seal_soon"):  # the sealer runs in a worker, not in the request
            audit.seal_soon = lambda: None
    settings.ALLOWED_HOSTS = ["*"]
    similarity.warm()
    client = Client()
    costs: dict[str, list[float]] = {k: [] for k in STEPS}
    counts: dict[str, list[int]] = {k: [] for k in STEPS}
    db_ms: dict[str, list[float]] = {k: [] for k in STEPS}
    pg_ms: dict[str, list[float]] = {k: [] for k in STEPS}
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def backend_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend (same machine), from /proc."""
        return bench.stat_seconds(backend_stat)

    sql: dict[str, list[str]] = {}
    profiles: dict[str, cProfile.Profile] = {}
    task_names: dict[str, dict[str, int]] = {}
    _capture_list: list[Any] | None = None

    def call(kind: str, method: str, path: str, body: Any, key: str, measured: bool) -> Any:
        headers: dict[str, Any] = {"HTTP_X_API_KEY": key} if key else {}
        profile = (
            profiles.setdefault(
                "all" if args.cprofile == "all" else kind, cProfile.Profile(time.process_time)
            )
            if measured and args.cprofile in (kind, "all")
            else None
        )
        seen: list[tuple[str, float]] = []

        def counted(execute: Any, sql_: str, params: Any, many: bool, context: Any) -> Any:
            began = time.perf_counter()
            try:
                return execute(sql_, params, many, context)
            finally:
                seen.append((sql_, time.perf_counter() - began))

        queued_before = len(_capture_list) if _capture_list is not None else 0
        with connection.execute_wrapper(counted):
            pg_before = backend_cpu()
            start = time.process_time()
            if profile:
                profile.enable()
            if method == "POST":
                response = client.post(path, body, content_type="application/json", **headers)
            else:
                response = client.get(path, **headers)
            if profile:
                profile.disable()
            spent = time.process_time() - start
            pg_spent = backend_cpu() - pg_before
        if response.status_code not in (200, 201):
            raise SystemExit(f"{kind}: HTTP {response.status_code} {response.content[:300]!r}")
        if measured:
            if _capture_list is not None:
                for name, *_ in _capture_list[queued_before:]:
                    task_names.setdefault(kind, {}).setdefault(name, 0)
                    task_names[kind][name] += 1
            costs[kind].append(spent * 1000)
            pg_ms[kind].append(pg_spent * 1000)
            counts[kind].append(len(seen))
            db_ms[kind].append(sum(t for _, t in seen) * 1000)
            sql[kind] = [f"{t * 1000:6.2f} ms  {q}" for q, t in seen]
        return response.json()

    def lifecycle(i: int, measured: bool) -> None:
        title, description = bench.TITLES[i % len(bench.TITLES)]
        d, h = spec["dispatcher_key"], spec["handler_key"]
        new = {
            "category": "policy",
            "place": spec["place"],
            "title": title,
            "description": description,
            "source": "hotline",
        }
        case = call("create", "POST", "/api/v1/cases/", new, d, measured)
        moves = f"/api/v1/cases/{case['id']}/transitions"
        call("accept", "POST", moves, {"action": "accept"}, d, measured)
        dispatch = {"action": "dispatch", "data": {"assignee": spec["handler"]}}
        call("dispatch", "POST", moves, dispatch, d, measured)
        call("claim", "POST", moves, {"action": "claim"}, h, measured)
        resolve = {"action": "resolve", "note": "已电话答复并上门办理"}
        call("resolve", "POST", moves, resolve, h, measured)
        rating = {"rating": "satisfied", "comment": "办得快"}
        path = f"/api/v1/cases/track/{case['tracking_token']}/rating"
        call("rate", "POST", path, rating, "", measured)

    settings.DEBUG = False
    if args.tasks == "capture":
        with tasks.capture_tasks() as queued:
            _capture_list = queued
            for i in range(args.warmup):
                lifecycle(i, False)
            for i in range(args.n):
                lifecycle(i, True)
        print(f"tasks queued (not run): {len(queued)} in {args.warmup + args.n} lifecycles")
    else:
        for i in range(args.warmup):
            lifecycle(i, False)
        for i in range(args.n):
            lifecycle(i, True)

    print(f"{args.n} lifecycles, tasks {args.tasks}; per request (median):")
    print(f"  {'kind':<9} {'queries':>7} {'CPU ms':>8} {'db ms':>7} {'PG CPU ms':>9}")
    for kind in STEPS:
        print(
            f"  {kind:<9} {statistics.median(counts[kind]):7.0f} "
            f"{statistics.median(costs[kind]):8.1f} {statistics.median(db_ms[kind]):7.1f} "
            f"{statistics.fmean(pg_ms[kind]):9.2f}"
        )
    health = []
    for _ in range(200):
        start = time.process_time()
        client.get("/api/v1/cases/health")
        health.append((time.process_time() - start) * 1000)
    print(f"  {'health':<9} {0:7d} {statistics.median(health):8.2f}   (the trivial endpoint)")
    every = [c for k in STEPS for c in costs[k]]
    print(
        f"  {'mean':<9} {statistics.fmean([q for k in STEPS for q in counts[k]]):7.1f} "
        f"{statistics.fmean(every):8.1f} {'':7} "
        f"{statistics.fmean([c for k in STEPS for c in pg_ms[k]]):9.2f}"
    )
    for kind in STEPS:
        if kind in task_names:
            named = ", ".join(
                f"{name} {count / args.n:.1f}" for name, count in sorted(task_names[kind].items())
            )
            print(f"  tasks per {kind}: {named}")
    if args.queries:
        for q in sql.get(args.queries, []):
            print("   ", q[:400])
    if args.cprofile and args.cprofile in profiles:
        out = io.StringIO()
        pstats.Stats(profiles[args.cprofile], stream=out).sort_stats(args.sort).print_stats(
            *([args.only] if args.only else []), int(os.environ.get("PROFILE_LINES", "40"))
        )
        print(out.getvalue())
        if os.environ.get("PROFILE_DUMP"):
            profiles[args.cprofile].dump_stats(os.environ["PROFILE_DUMP"])


if __name__ == "__main__":
    main()
