"""Writes on notifications: sending (creating inbox rows and deliveries), reading, channel
configuration, preferences and test messages.

Configuration writes (channels, preferences, test messages) are audited like every other
administrative write. Sending itself is not: the delivery log is its record, and putting every
message through the audit chain's single head row would serialise all notification traffic.
Marking one's own notification read is per-user state, not a domain write, and is not audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, can, require
from apps.accounts.scoping import place_in_scope
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.compiled import CompiledPerLength, CompiledQuery, int_markers

from . import routing
from .choices import GENERAL, ChannelKind, MessageFormat, SmsGatewayKind
from .models import Channel, Delivery, Notification, Preference, QuietHours

PLACE_OUT_OF_SCOPE = "所选区域不在您的管辖范围内"
PLACE_REQUIRED = "请选择渠道适用的区域（只有不受范围限制的超级管理员可以配置全局渠道）"
NOT_YOUR_NOTIFICATION = "这不是您的通知"
UNKNOWN_CHANNEL_KIND = "未知的渠道类型：%s"
ENDPOINT_REQUIRED = "请填写地址"
ENDPOINT_SCHEME = "地址必须以 http:// 或 https:// 开头"
TEST_TITLE = "测试消息"
TEST_BODY = "这是一条来自「共治」的测试消息。收到它说明渠道「{name}」配置正确。"


def can_configure_channels(user: Any) -> bool:
    return can(user, Cap.NOTIFICATIONS_CONFIGURE)


# --- sending --------------------------------------------------------------------------------


@dataclass
class SendOutcome:
    notifications: list[Notification]
    deliveries_now: list[int]
    deliveries_later: list[int]


# The reads every send makes, compiled once per process (apps.core.compiled): the enabled
# channels, and the recipients for lists of up to COMPILED_RECIPIENTS ids (one query per
# length; most notices name one to three people). Without a channel for the kind only the
# recipients' ids are read: the inbox needs nothing else.
COMPILED_RECIPIENTS = 8
_CHANNELS: CompiledQuery[Channel] = CompiledQuery(
    lambda: Channel.objects.filter(enabled=True).select_related("place").order_by("pk"),
    marker=(),
)


def _recipients(*ids: int) -> Any:
    return (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .select_related("scope", "quiet_hours", "person")
        .order_by("pk")
    )


_RECIPIENTS: CompiledPerLength[Any] = CompiledPerLength(
    _recipients, int_markers, most=COMPILED_RECIPIENTS
)
_RECIPIENT_IDS: CompiledPerLength[Any] = CompiledPerLength(
    lambda *ids: _recipients(*ids).select_related(None).values_list("pk"),
    int_markers,
    most=COMPILED_RECIPIENTS,
)


def _active(ids: list[int], whole: bool) -> list[Any]:
    """The active accounts among `ids`, in id order: instances with what routing reads
    (`whole`), else their ids."""
    if whole:
        return _RECIPIENTS.all(*ids)
    return [row[0] for row in _RECIPIENT_IDS.rows(*ids)]


@transaction.atomic
def do_send_notifications(
    user_ids: Iterable[int],
    title: str,
    body: str = "",
    url: str = "",
    object_type: str = "",
    object_id: str | int = "",
    kind: str = GENERAL,
) -> SendOutcome:
    """Put one notification in each active user's inbox and create the external deliveries
    their preferences and places call for. The caller enqueues `deliveries_now` after commit;
    `deliveries_later` (quiet hours) are picked up by the retry job when due."""
    now = timezone.now()
    kind = kind or GENERAL
    channels = [c for c in _CHANNELS.all() if c.accepts(kind)]
    ids = sorted({int(i) for i in user_ids})
    users = _active(ids, whole=bool(channels)) if ids else []
    if not users:
        return SendOutcome([], [], [])
    batch = uuid.uuid4()
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=user if isinstance(user, int) else user.pk,
            batch=batch,
            kind=kind,
            title=title[:200],
            body=body,
            url=url[:500],
            object_type=object_type[:60],
            object_id=str(object_id)[:64],
        )
        for user in users
    )
    if not channels:  # the inbox only
        return SendOutcome(notifications, [], [])
    by_user = {n.recipient_id: n for n in notifications}
    plan = routing.route(users, kind, channels)
    rows: list[Delivery] = []
    for user, channel in plan.personal:
        quiet = getattr(user, "quiet_hours", None)
        rows.append(
            Delivery(
                notification=by_user[user.pk],
                channel=channel,
                recipient=user,
                audience=[str(user)],
                next_attempt_at=routing.in_quiet_hours(quiet, kind, now) or now,
            )
        )
    for channel, covered in plan.group.values():
        rows.append(
            Delivery(
                notification=by_user[covered[0].pk],
                channel=channel,
                audience=[str(u) for u in covered],
                next_attempt_at=now,
            )
        )
    created = Delivery.objects.bulk_create(rows) if rows else []
    return SendOutcome(
        notifications,
        [d.pk for d in created if d.next_attempt_at and d.next_attempt_at <= now],
        [d.pk for d in created if d.next_attempt_at and d.next_attempt_at > now],
    )


# --- reading --------------------------------------------------------------------------------


def do_mark_read(notification: Notification, *, actor: User) -> bool:
    """Mark one of the actor's notifications read; False when it already was."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(NOT_YOUR_NOTIFICATION)
    now = timezone.now()
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    )
    if changed:
        notification.read_at = now
    return bool(changed)


