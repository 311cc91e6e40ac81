import uuid
from typing import Any

from django.conf import settings
from django.db import models

from apps.core import crypto
from apps.places.scope import ScopedQuerySet

from .choices import (
    CLAIMABLE,
    GROUP_KINDS,
    ChannelKind,
    DeliveryStatus,
    MessageFormat,
    kind_label,
)


class Notification(models.Model):
    """One message in one user's in-app inbox. Every notification lands here first; external
    deliveries (e-mail, robots, SMS) hang off it as `Delivery` rows. Notifications made by one
    send share a `batch`, so a group robot posts once for all of them."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    batch = models.UUIDField("批次", default=uuid.uuid4, editable=False)
    kind = models.CharField("类别", max_length=40, default="general")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=500, blank=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.Model):
    """A configured way out: an SMTP sender, a webhook, a WeCom or DingTalk group robot, an SMS
    gateway. A channel with a place serves the users whose scope lies inside that place (the
    WeCom robot of one community); a channel without a place serves everyone (superusers only).

    The endpoint (robot URLs carry their access key) and the secret are stored encrypted and
    never shown again in full.
    """

    scope_path = "place"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=ChannelKind.choices)
    place = models.ForeignKey(
        "places.Place",
        verbose_name="适用区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notification_channels",
    )
    enabled = models.BooleanField("启用", default=True)
    kinds = models.JSONField("通知类别", default=list, blank=True, help_text="为空表示转发所有类别")
    message_format = models.CharField(
        "消息格式", max_length=10, choices=MessageFormat.choices, default=MessageFormat.TEXT
    )
    endpoint_enc = models.TextField("地址(密文)", blank=True, editable=False)
    endpoint_hint = models.CharField("地址", max_length=120, blank=True, editable=False)
    secret_enc = models.TextField("密钥(密文)", blank=True, editable=False)
    options = models.JSONField("其他设置", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "通知渠道"
        ordering = ["kind", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ChannelKind.values), name="channel_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def audit_scope_path(self) -> str:
        return self.place.path if self.place_id else ""

    @property
    def is_group(self) -> bool:
        return self.kind in GROUP_KINDS

    @property
    def endpoint(self) -> str:
        return crypto.decrypt(self.endpoint_enc)

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_enc)

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_enc)

    def set_endpoint(self, value: str) -> None:
        self.endpoint_enc = crypto.encrypt(value)
        self.endpoint_hint = endpoint_hint(value)

    def set_secret(self, value: str) -> None:
        self.secret_enc = crypto.encrypt(value)

    def accepts(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


def endpoint_hint(url: str) -> str:
    """Scheme, host and path without the query (where robots keep their key)."""
    if not url:
        return ""
    head = url.split("?", 1)[0]
    return (head + ("?…" if "?" in url else ""))[:120]


class Preference(models.Model):
    """Which external channels one user wants for one kind of notification; the row with an
    empty kind is the user's default for kinds without a row of their own."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField("通知类别", max_length=40, blank=True)
    channels = models.JSONField("渠道", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知偏好"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_user_kind_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {kind_label(self.kind) if self.kind else '默认'}"


class QuietHours(models.Model):
    """A user's do-not-disturb window (local time; may wrap past midnight). Personal channels
    (e-mail, SMS) wait until it ends; urgent kinds and the in-app inbox ignore it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="quiet_hours",
    )
    start = models.TimeField("开始")
    end = models.TimeField("结束")

    class Meta:
        verbose_name = verbose_name_plural = "免打扰时段"

    def __str__(self) -> str:
        return f"{self.user} {self.start:%H:%M}–{self.end:%H:%M}"


class DeliveryQuerySet(models.QuerySet):
    def claimable(self) -> "DeliveryQuerySet":
        return self.filter(status__in=CLAIMABLE)


class Delivery(models.Model):
    """One notification sent through one channel: the delivery log and the retry queue.

    A personal channel has one delivery per recipient (`recipient` set); a group channel has
    one per send, attached to the first notification of the batch, with `audience` naming
    everyone it covers. Workers claim a delivery with a compare-and-set on `status`, so two
    workers never send one delivery twice.
    """

    notification = models.ForeignKey(
        Notification,
        verbose_name="通知",
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.ForeignKey(
        Channel, verbose_name="渠道", on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    audience = models.JSONField("覆盖人员", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    response_code = models.PositiveSmallIntegerField("响应码", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    claimed_at = models.DateTimeField("开始发送", null=True, blank=True)
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "发送记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "failed", "sending"]),
                name="delivery_due_idx",
            ),
            models.Index(fields=["channel", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification} → {self.channel}"

    @property
    def gave_up(self) -> bool:
        return self.status == DeliveryStatus.FAILED and self.next_attempt_at is None

    def status_label(self) -> Any:
        return "已放弃" if self.gave_up else self.get_status_display()
