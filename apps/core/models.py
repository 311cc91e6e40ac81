from django.conf import settings
from django.db import models

from .choices import AuditVerb


class TimeStamped(models.Model):
    """Creation and last-change times on every domain row."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One append-only entry of the audit trail: who did what to which object, and when.

    Entries form a hash chain (each `hash` covers the entry and the previous hash), and
    `AuditHead` holds the newest hash, so `gongzhi audit verify` detects an edited, deleted or
    truncated entry. Writers insert entries unsealed (`seq`, `hash` empty) in their own
    transaction; the sealer (`apps.core.audit.seal`) chains them in the order they committed
    (ADR 0007).
    """

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    verb = models.CharField("动作", max_length=20, choices=AuditVerb.choices)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    scope_path = models.CharField("所属区域路径", max_length=255, blank=True, db_index=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    seq = models.BigIntegerField("链上序号", null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_label} {self.get_verb_display()} {self.object_repr}"


class AuditHead(models.Model):
    """The single row holding the end of the audit chain (id=1): the sealed entry with the
    highest `seq` (`last_id`, `last_hash`) and how many entries are sealed. Only the sealer
    locks it."""

    last_id = models.BigIntegerField(default=0)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    # The archived beginning of the chain (`gongzhi audit archive`): events up to
    # `archived_seq` were written to archive files and removed; the chain in the database starts
    # from `archived_hash`, and `count` includes the `archived_count` archived events.
    archived_seq = models.BigIntegerField(default=0)
    archived_hash = models.CharField(max_length=64, default="0" * 64)
    archived_count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"审计链头（{self.count} 条）"
