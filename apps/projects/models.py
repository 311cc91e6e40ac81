"""Key projects (五项服务): the register, the stage templates, each project's stages with their
append-only history, blockers (cases of the engine) and on-site Q&A records."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps.accounts.choices import Role
from apps.core.models import TimeStamped
from apps.places.geometry import as_geometry
from apps.places.scope import ScopedQuerySet

from .choices import (
    LAND_SUPPLY_STAGE,
    DispatchReportStatus,
    NoteKind,
    ProjectLevel,
    ProjectStatus,
    ProjectType,
    StageEventKind,
    StageStatus,
)


def valid_polygon(value: Any) -> bool:
    """A GeoJSON Polygon or MultiPolygon (or a Feature of one) that shapely reads as a
    non-empty area."""
    from shapely.geometry import shape

    geometry = as_geometry(value)
    if geometry is None:
        return False
    try:
        area = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return False
    return not area.is_empty and area.area > 0


def _mu(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=0)


class Project(TimeStamped):
    """One key project of the register, placed on the place tree (the county, city or town
    where it lies): the city sees every county's projects by the scope rule."""

    code = models.CharField("项目编号", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=120)
    level = models.CharField("项目级别", max_length=10, choices=ProjectLevel.choices)
    type = models.CharField("项目类型", max_length=12, choices=ProjectType.choices)
    status = models.CharField(
        "状态", max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    investment_wan = models.DecimalField("总投资（万元）", max_digits=14, decimal_places=2)
    owner_unit = models.CharField("项目单位", max_length=120)
    bureau = models.CharField("牵头单位", max_length=120, default="自然资源局")
    departments = models.ManyToManyField(
        "orgs.Organisation", verbose_name="责任部门", blank=True, related_name="key_projects"
    )
    place = models.ForeignKey(
        "places.Place", verbose_name="所在区域", on_delete=models.PROTECT, related_name="projects"
    )
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    geometry = models.JSONField("用地范围(GeoJSON)", null=True, blank=True)
    land_agricultural_mu = _mu("农用地（亩）")
    land_farmland_mu = _mu("其中耕地（亩）")
    land_construction_mu = _mu("建设用地（亩）")
    land_unused_mu = _mu("未利用地（亩）")
    land_supplied_mu = _mu("已供地（亩）")
    start_date = models.DateField("计划开工日期")
    finish_date = models.DateField("计划竣工日期", null=True, blank=True)
    unit_accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="项目单位账号",
        blank=True,
        related_name="unit_projects",
    )

    scope_path = "place"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "重点项目"
        ordering = ["code"]
        indexes = [models.Index(fields=["place", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.place.path

    @property
    def land_total_mu(self) -> Any:
        return self.land_agricultural_mu + self.land_construction_mu + self.land_unused_mu

    def clean(self) -> None:
        if self.land_farmland_mu > self.land_agricultural_mu:
            raise ValidationError({"land_farmland_mu": "耕地面积不能大于农用地面积"})
        if self.finish_date and self.finish_date < self.start_date:
            raise ValidationError({"finish_date": "计划竣工日期不能早于开工日期"})
        if (self.lng is None) != (self.lat is None):
            raise ValidationError({"lng": "经度和纬度须同时填写"})
        if self.geometry is not None and not valid_polygon(self.geometry):
            raise ValidationError(
                {"geometry": "用地范围须为有效的 GeoJSON 面（Polygon 或 MultiPolygon）"}
            )


class StageTemplate(TimeStamped):
    """A configurable stage: SLA in working days, the one-time-notice materials, the role that
    owns it, whether it may run alongside the stage before it, and the lamp thresholds (days
    late: up to `yellow_days` yellow, up to `orange_days` orange, beyond red)."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("阶段名称", max_length=40)
    position = models.PositiveSmallIntegerField("顺序")
    sla_workdays = models.PositiveSmallIntegerField("办理时限（工作日）")
    materials = models.TextField("一次性告知材料", blank=True, help_text="每行一项")
    owner_role = models.CharField("负责角色", max_length=30, choices=Role.choices)
    parallel = models.BooleanField("可与上一阶段并行", default=False)
    yellow_days = models.PositiveSmallIntegerField("黄灯上限（逾期工作日）", default=7)
    orange_days = models.PositiveSmallIntegerField("橙灯上限（逾期工作日）", default=15)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "阶段模板"
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(orange_days__gte=models.F("yellow_days")),
                name="stage_template_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.orange_days < self.yellow_days:
            raise ValidationError({"orange_days": "橙灯上限不能小于黄灯上限"})

    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    @property
    def records_land(self) -> bool:
        """Completing this stage records the land supplied (供地面积)."""
        return self.code == LAND_SUPPLY_STAGE


class ProjectStage(TimeStamped):
    """One stage of one project: named owner (专人), team (专班), planned and actual dates.
    `due_workday` and `done_workday` are the working-day numbers (workdays.workday_number) of
    the planned end and the actual end, so the lamp is computed in SQL."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stages")
    template = models.ForeignKey(StageTemplate, on_delete=models.PROTECT, related_name="stages")
    position = models.PositiveSmallIntegerField("顺序")
    status = models.CharField(
        "状态", max_length=10, choices=StageStatus.choices, default=StageStatus.PENDING
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_stages",
    )
    owner_name = models.CharField("责任人（专人）", max_length=40, blank=True)
    team = models.CharField("工作专班", max_length=200, blank=True)
    planned_start = models.DateField("计划开始")
    planned_end = models.DateField("计划完成")
    actual_start = models.DateField("实际开始", null=True, blank=True)
    actual_end = models.DateField("实际完成", null=True, blank=True)
    due_workday = models.IntegerField("计划完成工作日序号")
    done_workday = models.IntegerField("实际完成工作日序号", null=True, blank=True)

    scope_path = "project__place"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "项目阶段"
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "template"], name="stage_once_per_project")
        ]
        # (project, status): a project's open stages (its lamp, a correlated subquery per
        # project on the board) in one index scan, whatever the planner's statistics say.
        indexes = [
            models.Index(fields=["status", "due_workday"]),
            models.Index(fields=["project", "status"], name="stage_project_status"),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} · {self.template.name}"

    @property
    def audit_scope_path(self) -> str:
        return self.project.place.path


