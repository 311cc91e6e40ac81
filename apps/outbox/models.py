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
    kind = models.CharField("类型", max_length=20, choices=EntryKind.choices)
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


def _staged_name(instance: "Upload", filename: str) -> str:
    from apps.core.media import random_name

    return random_name("outbox", filename)


class Upload(models.Model):
    """A photo sent from a phone in chunks (issue 18, item 4; ADR 0059). The phone names the
    upload (a UUID) and the record it belongs to (the entry's client UUID); every chunk is
    kept by its index with its SHA-256, so an upload cut off by the network resumes with the
    missing chunks only. When the last chunk arrives the file is assembled, checked (type,
    bytes, pixels) and kept under a random name in `outbox/` — a folder apps.core.media never
    serves — until the record arrives and takes it as its photo."""

    uuid = models.UUIDField("上传编号", unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="账号"
    )
    record_uuid = models.UUIDField("所属记录编号", db_index=True)
    filename = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("字节数")
    chunk_size = models.PositiveIntegerField("分片大小")
    chunks = models.PositiveIntegerField("分片数")
    received = models.PositiveIntegerField("已收分片", default=0)
    posts = models.PositiveIntegerField("收到的分片请求", default=0)
    file = models.FileField("文件", upload_to=_staged_name, max_length=200, blank=True)
    content_type = models.CharField("类型", max_length=40, blank=True)
    completed_at = models.DateTimeField("传完时间", null=True, blank=True)
    attached_at = models.DateTimeField("归入记录时间", null=True, blank=True)
    created_at = models.DateTimeField("开始时间", default=timezone.now)

    class Meta:
        verbose_name = "分片上传"
        verbose_name_plural = verbose_name
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.received}/{self.chunks}）"


class UploadChunk(models.Model):
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField("序号")
    sha256 = models.CharField("校验和", max_length=64)
    data = models.BinaryField("内容")

    class Meta:
        verbose_name = "上传分片"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["upload", "index"], name="outbox_chunk_once"),
        ]

    def __str__(self) -> str:
        return f"{self.upload_id}#{self.index}"
