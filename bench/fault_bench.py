"""Fault bench (issue 14): kill -9 the web server and the task worker in the middle of a burst
of writes, start them again, and check that nothing acknowledged was lost.

    .venv/bin/python bench/fault_bench.py [--database-url postgres://…/db | sqlite:////tmp/x]
                                          [--clients 6] [--kill-at 60] [--after 10]
                                          [--redis-url redis://127.0.0.1:6379/13] [--port 8191]

What it does:

1. a database of its own (default: a new SQLite file; with `--database-url postgres://…` that
   database is created, used and dropped), migrated, with a small county (a town, two
   communities, households), the category the cases use, and per client a community cadre with
   an API key (`X-API-Key`);
2. gunicorn (2 gthread workers) on the project's WSGI application with `GONGZHI_TASKS=redis`,
   and one `gongzhi worker`; Redis is `--redis-url`, a database number the run uses alone (it
   is emptied at start and at the end; the default 13 is no other bench's);
3. the burst: every client loops "create a case" (POST /api/v1/cases/, 201) then "accept it"
   (POST …/transitions, 200), and one client asks for a briefing every second (POST
   /api/v1/reports/, 202: a job the worker runs); a write counts as acknowledged only when its
   success status and body arrived;
4. once `--kill-at` writes were acknowledged: SIGKILL to the whole gunicorn process group
   (master and workers) and to the worker, the clients still sending; one second later both
   start again; the clients keep going (refused connections are retried, never counted) for
   `--after` seconds after the server answers again;
5. then it waits (up to `--settle` seconds) for the task system to settle: the queue, the
   delayed set and every processing list of Redis empty (a dead worker's list is rescued by
   the new worker once the dead one's heartbeat expires, 45 s) and no briefing pending or
   running (a briefing whose worker died is failed by the `reports.fail_stale` sweep once its
   heartbeat expires: `GONGZHI_REPORT_MAX_SECONDS=20` here);
6. checks: every acknowledged case exists with its title, every acknowledged acceptance left
   the case accepted or later; `gongzhi audit verify` and `gongzhi stats verify` exit 0; no
   job left pending or running, nothing left in Redis. Last line:

    RESULT acknowledged=… lost=… audit_ok=0|1 stats_ok=0|1 stuck_jobs=…
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_world(clients: int) -> list[dict[str, Any]]:
    """A county, a town, two communities with households; per client a cadre and a key."""
    from django.db import connections

    from apps.accounts.apikeys import do_create_api_key
    from apps.accounts.choices import Role
    from apps.cases.models import Category
    from apps.core.testing.factories import make_place, make_user
    from apps.places.choices import PlaceKind

    county = make_place(PlaceKind.COUNTY, "兴国县")
    town = make_place(PlaceKind.TOWN, "潋江镇", county)
    leader = make_user("fault-leader", Role.COUNTY_LEADER, county)
    _, leader_key = do_create_api_key(name="fault leader", actor=None, user=leader)
    Category.objects.create(code="misc", name="其他", default_level="community")
    specs = []
    communities = [make_place(PlaceKind.COMMUNITY, f"第{i + 1}社区", town) for i in range(2)]
    for i in range(clients):
        community = communities[i % 2]
        grid = make_place(PlaceKind.GRID, f"网格{i + 1}", community)
        household = make_place(PlaceKind.HOUSEHOLD, f"{i + 1}号", grid)
        staff = make_user(f"fault-staff{i}", Role.COMMUNITY_STAFF, community)
        _, key = do_create_api_key(name=f"fault {i}", actor=None, user=staff)
        specs.append({"key": key, "place": household.pk, "county": county.pk, "n": i})
    specs[0]["leader_key"] = leader_key
    connections.close_all()
    return specs


def http(port: int, method: str, path: str, body: Any, key: str) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "X-API-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None


class Burst:
    """The clients' threads; what they record is only what the server acknowledged."""

    def __init__(self, port: int, specs: list[dict[str, Any]]) -> None:
        self.port, self.specs = port, specs
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.created: dict[int, str] = {}  # case id → title
        self.accepted: set[int] = set()
        self.reports: set[int] = set()
        self.refused = 0  # connection errors and 5xx: never acknowledged, not counted
        self.statuses: dict[int, int] = {}  # what the refused calls answered (0: no answer)

    def _call(self, method: str, path: str, body: Any, key: str, ok: int) -> Any:
        try:
            status, answer = http(self.port, method, path, body, key)
        except (OSError, ValueError):  # refused, reset, cut short by the kill
            status, answer = 0, None
        if status != ok or answer is None:
            with self.lock:
                self.refused += 1
                self.statuses[status] = self.statuses.get(status, 0) + 1
            time.sleep(0.05)
            return None
        return answer

    def client(self, spec: dict[str, Any]) -> None:
        while not self.stop.is_set():
            title = f"故障测试{spec['n']}-{uuid.uuid4().hex[:10]}"
            new = {"category": "misc", "place": spec["place"], "title": title}
            case = self._call("POST", "/api/v1/cases/", new, spec["key"], 201)
            if case is None:
                continue
            with self.lock:
                self.created[case["id"]] = title
            moves = f"/api/v1/cases/{case['id']}/transitions"
            if self._call("POST", moves, {"action": "accept"}, spec["key"], 200) is not None:
                with self.lock:
                    self.accepted.add(case["id"])

    def briefings(self, spec: dict[str, Any]) -> None:
        month = 0
        while not self.stop.is_set():
            period = f"{2025 - month // 12}-{12 - month % 12:02d}-01"
            body = {"place": spec["county"], "kind": "month", "period": period}
            report = self._call("POST", "/api/v1/reports/", body, spec["leader_key"], 202)
            if report is not None:
                with self.lock:
                    self.reports.add(report["id"])
                month += 1
            time.sleep(1.0)

    def threads(self) -> list[threading.Thread]:
        made = [threading.Thread(target=self.client, args=(s,)) for s in self.specs]
        made.append(threading.Thread(target=self.briefings, args=(self.specs[0],)))
        return made


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        "--workers=2",
        "--worker-class=gthread",
        "--threads=4",
        "--log-level=warning",
    ]
    # its own process group: kill -9 reaches the master and every worker at once
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_ready(port: int, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers (a 503 names a backlog: still a running server)
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill9(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def redis_left(url: str) -> int:
    """Messages still queued, delayed or held in any worker's processing list."""
    import redis

    r = redis.Redis.from_url(url)
    left = r.llen("gongzhi:tasks:queue") + r.zcard("gongzhi:tasks:delayed")
    for key in r.scan_iter("gongzhi:tasks:processing:*"):
        left += r.llen(key)
    return int(left)


def jobs_left() -> int:
    """Briefings pending or running, and ledger imports not finished."""
    from django.db import connections

    from apps.ledgers.models import ImportJob
    from apps.reports.choices import ReportStatus
    from apps.reports.models import Report

    running = Report.objects.filter(status__in=[ReportStatus.PENDING, ReportStatus.RUNNING])
    busy = [ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING]
    imports = ImportJob.objects.filter(status__in=busy)
    left = running.count() + imports.count()
    connections.close_all()
    return left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--kill-at", type=int, default=60, help="acknowledged writes")
    parser.add_argument("--after", type=float, default=10.0, help="burst after the restart")
    parser.add_argument("--settle", type=float, default=240.0)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--port", type=int, default=8191)
    parser.add_argument("--size", default="", help="ignored (make bench passes it)")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    import redis

    temp = Path(tempfile.mkdtemp(prefix="gz_fault_"))
    database_url = args.database_url or f"sqlite:///{temp}/fault.sqlite3"
    postgres = database_url.startswith("postgres")
    if postgres:
        name = database_url.rsplit("/", 1)[1]
        pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(database_url, f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(args.redis_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GONGZHI_DATA_DIR": str(temp),
        "GONGZHI_TASKS": "redis",
        "REDIS_URL": args.redis_url,
        "GONGZHI_CACHE_URL": args.redis_url,
        "GONGZHI_REPORT_MAX_SECONDS": "20",
        "GONGZHI_DEBUG": "",
        "PYTHONUNBUFFERED": "1",
    }
    server = worker = None
    try:
        print(f"database {database_url}: migrate …", flush=True)
        done = run_manage(env, "migrate", "--noinput")
        if done.returncode:
            raise SystemExit(done.stderr[-2000:])
        setup_django(database_url)
        specs = make_world(args.clients)
        server = start_server(env, args.port)
        worker = start_worker(env)
        wait_ready(args.port)
        started = time.monotonic()
        burst = Burst(args.port, specs)
        threads = burst.threads()
        for t in threads:
            t.start()
        before = 0
        while before < args.kill_at and time.monotonic() - started < 300:
            time.sleep(0.1)
            with burst.lock:
                before = len(burst.created) + len(burst.accepted)
        kill9(server)
        kill9(worker)
        print(
            f"kill -9 of gunicorn (master + workers) and the worker at "
            f"{time.monotonic() - started:.1f} s, {before} writes acknowledged so far",
            flush=True,
        )
        time.sleep(1.0)
        server = start_server(env, args.port)
        worker = start_worker(env)
        wait_ready(args.port)
        print(f"restarted, answering at {time.monotonic() - started:.1f} s", flush=True)
        time.sleep(args.after)
        burst.stop.set()
        for t in threads:
            t.join()
        print(
            f"burst over: {len(burst.created)} cases, {len(burst.accepted)} acceptances, "
            f"{len(burst.reports)} briefings acknowledged; {burst.refused} calls refused or "
            f"cut (not acknowledged, not counted; by status: {burst.statuses})",
            flush=True,
        )
        deadline = time.monotonic() + args.settle
        while time.monotonic() < deadline and (redis_left(args.redis_url) or jobs_left()):
            time.sleep(2)
        print(f"settled {time.monotonic() - deadline + args.settle:.0f} s after the burst")

        if worker.poll() is not None or server.poll() is not None:
            print(f"! after the restart: worker exit {worker.poll()}, server exit {server.poll()}")
        from apps.cases.models import Case

        found = dict(Case.objects.filter(pk__in=burst.created).values_list("pk", "title"))
        states = dict(Case.objects.filter(pk__in=burst.accepted).values_list("pk", "status"))
        lost = sum(1 for pk, title in burst.created.items() if found.get(pk) != title)
        lost += sum(1 for pk in burst.accepted if states.get(pk) in (None, "submitted"))
        audit = run_manage(env, "audit", "verify")
        stats = run_manage(env, "stats", "verify")
        print(f"audit verify: {(audit.stdout + audit.stderr).strip()[-400:]}")
        print(f"stats verify: {(stats.stdout + stats.stderr).strip()[-400:]}")
        stuck = jobs_left() + redis_left(args.redis_url)
        acknowledged = len(burst.created) + len(burst.accepted) + len(burst.reports)
        engine = "PostgreSQL" if postgres else "SQLite"
        print(
            f"{engine}, {args.clients} clients, load average {os.getloadavg()[0]:.1f} "
            f"({os.cpu_count()} CPUs shared)"
        )
        print(
            f"RESULT acknowledged={acknowledged} lost={lost} "
            f"audit_ok={int(audit.returncode == 0)} stats_ok={int(stats.returncode == 0)} "
            f"stuck_jobs={stuck}"
        )
    finally:
        for process in (server, worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    kill9(process)
        redis.Redis.from_url(args.redis_url).flushdb()
        if postgres and not args.keep_db:
            from django.db import connections

            connections.close_all()
            pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
