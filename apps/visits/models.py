from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from apps.core.media import random_name
from apps.core.models import TimeStamped
from apps.duties.choices import DUTY_TARGET_KINDS
from apps.places.scope import ScopedQuerySet

from .choices import (
    ASSIGNEE_KINDS,
    DEFAULT_CHECKLIST,
    HOUSEHOLD_TARGETS,
    INSPECTION_TARGETS,
    RectificationStatus,
    TaskKind,
    TaskStatus,
    VisitKind,
)
from .recurrence import parse_rule


class VisitPlan(TimeStamped):
    """A recurring round: every occurrence of `rule` (an RRULE from `start_date`) each current
    holder of `duty_kinds` inside `scope` gets one task per household (household visits) or
    per place they answer for (patrols, inspections), to be done within `window_days`."""

    scope_path = "scope"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=VisitKind.choices)
    scope = models.ForeignKey(
        "places.Place", verbose_name="范围", on_delete=models.PROTECT, related_name="visit_plans"
    )
    rule = models.CharField("重复规则(RRULE)", max_length=200, default="FREQ=WEEKLY;BYDAY=FR")
    start_date = models.DateField("开始日期")
    duty_kinds = models.JSONField("走访责任人类型", default=list)
    checklist = models.JSONField("走访清单", default=list, blank=True)
    window_days = models.PositiveSmallIntegerField("完成时限(天)", default=2)
    target_percent = models.PositiveSmallIntegerField("走访率目标(%)", default=100)
    active = models.BooleanField("启用", default=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访计划"
        ordering = ["scope__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=VisitKind.values), name="visitplan_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.scope.path

    def clean(self) -> None:
        errors = {}
        try:
            parse_rule(self.rule, self.start_date)
        except (ValueError, TypeError):
            errors["rule"] = "重复规则无效，请使用 RRULE 写法，如 FREQ=WEEKLY;BYDAY=FR"
        if not self.duty_kinds or any(k not in ASSIGNEE_KINDS for k in self.duty_kinds):
            errors["duty_kinds"] = "请选择走访责任人类型（包联、网格员、楼栋长、单元长、结对帮扶）"
        if not isinstance(self.checklist, list) or not all(
            isinstance(i, str) and i.strip() for i in self.checklist
        ):
            errors["checklist"] = "走访清单应为文字条目的列表"
        if errors:
            raise ValidationError(errors)

    def target_kinds(self) -> tuple[str, ...]:
        """Households for household visits, else the places the duties are held on (plus the
        compounds and buildings, for hazard and safety inspections)."""
        if self.kind == VisitKind.HOUSEHOLD:
            return HOUSEHOLD_TARGETS
        kinds = {k for d in self.duty_kinds for k in DUTY_TARGET_KINDS.get(d, ())}
        return tuple(sorted(kinds | set(INSPECTION_TARGETS.get(self.kind, ()))))

    def checklist_items(self) -> list[str]:
        return list(self.checklist or DEFAULT_CHECKLIST)


class VisitCycle(models.Model):
    """One occurrence of a plan, kept for comparison with later ones: its window and how many
    tasks it generated."""

    scope_path = "plan__scope"

    plan = models.ForeignKey(
        VisitPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="cycles"
    )
    occurrence = models.DateField("走访日")
    window_end = models.DateField("截止日")
    generated_at = models.DateTimeField("生成时间", auto_now_add=True)
    task_count = models.PositiveIntegerField("任务数", default=0)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访周期"
        ordering = ["-occurrence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "occurrence"], name="visitcycle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.occurrence:%Y-%m-%d}"

    @property
    def audit_scope_path(self) -> str:
        return self.plan.scope.path


class VisitTask(models.Model):
    """One household (or place) to visit by one duty holder in one cycle, or a re-inspection
    (复查) of a hazard found on a patrol (no cycle; linked to its `rectification`). `status`
    moves only through `actions`; every move leaves a `VisitTaskEvent`."""

    scope_path = "place"

    plan = models.ForeignKey(VisitPlan, verbose_name="计划", on_delete=models.CASCADE)
    cycle = models.ForeignKey(
        VisitCycle,
        verbose_name="周期",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    kind = models.CharField("任务类型", max_length=20, choices=TaskKind.choices, default="round")
    rectification = models.ForeignKey(
        "visits.Rectification",
        verbose_name="复查的隐患",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reinspections",
    )
    occurrence = models.DateField("走访日")
    window_end = models.DateField("截止日")
    place = models.ForeignKey(
        "places.Place", verbose_name="户/地点", on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        "people.Person", verbose_name="走访人", on_delete=models.PROTECT, related_name="+"
    )
    duty = models.ForeignKey(
        "duties.Duty", verbose_name="责任", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.PLANNED
    )
    priority = models.PositiveIntegerField("优先级", default=0)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    done_at = models.DateTimeField("走访时间", null=True, blank=True)
    reason = models.CharField("未能入户原因", max_length=200, blank=True)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name="登记的诉求", blank=True, related_name="+"
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访任务"
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "occurrence", "place", "assignee"],
                condition=models.Q(cycle__isnull=False),
                name="visittask_unique",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="round") & models.Q(cycle__isnull=False))
                | (models.Q(kind="reinspect") & models.Q(rectification__isnull=False)),
                name="visittask_kind_links",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=TaskStatus.values), name="visittask_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "occurrence"]),
            models.Index(fields=["cycle", "place"]),
            models.Index(fields=["status", "window_end"]),
        ]

    def __str__(self) -> str:
        return f"{self.place} · {self.assignee} · {self.occurrence:%m-%d}"

    @property
    def audit_scope_path(self) -> str:
        return self.place.path


