"""Errand assistance (陪办帮办): an errand case gets steps (医保缴费, 开具证明 …), each with
the office where it is done, who accompanied whom, and when it was done; step templates per
errand type. The case itself runs through the case engine: when every step is done its
handler resolves it there."""

from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import StepStatus


class ErrandTemplate(TimeStamped):
    """The usual steps of one kind of errand (医保缴费, 开具证明 …), offered when a case of the
    matching category is planned. `area` null: the whole installation."""

    scope_path = "area"

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name="对应事项类别",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="errand_templates",
    )
    area = models.ForeignKey(
        "places.Place",
        verbose_name="适用区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="errand_templates",
    )
    steps = models.JSONField("步骤", default=list, help_text='如 [{"name": "…", "office": "…"}]')
    active = models.BooleanField("启用", default=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "帮办模板"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.area.path if self.area_id else ""


class ErrandStep(TimeStamped):
    """One step of an errand case: what, where, done or not, and who accompanied whom (the
    helper — a party member, volunteer or 帮办员 — and the resident)."""

    scope_path = "case__place"

    case = models.ForeignKey(
        "cases.Case", verbose_name="帮办事项", on_delete=models.CASCADE, related_name="errand_steps"
    )
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("步骤", max_length=100)
    office = models.CharField("办理地点", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=StepStatus.choices, default=StepStatus.TODO
    )
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    helper = models.ForeignKey(
        "people.Person",
        verbose_name="陪办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="errand_steps_helped",
    )
    resident = models.ForeignKey(
        "people.Person",
        verbose_name="被帮办居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="errand_steps",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "帮办步骤"
        ordering = ["case_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="errandstep_position"),
            models.CheckConstraint(
                condition=models.Q(status__in=StepStatus.values), name="errandstep_status"
            ),
            models.CheckConstraint(
                condition=models.Q(status=StepStatus.TODO, done_at__isnull=True)
                | models.Q(status=StepStatus.DONE, done_at__isnull=False),
                name="errandstep_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    @property
    def audit_scope_path(self) -> str:
        return self.case.place.path
