"""Issue 14 item 8: one client address for throttles, lockout and audit; X-Forwarded-For
counts only from a trusted proxy."""

import pytest
from django.test import Client, RequestFactory

from apps.core.models import AuditEvent
from apps.core.net import client_ip

rf = RequestFactory()


def ip(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(rf.get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.GONGZHI_TRUSTED_PROXIES = []
    assert ip("203.0.113.5", "1.2.3.4") == "203.0.113.5"


def test_a_trusted_proxy_gives_the_client_address(settings):
    settings.GONGZHI_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    assert ip("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    # a chain of trusted proxies is skipped from the right
    assert ip("127.0.0.1", "198.51.100.7, 10.1.2.3") == "198.51.100.7"
    # what the client itself wrote to the left of the real address is not believed
    assert ip("127.0.0.1", "6.6.6.6, 198.51.100.7") == "198.51.100.7"


def test_an_untrusted_peer_cannot_choose_its_address(settings):
    settings.GONGZHI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ip("203.0.113.5", "1.2.3.4") == "203.0.113.5"


def test_a_garbled_header_stops_at_the_last_good_hop(settings):
    settings.GONGZHI_TRUSTED_PROXIES = ["127.0.0.1"]
    assert ip("127.0.0.1", "not-an-ip") == "127.0.0.1"
    assert ip("::1", "198.51.100.7") == "::1"  # IPv6 peer, not trusted


@pytest.mark.django_db
def test_login_lockout_and_audit_see_the_client_behind_the_proxy(world, settings):
    """Behind nginx two residents no longer share one bucket, and the audit names them."""
    settings.GONGZHI_TRUSTED_PROXIES = ["127.0.0.1"]
    client = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"username": "staff_a", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    assert set(AuditEvent.objects.filter(verb="login_failed").values_list("ip", flat=True)) == {
        "198.51.100.7"
    }
    other = client.post(
        "/accounts/login/",
        {"username": "staff_a", "password": "Gongzhi-test-2026"},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 302  # another resident behind the same proxy is not held


@pytest.mark.django_db
def test_the_portal_throttle_counts_per_client_behind_the_proxy(world, settings):
    from apps.core import throttle

    settings.GONGZHI_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.PORTAL_SUBMITS_PER_HOUR = 2
    first = client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"))
    second = client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8"))
    assert [throttle.allow(first) for _ in range(3)] == [True, True, False]
    assert throttle.allow(second) is True
