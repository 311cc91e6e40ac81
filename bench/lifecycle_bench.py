"""Case lifecycle benchmark: whole lifecycles over HTTP against a multi-worker server on
PostgreSQL, measured against the server's trivial JSON endpoint in the same run.

    .venv/bin/python bench/lifecycle_bench.py [--clients 32] [--size tiny] [--seconds 20]
                                              [--workers 4] [--threads 4]
                                              [--tasks inline|redis] [--task-workers 1]

What it does:

1. creates a PostgreSQL database of its own (dropped at the end), migrates it and loads the
   demo county (`manage.py demo --size …`);
2. per client, a dispatcher (community staff) and a handler (volunteer) in one of the demo's
   communities, each with an API key (`X-API-Key`), and a household to file cases on;
3. starts gunicorn (gthread workers: `--workers` processes × `--threads` threads) on the
   project's WSGI application, with the embedded (inline) task backend — notifications and
   audit seals then run in threads of the web workers — or, with `--tasks redis`, the Redis
   backend and `--task-workers` separate `gongzhi worker` processes (`--redis-url` names a
   Redis database the run may use alone: its `gongzhi:*` keys are deleted at start and end);
4. phase "trivial": every client loops `GET /api/v1/cases/health` (no database) for
   `--seconds`; phase "lifecycle": every client loops whole lifecycles — create (API, the
   create also looks for duplicates), accept, dispatch to its handler, claim, resolve,
   rate by tracking token — for `--seconds`, after a short warm-up;
5. prints throughput, p50/p99 per request kind, the ratio of the lifecycle phase's
   request throughput to the trivial endpoint's, the CPU time the server's processes (the
   gunicorn master and its workers, user + system from /proc, inline tasks included) spent per
   request of each phase, and (Redis) the tasks still queued at the end — the backlog the
   workers did not absorb. Last line:

    RESULT lifecycles_per_s=… p99_ms=… ratio_to_trivial=… cpu_ms_per_request=…

Clients are asyncio tasks on keep-alive connections, spread over a few client processes so
the load generator is not the bottleneck of the trivial phase.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
TITLES = [
    ("楼道灯坏了", "晚上很黑，老人上下楼不方便"),
    ("咨询城乡居民医保缴费", "今年的缴费档次和截止时间"),
    ("厨房水管漏水", "楼下住户反映天花板渗水"),
    ("小区门口垃圾没人清运", "已经堆了两天"),
    ("申请高龄津贴", "老人今年满八十周岁"),
    ("邻居装修噪音扰民", "晚上十点以后还在施工"),
    ("路灯不亮", "村口到学校那段路"),
    ("孩子上学资助政策咨询", "家庭困难，想了解助学金"),
]
STEPS = ("create", "accept", "dispatch", "claim", "resolve", "rate")


# --- database and server ------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def make_accounts(database_url: str, clients: int) -> list[dict[str, Any]]:
    """Per client: a dispatcher and a handler with API keys, in one of the communities."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    from apps.accounts.apikeys import do_create_api_key
    from apps.accounts.choices import Role
    from apps.accounts.models import User
    from apps.places.choices import PlaceKind
    from apps.places.models import Place

    communities = list(Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path"))
    specs = []
    for i in range(clients):
        community = communities[i % len(communities)]
        households = Place.objects.subtree(community).filter(kind=PlaceKind.HOUSEHOLD)
        household = households.order_by("path")[i // len(communities) % 20 : None].first()
        keys = {}
        for who, role in (("d", Role.COMMUNITY_STAFF), ("h", Role.VOLUNTEER)):
            user = User.objects.filter(username=f"bench-{who}{i}").first()
            if user is None:  # else a database kept from an earlier run (--db)
                user = User(username=f"bench-{who}{i}", role=role, scope=community)
                user.set_unusable_password()
                user.save()
            _, raw = do_create_api_key(name=f"bench {who}{i}", actor=None, user=user)
            keys[who] = (user.pk, raw)
        specs.append(
            {
                "place": (household or community).pk,
                "dispatcher_key": keys["d"][1],
                "handler": keys["h"][0],
                "handler_key": keys["h"][1],
            }
        )
    connections.close_all()
    return specs


GUNICORN_HOOKS = """
def when_ready(server):
    # The dictionary of jieba loads once in the master, before the workers fork.
    from apps.cases import similarity

    similarity.warm()
"""


def start_task_workers(env: dict[str, str], n: int) -> list[Any]:
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        for _ in range(n)
    ]


def clear_redis(url: str) -> None:
    import redis

    r = redis.Redis.from_url(url)
    for key in r.scan_iter("gongzhi:*", count=1000):
        r.delete(key)


def redis_backlog(url: str) -> int:
    import redis

    return int(redis.Redis.from_url(url).llen("gongzhi:tasks:queue"))


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` and its children (the gunicorn master and its
    workers, all their threads), from /proc (Linux)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            todo += [int(c) for c in task.read_text().split()]
    return sum(stat_seconds(Path(f"/proc/{p}/stat")) for p in pids)


def stat_seconds(stat: Path, names: tuple[str, ...] = ()) -> float:
    """User + system CPU seconds of the process whose /proc/<pid>/stat is `stat` (0 when it
    has exited meanwhile, or when `names` are given and its command name starts with none)."""
    try:
        text = stat.read_text()
    except OSError:
        return 0.0
    head, _, rest = text.rpartition(")")
    if names and not head[head.index("(") + 1 :].startswith(names):
        return 0.0
    fields = rest.split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def processes_cpu_seconds(names: tuple[str, ...]) -> float:
    """User + system CPU time of every process whose command name starts with one of `names`
    (the database's backends: other users of this PostgreSQL count too)."""
    return sum(stat_seconds(stat, names) for stat in Path("/proc").glob("[0-9]*/stat"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int, threads: int) -> Any:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    hooks = Path(tempfile.mkdtemp()) / "gunicorn_hooks.py"
    hooks.write_text(GUNICORN_HOOKS)
    command = [
        str(gunicorn),
        "config.wsgi:application",
        f"--config={hooks}",
        "--preload",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=gthread",
        f"--threads={threads}",
        "--keep-alive=30",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 180  # a loaded shared machine starts slowly
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/cases/health", timeout=5):
                return server
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code} {exc.read()[:300]!r}"
            time.sleep(0.5)
        except OSError as exc:
            last = str(exc)
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"server did not start: {last}")


# --- the HTTP client ----------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection (Content-Length or chunked bodies)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: Any = None
        self.writer: Any = None

    async def request(
        self, method: str, path: str, body: Any = None, key: str = ""
    ) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        data = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(data)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        if key:
            head.append(f"X-API-Key: {key}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        headers = {}
        while True:
            line = (await self.reader.readline()).decode().strip()
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            payload = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                payload += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            payload = await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return status, json.loads(payload) if payload.strip() else None


async def timed(stats: dict[str, list[float]], kind: str, call: Any, expect: int = 200) -> Any:
    start = time.perf_counter()
    status, body = await call
    stats.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
    if status != expect:
        raise RuntimeError(f"{kind}: HTTP {status} {body}")
    return body


async def lifecycle(conn: Connection, spec: dict[str, Any], stats: dict[str, list[float]]) -> None:
    title, description = random.choice(TITLES)
    d, h = spec["dispatcher_key"], spec["handler_key"]
    new = {
        "category": "policy",
        "place": spec["place"],
        "title": title,
        "description": description,
        "source": "hotline",
    }
    case = await timed(stats, "create", conn.request("POST", "/api/v1/cases/", new, d), 201)
    moves = f"/api/v1/cases/{case['id']}/transitions"
    await timed(stats, "accept", conn.request("POST", moves, {"action": "accept"}, d))
    dispatch = {"action": "dispatch", "data": {"assignee": spec["handler"]}}
    await timed(stats, "dispatch", conn.request("POST", moves, dispatch, d))
    await timed(stats, "claim", conn.request("POST", moves, {"action": "claim"}, h))
    resolve = {"action": "resolve", "note": "已电话答复并上门办理"}
    await timed(stats, "resolve", conn.request("POST", moves, resolve, h))
    rating = {"rating": "satisfied", "comment": "办得快"}
    path = f"/api/v1/cases/track/{case['tracking_token']}/rating"
    await timed(stats, "rate", conn.request("POST", path, rating))


async def client_loop(phase: str, port: int, spec: dict[str, Any], until: float) -> dict:
    conn = Connection(port)
    stats: dict[str, list[float]] = {}
    done = errors = 0
    while time.monotonic() < until:
        try:
            if phase == "trivial":
                await timed(stats, "health", conn.request("GET", "/api/v1/cases/health"))
            else:
                await lifecycle(conn, spec, stats)
            done += 1
        except (RuntimeError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors += 1
            if errors <= 3:
                print(f"  error: {exc}"[:300], file=sys.stderr)
            conn = Connection(port)
    return {"stats": stats, "done": done, "errors": errors}


def run_share(args: tuple[str, int, list[dict[str, Any]], float]) -> dict:
    phase, port, specs, seconds = args
    random.seed(uuid.uuid4().int)

    async def main() -> list[dict]:
        until = time.monotonic() + seconds
        return await asyncio.gather(*(client_loop(phase, port, s, until) for s in specs))

    results = asyncio.run(main())
    merged: dict[str, Any] = {"stats": {}, "done": 0, "errors": 0}
    for r in results:
        merged["done"] += r["done"]
        merged["errors"] += r["errors"]
        for kind, values in r["stats"].items():
            merged["stats"].setdefault(kind, []).extend(values)
    return merged


def run_phase(
    phase: str, port: int, specs: list[dict[str, Any]], seconds: float, procs: int
) -> dict:
    shares = [specs[i::procs] for i in range(procs)]
    start = time.monotonic()
    with multiprocessing.Pool(procs) as pool:
        parts = pool.map(run_share, [(phase, port, share, seconds) for share in shares if share])
    elapsed = time.monotonic() - start
    result: dict[str, Any] = {"stats": {}, "done": 0, "errors": 0, "elapsed": elapsed}
    for part in parts:
        result["done"] += part["done"]
        result["errors"] += part["errors"]
        for kind, values in part["stats"].items():
            result["stats"].setdefault(kind, []).extend(values)
    return result


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(title: str, result: dict, kinds: tuple[str, ...]) -> tuple[float, list[float]]:
    every = [v for k in kinds for v in result["stats"].get(k, [])]
    rate = len(every) / result["elapsed"]
    print(
        f"{title}: {len(every)} requests in {result['elapsed']:.1f} s = {rate:.0f} req/s, "
        f"p50 {pct(every, 0.5):.1f} ms, p99 {pct(every, 0.99):.1f} ms, "
        f"errors {result['errors']}"
    )
    for kind in kinds:
        values = result["stats"].get(kind, [])
        if values:
            print(
                f"  {kind:<9} n={len(values):<6} p50 {pct(values, 0.5):6.1f} ms  "
                f"p99 {pct(values, 0.99):6.1f} ms  mean {statistics.fmean(values):6.1f} ms"
            )
    return rate, every


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--size", default="tiny", help="demo county size (tiny, small …)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per measured phase")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--client-procs", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--db", default="", help="use (and keep) this database, made and loaded on first use"
    )
    parser.add_argument("--tasks", choices=["inline", "redis"], default="inline")
    parser.add_argument("--task-workers", type=int, default=1, help="with --tasks redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()
    args.port = args.port or free_port()

    name = args.db or f"gongzhi_bench_cases_{os.getpid()}"
    args.keep_db = args.keep_db or bool(args.db)
    database_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GONGZHI_TASKS": args.tasks,
        "GONGZHI_DEBUG": "",
        "PYTHONUNBUFFERED": "1",
    }
    if args.tasks == "redis":
        env["REDIS_URL"] = args.redis_url
        clear_redis(args.redis_url)
    fresh = True
    try:
        pg_admin(f'CREATE DATABASE "{name}"')
    except Exception:
        if not args.db:
            raise
        fresh = False  # --db names a database an earlier run made and loaded
    server = None
    task_workers: list[Any] = []
    try:
        if fresh:
            print(f"database {name}: migrate, demo --size {args.size} …", flush=True)
            manage(env, "migrate", "--noinput")
            manage(env, "demo", "--size", args.size)
        specs = make_accounts(database_url, args.clients)
        server = start_server(env, args.port, args.workers, args.threads)
        if args.tasks == "redis":
            task_workers = start_task_workers(env, args.task_workers)
        tasks_text = (
            f"Redis tasks, {args.task_workers} gongzhi worker process(es)"
            if args.tasks == "redis"
            else "inline tasks (threads of the web workers)"
        )
        print(
            f"server: gunicorn gthread, {args.workers} workers × {args.threads} threads, "
            f"PostgreSQL, {tasks_text}; {args.clients} clients in {args.client_procs} client "
            f"processes; {os.cpu_count()} CPUs shared by server, workers, clients and database",
            flush=True,
        )
        procs = max(1, min(args.client_procs, args.clients))
        print(f"load average before the run: {os.getloadavg()[0]:.1f}", flush=True)
        run_phase("lifecycle", args.port, specs, args.warmup, procs)  # jieba, caches, pools
        cpu = server_cpu_seconds(server.pid)
        trivial = run_phase("trivial", args.port, specs, args.seconds, procs)
        cpu, trivial_cpu = server_cpu_seconds(server.pid), server_cpu_seconds(server.pid) - cpu
        trivial_rate, health = report("trivial GET /api/v1/cases/health", trivial, ("health",))
        db_cpu = processes_cpu_seconds(("postgres",))
        task_cpu = sum(server_cpu_seconds(w.pid) for w in task_workers)
        cycles = run_phase("lifecycle", args.port, specs, args.seconds, procs)
        cycle_cpu = server_cpu_seconds(server.pid) - cpu
        db_cpu = processes_cpu_seconds(("postgres",)) - db_cpu
        task_cpu = sum(server_cpu_seconds(w.pid) for w in task_workers) - task_cpu
        cycle_rate, every = report("lifecycle requests", cycles, STEPS)
        cpu_ms = cycle_cpu * 1000 / max(1, len(every))
        print(
            f"server CPU: {cpu_ms:.1f} ms per lifecycle request ({cycle_cpu:.1f} s), "
            f"{trivial_cpu * 1000 / max(1, len(health)):.2f} ms per trivial request"
        )
        print(
            f"database CPU (every postgres process): {db_cpu * 1000 / max(1, len(every)):.1f} ms "
            "per lifecycle request"
            + (
                f"; task workers: {task_cpu * 1000 / max(1, len(every)):.1f} ms per request"
                if task_workers
                else ""
            )
        )
        per_s = cycles["done"] / cycles["elapsed"]
        p99 = pct(every, 0.99)
        ratio = cycle_rate / trivial_rate if trivial_rate else float("nan")
        print(f"lifecycles: {cycles['done']} in {cycles['elapsed']:.1f} s = {per_s:.1f}/s")
        if args.tasks == "redis":
            backlog = redis_backlog(args.redis_url)
            print(f"tasks still queued at the end: {backlog}")
            began = time.monotonic()
            while redis_backlog(args.redis_url) and time.monotonic() - began < 300:
                time.sleep(0.2)
            print(
                f"… the task workers emptied the queue {time.monotonic() - began:.1f} s after the "
                f"burst ({backlog / max(0.1, time.monotonic() - began):.0f} tasks/s once the web "
                "processes were idle): the last notice of the burst was that late"
            )
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        print(
            f"RESULT lifecycles_per_s={per_s:.1f} p99_ms={p99:.1f} ratio_to_trivial={ratio:.2f} "
            f"cpu_ms_per_request={cpu_ms:.1f}"
        )
    finally:
        for worker in task_workers:
            worker.terminate()
        for worker in task_workers:
            worker.wait(timeout=30)
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: do not keep the database
                server.kill()
                server.wait()
        if args.tasks == "redis":
            clear_redis(args.redis_url)
        if not args.keep_db:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
