"""The outbox's receipts: each client UUID is accepted once (issue 18, item 3; ADR 0022)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import EntryKind


class Receipt(models.Model):
    """The first answer given to one queued record. A replay of the same UUID (the phone did
    not hear the answer, Background Sync and the page both sent it, a new app version replays
    the old queue) gets this answer again instead of a second record."""

    uuid = models.UUIDField("客户端编号", unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="账号"
    )
    kind = models.CharField("类型", max_length=10, choices=EntryKind.choices)
    status = models.PositiveSmallIntegerField("应答状态")
    answer = models.JSONField("应答", default=dict)
    captured_at = models.DateTimeField("本机记录时间")
    received_at = models.DateTimeField("服务器收到时间", default=timezone.now)

    class Meta:
        verbose_name = "离线上传回执"
        verbose_name_plural = verbose_name
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid}"
