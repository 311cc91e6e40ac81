"""Issue 14 item 9: the health check looks at the database, Redis (in redis mode) and the task
backlog, and answers 503 naming what failed."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from apps.core.tasks import RedisBackend

pytestmark = pytest.mark.django_db
URLS = ["/api/v1/health", "/api/v1/cases/health"]


@pytest.mark.parametrize("url", URLS)
def test_it_is_ok_when_everything_answers(url):
    response = Client().get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.parametrize("url", URLS)
def test_it_answers_503_with_the_database_down(url):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection refused"),
    ):
        response = Client().get(url)
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database"]
    assert body["checks"]["database"]["detail"] == "数据库不可用：OperationalError"


def test_in_redis_mode_it_checks_redis_and_the_backlog(settings):
    settings.TASKS_BACKEND = "redis"
    settings.HEALTH_MAX_BACKLOG = 3
    backend = RedisBackend()
    backend.keys.prefix = "gongzhi-health-test"
    with mock.patch("apps.core.tasks.RedisBackend", return_value=backend):
        backend.redis.delete(backend.keys.queue)
        ok = Client().get("/api/v1/health").json()
        assert ok["checks"]["redis"]["ok"] and ok["checks"]["tasks"]["queued"] == 0
        backend.redis.lpush(backend.keys.queue, *["{}"] * 4)
        try:
            response = Client().get("/api/v1/health")
        finally:
            backend.redis.delete(backend.keys.queue)
    assert response.status_code == 503
    assert response.json()["failed"] == ["tasks"]
    assert response.json()["checks"]["tasks"]["detail"] == "任务积压：4 个排队（上限 3）"


def test_in_redis_mode_a_dead_redis_is_a_503(settings):
    settings.TASKS_BACKEND = "redis"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["failed"] == ["redis", "tasks"]
