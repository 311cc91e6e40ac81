"""One task API for all background work (deadlines, notifications, analysis, reports).

    @task("cases.escalate")            register a function taking JSON-serialisable arguments
    @periodic(seconds=60, name="…")    register a job the scheduler runs every N seconds
    enqueue("cases.escalate", 42)      run it in the background (call inside on_commit yourself)

Backends, chosen by settings.TASKS_BACKEND:

* ``inline`` (embedded default): a small thread pool inside the web process; `gongzhi serve`
  starts a scheduler thread for the periodic jobs.
* ``redis`` (production): messages go to a Redis list; any number of `gongzhi worker`
  processes, on any number of machines, take them with a reliable move into a per-worker
  processing list (a message of a worker that died is put back by the others), retry failures
  with backoff, and share the schedule: each tick of a periodic job is claimed with SET NX, so
  exactly one worker runs it.
* ``immediate`` (tests): runs the task synchronously in the caller.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections

log = logging.getLogger("gongzhi.tasks")

_TASKS: dict[str, Callable[..., Any]] = {}
_PERIODIC: dict[str, int] = {}
_capture: list[list[tuple[str, tuple, dict]]] = []


def task(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in _TASKS and _TASKS[name] is not func:
            raise RuntimeError(f"task {name!r} registered twice")
        _TASKS[name] = func
        func.task_name = name  # type: ignore[attr-defined]
        return func

    return register


def periodic(seconds: int, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        task(name)(func)
        _PERIODIC[name] = seconds
        return func

    return register


def registered() -> dict[str, Callable[..., Any]]:
    _load_task_modules()
    return dict(_TASKS)


def periodic_jobs() -> dict[str, int]:
    _load_task_modules()
    return dict(_PERIODIC)


_loaded = threading.Event()
_loading = threading.Lock()


def _load_task_modules() -> None:
    """Import every app's `tasks` module, once per process (a failed import is not cached by
    Python: looking again for the apps without one cost more than a task, measured)."""
    if _loaded.is_set():
        return
    from django.utils.module_loading import autodiscover_modules

    with _loading:
        if not _loaded.is_set():
            autodiscover_modules("tasks")
            _loaded.set()


def _name_of(func_or_name: str | Callable[..., Any]) -> str:
    return func_or_name if isinstance(func_or_name, str) else func_or_name.task_name  # type: ignore[attr-defined]


def enqueue(func_or_name: str | Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    name = _name_of(func_or_name)
    json.dumps([args, kwargs])  # fail here, in the caller, on arguments a worker cannot read
    if _capture:
        _capture[-1].append((name, args, kwargs))
        return
    backend().submit(name, args, kwargs)


@contextmanager
def capture_tasks() -> Iterator[list[tuple[str, tuple, dict]]]:
    """Record enqueued tasks instead of running them (tests)."""
    calls: list[tuple[str, tuple, dict]] = []
    _capture.append(calls)
    try:
        yield calls
    finally:
        _capture.pop()


def run_task(name: str, args: Any = (), kwargs: Any = None) -> Any:
    func = registered().get(name)
    if func is None:
        raise LookupError(f"unknown task {name!r}")
    return func(*args, **(kwargs or {}))


# SQLite has one writer: a job that meets a long write (the demo's history loading in the
# background, an import) waits up to the busy timeout and then fails with "database is locked".
# Every job rolls back whole and may run again, so the in-process runner tries again later
# instead of logging a failure (seen on `make run`: audit sealing and patrol tasks failed while
# the demo loaded).
LOCKED_RETRY_DELAYS = (5.0, 20.0, 60.0)


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def _run_in_thread(name: str, args: Any, kwargs: Any) -> None:
    delays = list(LOCKED_RETRY_DELAYS)
    while True:
        close_old_connections()
        try:
            run_task(name, args, kwargs)
            return
        except Exception as exc:
            if _locked(exc) and delays:
                delay = delays.pop(0)
                log.warning("task %s: database busy, trying again in %.0f s", name, delay)
                time.sleep(delay)
                continue
            log.exception("task %s failed", name)
            return
        finally:
            close_old_connections()


class ImmediateBackend:
    def submit(self, name: str, args: Any, kwargs: Any) -> None:
        run_task(name, args, kwargs)


class InlineBackend:
    """Threads in this process. Work queued here is lost if the process dies, which is the
    embedded default's trade-off; the monitors re-find overdue work from the database."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="gongzhi-task")

    def submit(self, name: str, args: Any, kwargs: Any) -> None:
        self.pool.submit(_run_in_thread, name, args, kwargs)


@dataclass
class RedisKeys:
    prefix: str

    @property
    def queue(self) -> str:
        return f"{self.prefix}:queue"

    @property
    def delayed(self) -> str:
        return f"{self.prefix}:delayed"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def dead(self) -> str:
        return f"{self.prefix}:dead"

    def processing(self, worker: str) -> str:
        return f"{self.prefix}:processing:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def tick(self, name: str, slot: int) -> str:
        return f"{self.prefix}:tick:{name}:{slot}"


