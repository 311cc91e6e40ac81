import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core import crypto
from apps.core.models import TimeStamped
from apps.core.validators import normalise_phone
from apps.places.scope import ScopedQuerySet

from .. import deadlines
from ..choices import (
    OPEN_STATUSES,
    CaseKind,
    CaseSource,
    ExtensionState,
    Lamp,
    Level,
    LimitUnit,
    Priority,
    Rating,
    RatingSource,
    Status,
)


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class CaseQuerySet(ScopedQuerySet["Case"]):
    def open(self) -> "CaseQuerySet":
        # Sorted: the same SQL in every process (a set's order changes with the hash seed),
        # and the very list of the open-case partial indexes' predicate, which PostgreSQL
        # then recognises as implied instead of counting it twice (a town's 红灯 list went
        # from 1.7 s to 15 ms at 10M cases with this alone; docs/stats.md).
        return self.filter(status__in=sorted(OPEN_STATUSES))

    def overdue(self, now: Any = None) -> "CaseQuerySet":
        """Open cases past a deadline that is still running (respond or resolve)."""
        now = now or timezone.now()
        return self.open().filter(
            models.Q(responded_at__isnull=True, respond_by__lt=now)
            | models.Q(resolved_at__isnull=True, resolve_by__lt=now)
        )


class Case(TimeStamped):
    """One matter of the closed loop (事项 / 工单): a service order, need, hazard, dispute,
    errand or event, from intake to archive.

    `status` is written only by `actions.do_transition` (and the deadline monitor through the
    same code), checked against the transitions table in `choices.py`; a constraint holds the
    allowed values. `handling_unit` is the place whose staff handle the case now (the grid,
    community, town or county at `level`); 上报 moves both up. Deadlines are stored, computed
    from the category by `deadlines.compute_deadline`, and indexed for open cases so the
    monitor finds overdue rows with one range scan.

    The reporter's phone is personal information: encrypted, blind-indexed and masked like a
    person's. `tracking_token` lets the resident follow and rate the case without an account.
    """

    scope_path = "place"
    # a unit's inbox reads the cases it handles, wherever they are (cases.worklist)
    other_scope_paths = ("handling_unit",)

    kind = models.CharField("类型", max_length=20, choices=CaseKind.choices, default=CaseKind.NEED)
    source = models.CharField(
        "来源", max_length=20, choices=CaseSource.choices, default=CaseSource.HOTLINE
    )
    category = models.ForeignKey(
        "cases.Category", verbose_name="事项类别", on_delete=models.PROTECT, related_name="cases"
    )
    place = models.ForeignKey(
        "places.Place", verbose_name="户/地点", on_delete=models.PROTECT, related_name="cases"
    )
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    # Where exactly, in the reporter's words, when no building or room fits (村口桥头).
    landmark = models.CharField("具体位置", max_length=100, blank=True)
    reporter = models.ForeignKey(
        "people.Person",
        verbose_name="提出人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    reporter_name = models.CharField("提出人姓名", max_length=50, blank=True)
    reporter_phone_enc = models.TextField("提出人电话(密文)", blank=True, editable=False)
    reporter_phone_index = models.CharField(
        max_length=64, blank=True, editable=False, db_index=True
    )
    reporter_phone_masked = models.CharField(
        "提出人电话", max_length=20, blank=True, editable=False
    )
    persons = models.ManyToManyField(
        "people.Person", verbose_name="涉及人员", blank=True, related_name="cases"
    )
    title = models.CharField("标题", max_length=100)
    description = models.TextField("详细描述", blank=True)
    attributes = models.JSONField("附加字段", default=dict, blank=True)
    # Words and characters of title + description (jieba), space-separated, written once at
    # intake so duplicate and hot-issue checks compare sets without segmenting again.
    tokens = models.TextField("分词", blank=True, editable=False)
    priority = models.CharField(
        "紧急程度", max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    level = models.CharField(
        "办理层级", max_length=10, choices=Level.choices, default=Level.COMMUNITY
    )
    handling_unit = models.ForeignKey(
        "places.Place",
        verbose_name="承办单位",
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    department = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="职能部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    respond_by = models.DateTimeField("响应时限", null=True, blank=True)
    resolve_by = models.DateTimeField("办结时限", null=True, blank=True)
    responded_at = models.DateTimeField("响应时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("归档时间", null=True, blank=True)
    escalated_at = models.DateTimeField("最近上报时间", null=True, blank=True)
    rating = models.CharField("评价", max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rating_source = models.CharField(
        "评价方式", max_length=10, choices=RatingSource.choices, blank=True
    )
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    supervised = models.BooleanField("督办", default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并到",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    extension_state = models.CharField(
        "延期申请", max_length=10, choices=ExtensionState.choices, blank=True
    )
    extension_amount = models.PositiveIntegerField("申请延期", null=True, blank=True)
    extension_unit = models.CharField(
        "申请延期单位", max_length=10, choices=LimitUnit.choices, blank=True
    )
    extension_reason = models.CharField("延期理由", max_length=500, blank=True)
    idempotency_key = models.CharField(
        "幂等键", max_length=120, null=True, blank=True, unique=True, editable=False
    )
    tracking_token = models.CharField(
        "查询码", max_length=64, unique=True, default=new_tracking_token, editable=False
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "事项"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=CaseKind.values), name="case_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=CaseSource.values), name="case_source_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="case_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="case_priority_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(rating="") | models.Q(rating__in=Rating.values),
                name="case_rating_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True) | models.Q(status=Status.MERGED),
                name="case_merged_has_status",
            ),
        ]
        indexes = [
            models.Index(
                fields=["respond_by"],
                name="case_open_respond_by",
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(
                fields=["resolve_by"],
                name="case_open_resolve_by",
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
            ),
            # The dashboards' clock-bound counts (due to respond, overdue) of the open cases
            # registered in a period, and the 红灯 list of a subtree.
            models.Index(
                fields=["created_at", "place"],
                name="case_open_created",
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(
                fields=["place", "resolve_by"],
                name="case_open_place_resolve_by",
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["handling_unit", "status"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["created_at"], name="case_created_at"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"SX{self.pk:08d}" if self.pk else "SX(新)"

    @property
    def audit_scope_path(self) -> str:
        return self.place.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def set_reporter_phone(self, value: str) -> None:
        value = normalise_phone(value) if value else ""
        self.reporter_phone_enc = crypto.encrypt(value)
        self.reporter_phone_index = crypto.blind_index(value)
        self.reporter_phone_masked = crypto.mask_phone(value)

    def respond_lamp(self, now: Any = None) -> str:
        if not self.is_open:
            return Lamp.NONE
        return deadlines.lamp(
            now or timezone.now(), self.created_at, self.respond_by, self.responded_at
        )

    def resolve_lamp(self, now: Any = None) -> str:
        if not self.is_open:
            return Lamp.NONE
        return deadlines.lamp(
            now or timezone.now(), self.created_at, self.resolve_by, self.resolved_at
        )

    def lamp(self, now: Any = None) -> str:
        """The worse of the two lamps: what the inbox shows."""
        now = now or timezone.now()
        lamps = {self.respond_lamp(now), self.resolve_lamp(now)}
        for colour in (Lamp.RED, Lamp.YELLOW, Lamp.GREEN):
            if colour in lamps:
                return colour
        return Lamp.NONE