def do_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- channels -------------------------------------------------------------------------------

CHANNEL_FIELDS = ("name", "kind", "place", "enabled", "kinds", "message_format", "options")


def _check_channel(actor: User, data: Mapping[str, Any], endpoint: str) -> None:
    errors: dict[str, str] = {}
    if data["kind"] not in ChannelKind.values:
        errors["kind"] = UNKNOWN_CHANNEL_KIND % data["kind"]
    place = data.get("place")
    if place is None and not (actor.is_superuser and actor.scope_id is None):
        errors["place"] = PLACE_REQUIRED
    elif place is not None and not place_in_scope(actor, place):
        errors["place"] = PLACE_OUT_OF_SCOPE
    needs_endpoint = data["kind"] in {ChannelKind.WEBHOOK, ChannelKind.WECOM, ChannelKind.DINGTALK}
    if data["kind"] == ChannelKind.SMS:
        needs_endpoint = (data.get("options") or {}).get("gateway") == SmsGatewayKind.HTTP
    if needs_endpoint and not endpoint:
        errors["endpoint"] = ENDPOINT_REQUIRED
    elif endpoint and not endpoint.startswith(("http://", "https://")):
        errors["endpoint"] = ENDPOINT_SCHEME
    if data.get("message_format", MessageFormat.TEXT) not in MessageFormat.values:
        errors["message_format"] = "未知的消息格式"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_save_channel(
    channel: Channel | None,
    *,
    actor: User,
    endpoint: str | None = None,
    secret: str | None = None,
    **data: Any,
) -> Channel:
    """Create (channel None) or change a channel. `endpoint` / `secret` None keep the stored
    value; secret "" clears it. The audit event names changed fields, never their secrets."""
    require(actor, Cap.NOTIFICATIONS_CONFIGURE)
    creating = channel is None
    if channel is None:
        channel = Channel()
    else:
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        if channel.place is not None and not place_in_scope(actor, channel.place):
            raise PermissionDenied(PLACE_OUT_OF_SCOPE)
    merged = {name: data.get(name, getattr(channel, name)) for name in CHANNEL_FIELDS}
    new_endpoint = channel.endpoint if endpoint is None else endpoint.strip()
    _check_channel(actor, merged, new_endpoint)
    changes = {} if creating else audit.changed_fields(channel, merged)
    for name, value in merged.items():
        setattr(channel, name, value)
    if endpoint is not None and endpoint.strip() != channel.endpoint:
        channel.set_endpoint(endpoint.strip())
        changes["endpoint"] = ["…", channel.endpoint_hint]
    if secret is not None and secret != (channel.secret if channel.has_secret else ""):
        channel.set_secret(secret)
        changes["secret"] = ["…", "已设置" if secret else "已清除"]
    channel.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE if creating else AuditVerb.UPDATE,
        obj=channel,
        changes={"kind": channel.kind, "place": str(channel.place or "全局")}
        if creating
        else changes,
    )
    return channel