class RedisBackend:
    MAX_ATTEMPTS = 5

    def __init__(self, url: str | None = None, prefix: str | None = None) -> None:
        import redis

        # Any: redis-py's stubs type every reply as bytes | str even with decode_responses.
        self.redis: Any = redis.Redis.from_url(url or settings.REDIS_URL, decode_responses=True)
        self.keys = RedisKeys(prefix or str(settings.TASKS_REDIS_PREFIX))

    def submit(self, name: str, args: Any, kwargs: Any, attempt: int = 1) -> None:
        message = json.dumps(
            {
                "id": uuid.uuid4().hex,
                "name": name,
                "args": list(args),
                "kwargs": kwargs,
                "attempt": attempt,
            },
            ensure_ascii=False,
        )
        self.redis.lpush(self.keys.queue, message)

    def schedule_retry(self, message: dict[str, Any]) -> None:
        attempt = message["attempt"] + 1
        if attempt > self.MAX_ATTEMPTS:
            self.redis.lpush(self.keys.dead, json.dumps(message, ensure_ascii=False))
            log.error("task %s gave up after %s attempts", message["name"], message["attempt"])
            return
        message["attempt"] = attempt
        due = time.time() + min(2**attempt, 300)
        self.redis.zadd(self.keys.delayed, {json.dumps(message, ensure_ascii=False): due})

    def move_due_delayed(self, now: float | None = None) -> int:
        now = now or time.time()
        moved = 0
        for message in self.redis.zrangebyscore(self.keys.delayed, 0, now, start=0, num=100):
            if self.redis.zrem(self.keys.delayed, message):  # only one worker wins each message
                self.redis.lpush(self.keys.queue, message)
                moved += 1
        return moved

    def claim_tick(self, name: str, seconds: int, now: float | None = None) -> bool:
        slot = int((now or time.time()) // seconds)
        return bool(self.redis.set(self.keys.tick(name, slot), "1", nx=True, ex=seconds * 2 + 5))


class Worker:
    """A Redis worker: takes messages reliably, runs them, retries failures, shares the
    schedule of periodic jobs with the other workers, and rescues work of dead workers."""

    HEARTBEAT_SECONDS = 15

    def __init__(
        self, backend: RedisBackend | None = None, name: str | None = None, schedule: bool = True
    ) -> None:
        self.backend = backend or RedisBackend()
        self.schedule = schedule
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.keys = self.backend.keys
        self.r: Any = self.backend.redis
        self.stopping = threading.Event()
        self.last_housekeeping = 0.0

    def heartbeat(self) -> None:
        self.r.sadd(self.keys.workers, self.name)
        self.r.set(self.keys.alive(self.name), "1", ex=self.HEARTBEAT_SECONDS * 3)

    def rescue_dead_workers(self) -> int:
        rescued = 0
        for other in self.r.smembers(self.keys.workers):
            if other == self.name or self.r.exists(self.keys.alive(other)):
                continue
            while self.r.lmove(self.keys.processing(other), self.keys.queue, "RIGHT", "LEFT"):
                rescued += 1
            self.r.srem(self.keys.workers, other)
        return rescued

    def run_periodic(self, now: float | None = None) -> list[str]:
        fired = []
        for name, seconds in periodic_jobs().items():
            if self.backend.claim_tick(name, seconds, now):
                self.backend.submit(name, (), {})
                fired.append(name)
        return fired

    def housekeeping(self, now: float | None = None) -> None:
        self.heartbeat()
        self.backend.move_due_delayed(now)
        self.rescue_dead_workers()
        if self.schedule:
            self.run_periodic(now)

    def run_once(self, timeout: float = 1.0) -> bool:
        """Take and run one message; False when the queue stayed empty for `timeout`."""
        now = time.time()
        if now - self.last_housekeeping >= 1.0:
            self.housekeeping(now)
            self.last_housekeeping = now
        raw = self.r.blmove(
            self.keys.queue, self.keys.processing(self.name), timeout, "RIGHT", "LEFT"
        )
        if raw is None:
            return False
        message = json.loads(raw)
        close_old_connections()
        try:
            run_task(message["name"], message["args"], message["kwargs"])
        except Exception:
            log.exception("task %s failed (attempt %s)", message["name"], message["attempt"])
            self.backend.schedule_retry(message)
        finally:
            self.r.lrem(self.keys.processing(self.name), 1, raw)
            close_old_connections()
        return True

    def run_forever(self) -> None:
        log.info("worker %s started", self.name)
        while not self.stopping.is_set():
            self.run_once()
        self.r.srem(self.keys.workers, self.name)
        self.r.delete(self.keys.alive(self.name))


class InlineScheduler(threading.Thread):
    """Runs periodic jobs in the web process (embedded default)."""

    def __init__(self) -> None:
        super().__init__(name="gongzhi-scheduler", daemon=True)
        self.next_run: dict[str, float] = {}

    def run(self) -> None:
        while True:
            now = time.time()
            for name, seconds in periodic_jobs().items():
                if now >= self.next_run.get(name, 0):
                    self.next_run[name] = now + seconds
                    backend().submit(name, (), {})
            time.sleep(1)


_backend_lock = threading.Lock()
_backends: dict[str, Any] = {}


def backend() -> Any:
    kind = settings.TASKS_BACKEND
    with _backend_lock:
        if kind not in _backends:
            factories = {
                "inline": InlineBackend,
                "redis": RedisBackend,
                "immediate": ImmediateBackend,
            }
            if kind not in factories:
                raise ValueError(f"GONGZHI_TASKS must be inline, redis or immediate, not {kind!r}")
            _backends[kind] = factories[kind]()
        return _backends[kind]


def start_background() -> None:
    """Start the in-process scheduler when the embedded default runs (`gongzhi serve`)."""
    if settings.TASKS_BACKEND == "inline":
        InlineScheduler().start()
