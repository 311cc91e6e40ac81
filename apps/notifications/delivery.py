"""Sending one delivery, with retries. A worker claims a delivery with a compare-and-set on
its status (pending/failed and due → sending), so two workers, or a worker and the retry job,
never send one delivery twice; it then sends outside any transaction and records the answer.

A failure (network error, non-2xx answer, robot errcode ≠ 0) is logged on the row and the
delivery is due again after RETRY_BACKOFF[attempt - 1] seconds, until MAX_ATTEMPTS; the
periodic job `notifications.retry_due` finds due rows, and rows left "sending" by a worker that
died. The queue backends need not retry anything: the database is the retry queue.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from apps.core import crypto

from .choices import (
    CLAIMABLE,
    MAX_ATTEMPTS,
    RETRY_BACKOFF,
    STUCK_AFTER_SECONDS,
    ChannelKind,
    DeliveryStatus,
)
from .httpclient import SendError, SendResult
from .models import Delivery
from .transports import Message, absolute_url, send

log = logging.getLogger("gongzhi.notifications")

# A fresh delivery is sent by the task queued with it; the retry job leaves it alone this long
# so that the two do not race for it (the claim would make the race harmless anyway).
FRESH_GRACE_SECONDS = 30


def claim(delivery_id: int, now: datetime) -> bool:
    claimed = Delivery.objects.filter(
        pk=delivery_id, status__in=CLAIMABLE, next_attempt_at__lte=now
    ).update(
        status=DeliveryStatus.SENDING,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return claimed == 1


def message_for(delivery: Delivery) -> Message:
    notification = delivery.notification
    recipient: Any = delivery.recipient
    message = Message(
        title=notification.title,
        body=notification.body,
        url=absolute_url(notification.url),
        kind=notification.kind,
        object_type=notification.object_type,
        object_id=notification.object_id,
        notification_id=notification.pk,
        delivery_id=delivery.pk,
        created_at=notification.created_at.isoformat(),
        audience=list(delivery.audience) if delivery.channel.is_group else [],
    )
    if recipient is not None:
        message.email = recipient.email
        if delivery.channel.kind == ChannelKind.SMS and recipient.person_id:
            message.phone = crypto.decrypt(recipient.person.phone_enc)
    return message


def deliver(delivery_id: int) -> str:
    """Send one delivery if this caller wins the claim. Returns the resulting status, or
    "skipped" when someone else has it, it is not due, or it is done."""
    now = timezone.now()
    if not claim(delivery_id, now):
        return "skipped"
    delivery = Delivery.objects.select_related("notification", "channel", "recipient__person").get(
        pk=delivery_id
    )
    try:
        if not delivery.channel.enabled:
            raise SendError("渠道已停用", final=True)
        result = send(delivery.channel, message_for(delivery))
    except SendError as exc:
        return _failed(delivery, str(exc), exc.response_code, final=exc.final)
    except Exception as exc:  # a bug or a broken configuration must not leave it "sending"
        log.exception("delivery %s crashed", delivery_id)
        return _failed(delivery, f"内部错误：{exc.__class__.__name__}: {exc}", None)
    return _sent(delivery, result)


def _sent(delivery: Delivery, result: SendResult) -> str:
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT,
        sent_at=now,
        response_code=result.response_code,
        last_error="",
        next_attempt_at=None,
        updated_at=now,
    )
    return DeliveryStatus.SENT


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries; None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=RETRY_BACKOFF[min(attempts, len(RETRY_BACKOFF)) - 1])


def _failed(delivery: Delivery, error: str, response_code: int | None, final: bool = False) -> str:
    now = timezone.now()
    retry_at = None if final else next_attempt(delivery.attempts, now)
    log.warning(
        "delivery %s via %s failed (attempt %s/%s): %s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        MAX_ATTEMPTS,
        error,
    )
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED,
        last_error=f"第{delivery.attempts}次：{error}"[:2000],
        response_code=response_code,
        next_attempt_at=retry_at,
        updated_at=now,
    )
    return DeliveryStatus.FAILED


def rescue_stuck(now: datetime) -> int:
    """Deliveries a dead worker left "sending": failed, and due now unless out of attempts."""
    stuck = Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - timedelta(seconds=STUCK_AFTER_SECONDS)
    )
    error = "发送中断（处理进程退出或超时）"
    retried = Delivery.objects.filter(stuck, attempts__lt=MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, last_error=error, next_attempt_at=now, updated_at=now
    )
    given_up = Delivery.objects.filter(stuck).update(
        status=DeliveryStatus.FAILED, last_error=error, next_attempt_at=None, updated_at=now
    )
    return retried + given_up


def due_ids(now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    rescue_stuck(now)
    due = Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now - timedelta(seconds=FRESH_GRACE_SECONDS),
    )
    qs = Delivery.objects.filter(due).order_by("next_attempt_at", "id")
    return list(qs.values_list("id", flat=True)[:limit])