class VisitTaskEvent(models.Model):
    """A state change of a task (append-only): the timeline that timeliness is computed from."""

    scope_path = "task__place"

    task = models.ForeignKey(
        VisitTask, verbose_name="任务", on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访任务记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.from_status}→{self.to_status}"

    @property
    def audit_scope_path(self) -> str:
        return self.task.place.path


class VisitRecord(TimeStamped):
    """What happened at the door: a visit (checklist answers, notes, position) or an attempt
    that could not reach anyone (`reached` false, with a reason; never counts as done)."""

    scope_path = "task__place"

    task = models.ForeignKey(
        VisitTask, verbose_name="任务", on_delete=models.CASCADE, related_name="records"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="走访人", on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField("走访时间")
    reached = models.BooleanField("已入户", default=True)
    reason = models.CharField("未能入户原因", max_length=200, blank=True)
    notes = models.TextField("走访情况", blank=True)
    answers = models.JSONField("清单完成情况", default=dict, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reached=True) | ~models.Q(reason=""),
                name="visitrecord_unreached_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.visited_at:%Y-%m-%d %H:%M}"

    @property
    def audit_scope_path(self) -> str:
        return self.task.place.path


def photo_path(instance: "VisitPhoto", filename: str) -> str:
    """A random, unguessable name (apps.core.media); older `visits/<task>/…` names still work."""
    return random_name("visits", filename)


class VisitPhoto(TimeStamped):
    """A photo taken on a visit or inspection, checked and thumbnailed with the helpers of
    `apps.cases.images` (type, size, pixels; a JPEG thumbnail)."""

    scope_path = "record__task__place"

    record = models.ForeignKey(
        VisitRecord, verbose_name="走访记录", on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField("图片", upload_to=photo_path, max_length=200)
    thumbnail = models.FileField("缩略图", upload_to=photo_path, max_length=200, blank=True)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小(字节)")
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.name or ""

    @property
    def audit_scope_path(self) -> str:
        return self.record.task.place.path


class Rectification(TimeStamped):
    """隐患整改: a hazard found on a patrol or inspection, its case (kind hazard) in the case
    engine, the rectification deadline and the re-inspections (复查 tasks) that check it."""

    scope_path = "place"

    case = models.OneToOneField(
        "cases.Case", verbose_name="隐患事项", on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        "places.Place", verbose_name="地点", on_delete=models.PROTECT, related_name="+"
    )
    found_on = models.ForeignKey(
        VisitTask,
        verbose_name="发现于",
        on_delete=models.PROTECT,
        related_name="rectifications_found",
    )
    deadline = models.DateField("整改期限")
    status = models.CharField(
        "整改状态",
        max_length=20,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    rectified_at = models.DateTimeField("确认整改时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "隐患整改"
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RectificationStatus.values),
                name="rectification_status_valid",
            )
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.place} 隐患整改（{self.deadline:%Y-%m-%d}）"

    @property
    def audit_scope_path(self) -> str:
        return self.place.path