class StageEvent(models.Model):
    """The append-only history of a stage: what changed, on which date, by whom (status
    changes carry their dates, not just ids)."""

    stage = models.ForeignKey(ProjectStage, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=10, choices=StageEventKind.choices)
    on_date = models.DateField("业务日期")
    at = models.DateTimeField("记录时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField("记录人", max_length=60, blank=True)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    data = models.JSONField(default=dict, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    scope_path = "stage__project__place"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "阶段记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.on_date} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("阶段记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("阶段记录只能追加，不能删除")

    @property
    def audit_scope_path(self) -> str:
        return self.stage.project.place.path


class Blocker(TimeStamped):
    """A 卡点 raised on a stage: a case of the engine, owned by a department."""

    stage = models.ForeignKey(ProjectStage, on_delete=models.CASCADE, related_name="blockers")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="blockers")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="project_blocker"
    )
    department = models.ForeignKey(
        "orgs.Organisation", verbose_name="责任部门", on_delete=models.PROTECT
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Past the case's time limit and still open: reported once to the 专班 of the level above
    # the project's county (the city's), by actions.escalate_overdue_blockers.
    escalated_at = models.DateTimeField("超期上报时间", null=True, blank=True)
    escalated_to = models.ForeignKey(
        "places.Place",
        verbose_name="上报至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path = "project__place"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "项目卡点"
        ordering = ["-created_at"]

    @property
    def audit_scope_path(self) -> str:
        return self.project.place.path

    def __str__(self) -> str:
        return self.case.title


class ProjectNote(TimeStamped):
    """On-site Q&A (现场答疑) and policy explanations (政策解读) given to a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField("类型", max_length=10, choices=NoteKind.choices)
    question = models.CharField("问题", max_length=300)
    answer = models.TextField("答复")
    on_date = models.DateField("日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = "project__place"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "答疑记录"
        ordering = ["-on_date", "-id"]

    @property
    def audit_scope_path(self) -> str:
        return self.project.place.path


class DispatchReport(TimeStamped):
    """A weekly 调度 report of an area (PDF and Excel), generated by a task: on demand, or by
    the weekly schedule (no requester)."""

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField("周起始日")
    status = models.CharField("状态", max_length=10, default=DispatchReportStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)
    pdf = models.FileField("PDF", upload_to="projects/weekly/%Y/", blank=True)
    xlsx = models.FileField("Excel", upload_to="projects/weekly/%Y/", blank=True)

    scope_path = "place"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "调度周报"
        ordering = ["-week_start", "-id"]

    def __str__(self) -> str:
        return f"{self.place.name}调度周报 {self.week_start}"

    @property
    def audit_scope_path(self) -> str:
        return self.place.path
