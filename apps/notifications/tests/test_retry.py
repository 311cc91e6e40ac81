"""Failures are logged on the delivery and retried by the periodic job until they succeed or
run out of attempts; a compare-and-set claim keeps two workers from sending one delivery."""

import socket
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.tasks import run_task
from apps.notifications.choices import MAX_ATTEMPTS, ChannelKind, DeliveryStatus
from apps.notifications.delivery import claim, deliver
from apps.notifications.models import Delivery, Notification


def time_passes(seconds: int = 3600) -> None:
    """Move every scheduled attempt into the past, as if the clock had moved on."""
    for d in Delivery.objects.exclude(next_attempt_at=None):
        Delivery.objects.filter(pk=d.pk).update(
            next_attempt_at=d.next_attempt_at - timedelta(seconds=seconds)
        )


def retry_due() -> int:
    return run_task("notifications.retry_due")


@pytest.fixture
def wecom(world, make_channel, http_server):
    return make_channel(ChannelKind.WECOM, world.community_a, http_server.url("/robot"))


def send_one(world) -> Delivery:
    run_task("notifications.send", ([world.user("community_a").pk], "事项超时", "请处理"))
    return Delivery.objects.get()


class TestRetry:
    def test_it_retries_a_failing_endpoint_until_it_succeeds(self, world, wecom, http_server):
        http_server.answer((500, b"oops"), (200, {"errcode": 45009, "errmsg": "api freq out"}))
        before = timezone.now()
        delivery = send_one(world)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, 500)
        assert delivery.last_error == "第1次：HTTP 500：oops"
        assert before + timedelta(seconds=59) < delivery.next_attempt_at
        assert delivery.next_attempt_at < timezone.now() + timedelta(seconds=61)

        assert retry_due() == 0  # not due yet
        time_passes()
        assert retry_due() == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", 2)
        assert delivery.last_error == "第2次：机器人返回错误 errcode=45009：api freq out"
        assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=110)

        time_passes()
        retry_due()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
        assert delivery.sent_at is not None and delivery.next_attempt_at is None
        assert len(http_server.requests) == 3
        time_passes()
        assert retry_due() == 0

    def test_it_gives_up_after_the_last_attempt(self, world, wecom, http_server):
        http_server.default = (502, b"bad gateway")
        delivery = send_one(world)
        for _ in range(MAX_ATTEMPTS + 2):
            time_passes(10**6)
            retry_due()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
            "failed",
            MAX_ATTEMPTS,
            None,
        )
        assert delivery.gave_up and delivery.status_label() == "已放弃"
        assert len(http_server.requests) == MAX_ATTEMPTS

    def test_it_logs_a_network_error(self, world, make_channel):
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        make_channel(ChannelKind.WEBHOOK, world.community_a, f"http://127.0.0.1:{port}/")
        delivery = send_one(world)
        delivery.refresh_from_db()
        assert delivery.status == "failed" and delivery.response_code is None
        assert delivery.last_error.startswith("第1次：网络错误：")

    def test_it_gives_up_at_once_on_what_a_retry_cannot_fix(self, world, wecom, http_server):
        delivery = send_one(world)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=timezone.now()
        )
        wecom.enabled = False
        wecom.save(update_fields=["enabled"])
        assert deliver(delivery.pk) == DeliveryStatus.FAILED
        delivery.refresh_from_db()
        assert (delivery.last_error, delivery.next_attempt_at) == ("第2次：渠道已停用", None)

    def test_it_rescues_a_delivery_a_dead_worker_left_sending(self, world, wecom, http_server):
        http_server.answer((500, b"down"))
        delivery = send_one(world)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENDING, claimed_at=timezone.now() - timedelta(minutes=10)
        )
        assert retry_due() == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("sent", 2)

    def test_it_sends_deferred_deliveries_when_due(self, world, wecom, http_server):
        user = world.user("community_a")
        notification = Notification.objects.create(recipient=user, title="夜间消息")
        Delivery.objects.create(
            notification=notification,
            channel=wecom,
            next_attempt_at=timezone.now() + timedelta(hours=8),
        )
        assert retry_due() == 0
        time_passes(9 * 3600)
        assert retry_due() == 1
        assert Delivery.objects.get().status == "sent"


class TestClaim:
    def test_it_lets_only_one_caller_claim_a_delivery(self, world, wecom, http_server):
        http_server.answer((500, b""))
        delivery = send_one(world)
        time_passes()
        now = timezone.now()
        assert claim(delivery.pk, now) is True
        assert claim(delivery.pk, now) is False
        assert deliver(delivery.pk) == "skipped"

    def test_it_does_not_resend_a_sent_delivery(self, world, wecom, http_server):
        delivery = send_one(world)
        assert deliver(delivery.pk) == "skipped"
        assert len(http_server.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retry_runs_send_once(world, wecom, http_server):
    http_server.answer((500, b"first try fails"))
    delivery = send_one(world)
    time_passes()
    http_server.delay = 0.5  # the first sender is still waiting when the second one runs
    barrier = threading.Barrier(4)
    results: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(retry_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(http_server.requests) == 2  # the first failure and exactly one retry
