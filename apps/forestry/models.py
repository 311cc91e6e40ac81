"""林长制: zone profiles, the patrol rule table, patrol tasks, patrols with their point batches,
events found (each one a case), signboards and the planting ledger."""

from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import (
    FOREST_LEVELS,
    EventKind,
    PatrolSource,
    PatrolStatus,
    Period,
    PlantingKind,
    TaskStatus,
)

LEVEL_CHOICES = [(k.value, k.label) for k in FOREST_LEVELS]


class StateForestFarm(TimeStamped):
    """A 国有林场 (state forest farm): a unit of the county that manages forest zones beside
    the townships, with a 林长制 office of its own (an organisation under the county's office).
    Not a place of the tree: its zones are places of kind 林区 under the county (or under the
    township they lie in), linked to the farm by their profile (see ADR 0073)."""

    scope_path = "place"

    name = models.CharField("名称", max_length=100)
    place = models.ForeignKey(
        "places.Place",
        verbose_name="所在县区",
        on_delete=models.PROTECT,
        related_name="+",
    )
    office_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="林长制办公室（组织）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "国有林场"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="stateforestfarm_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.place.path


class ZoneProfile(TimeStamped):
    """What a forest zone (a place of kind 林区; its polygon stays on the place) adds: area in
    亩, the 林长制 office answering for it, the complaint phone and the duties on its board."""

    scope_path = "zone"

    zone = models.OneToOneField(
        "places.Place", verbose_name="林区", on_delete=models.CASCADE, related_name="forest"
    )
    area_mu = models.DecimalField("面积(亩)", max_digits=10, decimal_places=1, default=0)
    office = models.CharField("林长制办公室", max_length=100, blank=True)
    office_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="林长制办公室（组织）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="乡镇（或国有林场）的林长制办公室，在组织中登记；其上级组织为县林长制办公室",
    )
    farm = models.ForeignKey(
        StateForestFarm,
        verbose_name="国有林场",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="zones",
        help_text="由国有林场经营管理的林区填写；空则由所在乡镇管理",
    )
    complaint_phone = models.CharField("监督电话", max_length=30, blank=True)
    duties_text = models.CharField(
        "林长职责",
        max_length=300,
        default="负责林区森林资源保护发展，组织巡林护林，预防森林火灾和有害生物，制止乱砍滥伐、乱占林地",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "林区档案"

    def __str__(self) -> str:
        return f"{self.zone} {self.area_mu}亩"

    @property
    def audit_scope_path(self) -> str:
        return self.zone.path


class PatrolRule(models.Model):
    """How often a level must patrol its zone (the configurable rule table)."""

    level = models.CharField("层级", max_length=30, choices=LEVEL_CHOICES, unique=True)
    period = models.CharField("巡护频次", max_length=10, choices=Period.choices)
    min_minutes = models.PositiveSmallIntegerField("每次至少(分钟)", default=30)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "巡林频次规则"
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_period_display()}"