@transaction.atomic
def do_send_test_message(channel: Channel, *, actor: User) -> Delivery:
    """A test message to the actor through `channel`; the caller delivers it right away so the
    administrator sees the answer of the far end."""
    require(actor, Cap.NOTIFICATIONS_CONFIGURE)
    if channel.place is not None and not place_in_scope(actor, channel.place):
        raise PermissionDenied(PLACE_OUT_OF_SCOPE)
    notification = Notification.objects.create(
        recipient=actor,
        kind=GENERAL,
        title=TEST_TITLE,
        body=TEST_BODY.format(name=channel.name),
        object_type="notifications.channel",
        object_id=str(channel.pk),
    )
    delivery = Delivery.objects.create(
        notification=notification,
        channel=channel,
        recipient=actor if not channel.is_group else None,
        audience=[str(actor)],
        next_attempt_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=delivery,
        object_repr=f"测试消息 → {channel}",
        scope_path=channel.audit_scope_path,
    )
    return delivery


# --- preferences ----------------------------------------------------------------------------


@transaction.atomic
def do_save_preferences(
    user: Any,
    channels_by_kind: Mapping[str, Iterable[str] | None],
    quiet_start: time | None = None,
    quiet_end: time | None = None,
    *,
    actor: User,
) -> None:
    """Replace the user's channel choices for the kinds given ("" is the default row; None
    drops a kind's own row so it follows the default) and set or clear the quiet hours (both
    times or neither)."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied("只能修改自己的通知设置")
    errors: dict[str, str] = {}
    for kind, chosen in channels_by_kind.items():
        unknown = set(chosen or ()) - set(ChannelKind.values)
        if unknown:
            errors[kind or "default"] = "未知的渠道：" + "、".join(sorted(unknown))
    if (quiet_start is None) != (quiet_end is None):
        errors["quiet_end"] = "免打扰时段请同时填写开始和结束时间"
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {}
    for kind, chosen in channels_by_kind.items():
        if chosen is None:
            dropped = Preference.objects.filter(user=user, kind=kind).first()
            if dropped is not None:
                dropped.delete()
                changes[kind] = [dropped.channels, "默认"]
            continue
        wanted = sorted(set(chosen))
        row, created = Preference.objects.get_or_create(
            user=user, kind=kind, defaults={"channels": wanted}
        )
        if created or sorted(row.channels) != wanted:
            changes[kind or "default"] = [None if created else row.channels, wanted]
            row.channels = wanted
            row.save(update_fields=["channels"])
    old = QuietHours.objects.filter(user=user).first()
    if quiet_start is None or quiet_end is None:
        if old is not None:
            old.delete()
            changes["quiet_hours"] = [f"{old.start:%H:%M}-{old.end:%H:%M}", None]
    elif old is None or (old.start, old.end) != (quiet_start, quiet_end):
        QuietHours.objects.update_or_create(
            user=user, defaults={"start": quiet_start, "end": quiet_end}
        )
        changes["quiet_hours"] = [
            f"{old.start:%H:%M}-{old.end:%H:%M}" if old else None,
            f"{quiet_start:%H:%M}-{quiet_end:%H:%M}",
        ]
    if changes:
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            object_type="notifications.preference",
            object_id=user.pk,
            object_repr=f"{user} 的通知设置",
            scope_path=getattr(user, "audit_scope_path", ""),
            changes=changes,
        )
