"""First-start benchmark: `gongzhi serve` on an empty database, from the start of the command
until the port answers with the login page (served) and until the demo county's history has
finished loading in the background (loaded).

    .venv/bin/python bench/demo_start_bench.py [--size county] [--engine sqlite|postgresql]
                                               [--root OTHER_CHECKOUT]

What it does:

1. baseline, in the same run: `serve --demo-size none` on an empty database of its own, the
   time until the port answers (migrations and the server start, no demo): the floor any
   first start has;
2. `serve --demo-size SIZE` on another empty database: time until GET /accounts/login/
   answers 200 (served_s), then polls /demo/progress/?format=json until the load is done
   (loaded_s; a checkout without the background load has no such page: loaded = served),
   timing the login page meanwhile (the slowest answer, login_page_max_s);
3. stops each server it started (SIGINT) and drops its databases.

`--root` runs another checkout with this interpreter (e.g. a `git archive` of an older commit)
for a before/after comparison on the same machine.

Last line:

    RESULT served_s=… loaded_s=… floor_s=… login_page_max_s=… longest_step_s=…
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
SIZES = ("tiny", "small", "county", "large")
TIMEOUT_S = 3600


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


class Database:
    """An empty database of the bench's own, SQLite file or PostgreSQL database."""

    def __init__(self, engine: str, name: str) -> None:
        self.engine, self.name = engine, name
        if engine == "sqlite":
            self.path = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
            pg_admin(f'CREATE DATABASE "{name}"')

    def drop(self) -> None:
        if self.engine == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def start(root: Path, db: Database, size: str, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "GONGZHI_TASKS": "inline",
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--demo-size", size],
        cwd=root,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return server, port


def wait_served(server: subprocess.Popen, port: int, t0: float, log: Path) -> float:
    while time.perf_counter() - t0 < TIMEOUT_S:
        if server.poll() is not None:
            tail = log.read_text()[-3000:]
            raise SystemExit(f"the server stopped ({server.returncode}):\n{tail}")
        try:
            status, _ = get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
            if status == 200:
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit("the port never answered")


def wait_loaded(port: int, t0: float, served_s: float) -> tuple[float, float, dict]:
    """(loaded_s, slowest login page meanwhile, the load's step seconds)."""
    slowest = 0.0
    while time.perf_counter() - t0 < TIMEOUT_S:
        status, body = get(f"http://127.0.0.1:{port}/demo/progress/?format=json")
        if status == 404:  # a checkout that loads everything before serving
            return served_s, slowest, {}
        state = json.loads(body) if status == 200 else {}
        if state.get("state") == "done":
            return time.perf_counter() - t0, slowest, state.get("seconds", {})
        if state.get("state") == "failed":
            raise SystemExit(f"the background load failed: {state}")
        began = time.perf_counter()
        get(f"http://127.0.0.1:{port}/accounts/login/")
        slowest = max(slowest, time.perf_counter() - began)
        time.sleep(1)
    raise SystemExit("the history never finished loading")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def first_start(root: Path, engine: str, size: str, tag: str) -> dict:
    db = Database(engine, f"gz_demo_start_{tag}_{os.getpid()}")
    log = Path(tempfile.gettempdir()) / f"gz_demo_start_{tag}_{os.getpid()}.log"
    server = None
    try:
        t0 = time.perf_counter()
        server, port = start(root, db, size, log)
        served_s = wait_served(server, port, t0, log)
        if size == "none":
            return {"served_s": served_s}
        loaded_s, slowest, seconds = wait_loaded(port, t0, served_s)
        return {"served_s": served_s, "loaded_s": loaded_s, "slowest": slowest, "steps": seconds}
    finally:
        if server is not None:
            stop(server)
        db.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="county")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to start")
    args = parser.parse_args()
    root = args.root.resolve()
    floor = first_start(root, args.engine, "none", "floor")
    print(f"floor (migrate + start, no demo): {floor['served_s']:.1f} s")
    got = first_start(root, args.engine, args.size, "demo")
    steps = got["steps"]
    longest = max(steps.values(), default=0.0)
    print(
        f"{args.engine} {args.size} ({root}): served {got['served_s']:.1f} s, "
        f"loaded {got['loaded_s']:.1f} s, login page at most {got['slowest']:.2f} s meanwhile"
    )
    if steps:
        print("background steps (s): " + ", ".join(f"{k} {v}" for k, v in steps.items()))
    print(
        f"RESULT served_s={got['served_s']:.1f} loaded_s={got['loaded_s']:.1f} "
        f"floor_s={floor['served_s']:.1f} login_page_max_s={got['slowest']:.2f} "
        f"longest_step_s={longest:.1f}"
    )


if __name__ == "__main__":
    main()
