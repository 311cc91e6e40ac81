import pytest
from django.urls import reverse

from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Gongzhi-test-2026"


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_logs_in_and_audits(client, world):
    response = _login(client, "staff_a", PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="login")
    assert event.actor == world.user("community_a")


def test_it_refuses_a_wrong_password_in_chinese(client, world):
    response = _login(client, "staff_a", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(verb="login_failed", object_repr="staff_a").count() == 1


def test_it_locks_the_account_after_repeated_failures(client, world, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _login(client, "staff_a", "wrong")
    response = _login(client, "staff_a", PASSWORD)  # right password, but locked
    assert response.status_code == 200
    assert "账号已临时锁定" in response.content.decode()
    world.user("community_a").refresh_from_db()
    assert world.user("community_a").failed_logins == 3  # the held attempt is not counted


def test_it_sends_anonymous_visitors_to_login(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_sets_security_headers(client, world):
    response = client.get(reverse("accounts:login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
