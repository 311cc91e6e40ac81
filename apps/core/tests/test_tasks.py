"""The task API, with the Redis mode run against the real Redis server."""

import threading
import uuid

import pytest
import redis as redis_lib
from django.conf import settings

from apps.core import tasks
from apps.core.tasks import RedisBackend, Worker, capture_tasks, enqueue, periodic, task

pytestmark = pytest.mark.django_db

CALLS: list[tuple] = []
FAILURES = {"left": 0}


@task("tests.record")
def record(value, *, label=""):
    CALLS.append((value, label))


@task("tests.flaky")
def flaky(value):
    if FAILURES["left"] > 0:
        FAILURES["left"] -= 1
        raise RuntimeError("transient")
    CALLS.append((value, "flaky"))


@periodic(seconds=3600, name="tests.hourly")
def hourly():
    CALLS.append(("tick", "hourly"))


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    FAILURES["left"] = 0


@pytest.fixture
def redis_backend():
    prefix = f"gongzhi:test:{uuid.uuid4().hex}"
    backend = RedisBackend(url=settings.REDIS_URL, prefix=prefix)
    yield backend
    client = redis_lib.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_it_runs_immediately_in_tests():
    enqueue("tests.record", 1, label="a")
    assert CALLS == [(1, "a")]


def test_it_refuses_arguments_a_worker_cannot_read():
    with pytest.raises(TypeError):
        enqueue("tests.record", object())


def test_it_captures_instead_of_running():
    with capture_tasks() as calls:
        enqueue(record, 2)
    assert calls == [("tests.record", (2,), {})]
    assert CALLS == []


def test_it_runs_a_task_through_a_redis_worker(redis_backend):
    redis_backend.submit("tests.record", (7,), {"label": "redis"})
    worker = Worker(redis_backend, name="w1", schedule=False)
    assert worker.run_once(timeout=1) is True
    assert CALLS == [(7, "redis")]
    assert redis_backend.redis.llen(redis_backend.keys.processing("w1")) == 0


def test_it_retries_a_failed_task_with_backoff(redis_backend):
    FAILURES["left"] = 1
    redis_backend.submit("tests.flaky", (3,), {})
    worker = Worker(redis_backend, name="w1", schedule=False)
    worker.run_once(timeout=1)
    assert CALLS == []
    assert redis_backend.redis.zcard(redis_backend.keys.delayed) == 1
    assert redis_backend.move_due_delayed(now=10**12) == 1
    worker.run_once(timeout=1)
    assert CALLS == [(3, "flaky")]


def test_it_rescues_the_work_of_a_dead_worker(redis_backend):
    r = redis_backend.redis
    dead = Worker(redis_backend, name="dead")
    dead.heartbeat()
    redis_backend.submit("tests.record", (9,), {})
    r.lmove(redis_backend.keys.queue, redis_backend.keys.processing("dead"), "RIGHT", "LEFT")
    r.delete(redis_backend.keys.alive("dead"))  # its heartbeat expired
    survivor = Worker(redis_backend, name="alive", schedule=False)
    assert survivor.rescue_dead_workers() == 1
    survivor.run_once(timeout=1)
    assert CALLS == [(9, "")]


def test_it_fires_each_periodic_tick_on_exactly_one_worker(redis_backend):
    workers = [Worker(redis_backend, name=f"w{i}") for i in range(4)]
    fired: list[list[str]] = []
    barrier = threading.Barrier(len(workers))

    def tick(w):
        barrier.wait()
        fired.append(w.run_periodic(now=1_000_000.0))

    threads = [threading.Thread(target=tick, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(f.count("tests.hourly") for f in fired) == [0, 0, 0, 1]
    # the next hour is a new tick
    assert "tests.hourly" in workers[0].run_periodic(now=1_000_000.0 + 3600)


def test_it_knows_the_registered_tasks():
    assert "tests.record" in tasks.registered()
    assert tasks.periodic_jobs()["tests.hourly"] == 3600


@task("tests.locked_then_done")
def locked_then_done(value):
    from django.db import OperationalError

    if FAILURES["left"] > 0:
        FAILURES["left"] -= 1
        raise OperationalError("database is locked")
    CALLS.append((value, "after the lock"))


def test_the_in_process_runner_waits_out_a_busy_database(monkeypatch, caplog):
    """SQLite's one writer: a job that meets the demo's long background load tries again
    later, and logs no failure; any other error is logged once, not retried."""
    monkeypatch.setattr(tasks, "LOCKED_RETRY_DELAYS", (0.0, 0.0, 0.0))
    monkeypatch.setattr(tasks.time, "sleep", lambda s: None)
    FAILURES["left"] = 2
    tasks._run_in_thread("tests.locked_then_done", [7], {})
    assert CALLS == [(7, "after the lock")]
    assert "failed" not in caplog.text and "database busy" in caplog.text

    FAILURES["left"] = 5  # more than the tries: a failure, logged
    tasks._run_in_thread("tests.locked_then_done", [8], {})
    assert CALLS == [(7, "after the lock")] and "task tests.locked_then_done failed" in caplog.text

    FAILURES["left"] = 1
    caplog.clear()
    tasks._run_in_thread("tests.flaky", [9], {})  # not a lock: no second try
    assert CALLS == [(7, "after the lock")] and "task tests.flaky failed" in caplog.text
