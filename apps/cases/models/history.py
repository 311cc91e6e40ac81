from typing import Any

from django.conf import settings
from django.db import models

from apps.core.media import random_name
from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from ..choices import Action, RevisitResult, Status


class AppendOnly(Exception):
    pass


class CaseEvent(models.Model):
    """One step of a case's history (the timeline): who did what, when, from which status to
    which, with the note and any data of the step. Append-only: rows are never changed or
    deleted by the application."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="事项", on_delete=models.CASCADE, related_name="events"
    )
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
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    # no area of its own (tests/test_scope_structure.py NO_AREA): read where its case is
    scope_path = "case__place"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "办理记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("办理记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("办理记录只能追加，不能删除")


def attachment_path(instance: "CaseAttachment", filename: str) -> str:
    """A random, unguessable name (apps.core.media); older `cases/<id>/…` names still work."""
    return random_name("cases", filename)


class CaseAttachment(TimeStamped):
    """A photo attached to a case (by the reporter, or by a handler with a step). The image is
    checked with Pillow (type and size) and stored with a JPEG thumbnail."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="事项", on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        CaseEvent,
        verbose_name="所属记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField("图片", upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField("缩略图", upload_to=attachment_path, max_length=200, blank=True)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小(字节)")
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.name or ""


class CaseRevisit(TimeStamped):
    """A revisit (回访) task: a resolved case the resident did not rate within N days. Staff of
    the handling unit call or visit and record the result, which counts as the rating."""

    scope_path = "unit"

    case = models.OneToOneField(
        "cases.Case", verbose_name="事项", on_delete=models.CASCADE, related_name="revisit"
    )
    unit = models.ForeignKey(
        "places.Place", verbose_name="回访单位", on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("回访结果", max_length=12, choices=RevisitResult.choices, blank=True)
    note = models.CharField("回访记录", max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField("回访时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "回访任务"
        ordering = ["done_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result="") | models.Q(result__in=RevisitResult.values),
                name="revisit_result_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"回访 {self.case_id}"

    @property
    def audit_scope_path(self) -> str:
        return self.unit.path