class PatrolTask(models.Model):
    """One holder's patrol due for one period (generated set-based from the duties)."""

    scope_path = "zone"

    duty = models.ForeignKey("duties.Duty", verbose_name="责任", on_delete=models.CASCADE)
    person = models.ForeignKey("people.Person", verbose_name="责任人", on_delete=models.CASCADE)
    zone = models.ForeignKey(
        "places.Place", verbose_name="林区", on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField("层级", max_length=30, choices=LEVEL_CHOICES)
    period_start = models.DateField("周期开始")
    due_date = models.DateField("应巡日期")
    status = models.CharField(
        "状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    patrol = models.ForeignKey(
        "Patrol", verbose_name="巡护", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("生成时间")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "巡林任务"
        constraints = [
            models.UniqueConstraint(fields=["duty", "period_start"], name="patroltask_unique")
        ]
        indexes = [
            models.Index(fields=["person", "status", "due_date"]),
            models.Index(fields=["period_start", "level", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.zone_id} {self.period_start}"

    @property
    def audit_scope_path(self) -> str:
        return self.zone.path

    @property
    def late(self) -> bool:
        from django.utils import timezone

        return self.status == TaskStatus.OPEN and self.due_date < timezone.localdate()


class Patrol(TimeStamped):
    """A patrol of a zone: started, paused and resumed, finished. Its fixes arrive in batches
    (`TrackBatch`); distance, duration and coverage are computed on the server from them."""

    scope_path = "zone"

    zone = models.ForeignKey(
        "places.Place", verbose_name="林区", on_delete=models.PROTECT, related_name="patrols"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="巡护人", on_delete=models.PROTECT
    )
    person = models.ForeignKey(
        "people.Person", verbose_name="人员", null=True, blank=True, on_delete=models.SET_NULL
    )
    level = models.CharField("层级", max_length=30, choices=LEVEL_CHOICES, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=PatrolStatus.choices, default=PatrolStatus.ACTIVE
    )
    source = models.CharField(
        "来源", max_length=10, choices=PatrolSource.choices, default=PatrolSource.PHONE
    )
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    pauses = models.JSONField(
        "暂停时段", default=list, blank=True
    )  # [[start, end|null], …] epoch s
    distance_m = models.FloatField("里程(米)", default=0)
    duration_s = models.FloatField("时长(秒)", default=0)
    coverage = models.FloatField("林区覆盖率", default=0)
    points = models.PositiveIntegerField("有效定位点", default=0)
    dropped = models.PositiveIntegerField("剔除定位点", default=0)
    track = models.JSONField("轨迹(地图)", default=list, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "巡护记录"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["zone", "started_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.zone} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def audit_scope_path(self) -> str:
        return self.zone.path

    @property
    def distance_km(self) -> float:
        return round(self.distance_m / 1000, 2)


class TrackBatch(models.Model):
    """A batch of fixes sent by one walker's phone (or a GPX file): `points` is
    [[t_epoch_s, lat, lng, accuracy_m], …]. (patrol, walker, key) is unique, so a batch resent
    after a lost answer is stored once."""

    scope_path = "patrol__zone"

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="batches")
    walker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    key = models.CharField("批次号", max_length=64)
    points = models.JSONField("定位点")
    count = models.PositiveIntegerField("点数", default=0)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "轨迹批次"
        constraints = [
            models.UniqueConstraint(fields=["patrol", "walker", "key"], name="trackbatch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.patrol_id}/{self.key}"

    @property
    def audit_scope_path(self) -> str:
        return self.patrol.zone.path


class ForestEvent(TimeStamped):
    """Something found in a zone (on a patrol, or reported from a signboard): always a case of
    the case engine; routed to the zone's chiefs and rangers, escalated up the chief levels."""

    scope_path = "zone"

    zone = models.ForeignKey(
        "places.Place", verbose_name="林区", on_delete=models.PROTECT, related_name="+"
    )
    patrol = models.ForeignKey(
        Patrol, verbose_name="巡护", null=True, blank=True, on_delete=models.SET_NULL
    )
    signboard = models.ForeignKey(
        "Signboard", verbose_name="公示牌", null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField("类型", max_length=20, choices=EventKind.choices)
    case = models.OneToOneField(
        "cases.Case", verbose_name="事项", on_delete=models.PROTECT, related_name="forest_event"
    )
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    routed_level = models.CharField("当前林长层级", max_length=30, blank=True)
    escalations = models.PositiveSmallIntegerField("上报次数", default=0)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "林区事件"
        ordering = ["-created_at"]

    @property
    def audit_scope_path(self) -> str:
        return self.zone.path


class Signboard(TimeStamped):
    """A 林长公示牌. `printed_chiefs` is the chiefs' list as printed; when the zone's current
    chiefs differ the board needs re-printing."""

    scope_path = "zone"

    code = models.CharField("编号", max_length=40, unique=True)
    zone = models.ForeignKey(
        "places.Place", verbose_name="林区", on_delete=models.PROTECT, related_name="signboards"
    )
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    location = models.CharField("位置说明", max_length=100, blank=True)
    printed_chiefs = models.JSONField("已印林长", default=list, blank=True)
    printed_at = models.DateTimeField("印制时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "林长公示牌"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def audit_scope_path(self) -> str:
        return self.zone.path


class Planting(TimeStamped):
    """The planting and restoration ledger (义务植树, 造林, 修复, 油茶 …)."""

    scope_path = "place"

    place = models.ForeignKey(
        "places.Place", verbose_name="地点", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=20, choices=PlantingKind.choices)
    area_mu = models.DecimalField("面积(亩)", max_digits=10, decimal_places=1, default=0)
    count = models.PositiveIntegerField("株数", default=0)
    species = models.CharField("树种", max_length=50)
    date = models.DateField("日期")
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "植树造林台账"
        ordering = ["-date"]
        indexes = [models.Index(fields=["kind", "date"])]

    @property
    def audit_scope_path(self) -> str:
        return self.place.path


class PlantingTarget(TimeStamped):
    """A planting task's target for one place and year (国家储备林 and the pilot tasks): the
    area to reach in 亩. Progress is read from the planting ledger (`indicators.target_progress`):
    the rows of the same kind and year under the place."""

    scope_path = "place"

    place = models.ForeignKey(
        "places.Place", verbose_name="地点", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField(
        "类型", max_length=20, choices=PlantingKind.choices, default=PlantingKind.RESERVE
    )
    area_mu = models.DecimalField("目标面积(亩)", max_digits=10, decimal_places=1)
    note = models.CharField("任务说明", max_length=200, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "造林任务目标"
        ordering = ["year", "kind", "place__path"]
        constraints = [
            models.UniqueConstraint(fields=["place", "year", "kind"], name="plantingtarget_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_kind_display()}目标 {self.area_mu}亩"

    @property
    def audit_scope_path(self) -> str:
        return self.place.path
