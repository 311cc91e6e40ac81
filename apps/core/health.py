"""The health check behind /api/v1/health: is the database answering, is Redis answering (when
background work goes through it), and is the task queue keeping up. Each check says what it
found; any failure makes the answer a 503 naming what failed, so a load balancer or a monitor
stops sending work to a process that cannot do it."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection


@dataclass
class Health:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [name for name, result in self.checks.items() if not result["ok"]]

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "error",
            "failed": self.failed,
            "checks": self.checks,
        }


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the same: no database
        return {"ok": False, "detail": f"数据库不可用：{type(exc).__name__}"}
    return {"ok": True, "detail": connection.vendor}


def _redis_and_backlog() -> tuple[dict[str, Any], dict[str, Any]]:
    from .tasks import RedisBackend

    try:
        backend = RedisBackend()
        backend.redis.ping()
        queued = int(backend.redis.llen(backend.keys.queue))
        delayed = int(backend.redis.zcard(backend.keys.delayed))
    except Exception as exc:
        down = {"ok": False, "detail": f"Redis 不可用：{type(exc).__name__}"}
        return down, {"ok": False, "detail": "无法读取任务队列"}
    limit = settings.HEALTH_MAX_BACKLOG
    backlog = {
        "ok": queued <= limit,
        "queued": queued,
        "delayed": delayed,
        "detail": "" if queued <= limit else f"任务积压：{queued} 个排队（上限 {limit}）",
    }
    return {"ok": True, "detail": "PONG"}, backlog


def check() -> Health:
    health = Health()
    health.checks["database"] = _database()
    if settings.TASKS_BACKEND == "redis":
        health.checks["redis"], health.checks["tasks"] = _redis_and_backlog()
    return health
