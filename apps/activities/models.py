"""Activities (活动): where and when, who organises them, who signed up, who came."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.media import random_name
from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import (
    ActivityKind,
    ActivityStatus,
    CheckinMethod,
    ParticipantRole,
    SignupSource,
    SignupStatus,
)


class Activity(TimeStamped):
    """One community activity (a book fair, a science day at a school, a health check): a place,
    a start and an end, its organisers (organisations and staff accounts), a capacity and the
    care tags it is meant for. Sign-ups and attendance are `Participation` rows; the people
    reached online (live-stream viewers) and on the spot without signing in are counted by hand.

    `project` names the programme or service brand the activity belongs to, as free text
    (apps/brands has no model to point to yet). `qr_version` is part of every check-in token:
    raising it makes all earlier QR codes of the activity invalid.
    """

    scope_path = "place"

    title = models.CharField("活动名称", max_length=100)
    kind = models.CharField("活动类型", max_length=20, choices=ActivityKind.choices)
    description = models.TextField("活动内容", blank=True)
    place = models.ForeignKey(
        "places.Place", verbose_name="活动地点", on_delete=models.PROTECT, related_name="activities"
    )
    address = models.CharField("详细地址", max_length=200, blank=True)
    start_at = models.DateTimeField("开始时间", db_index=True)
    end_at = models.DateTimeField("结束时间")
    capacity = models.PositiveIntegerField("名额", null=True, blank=True, help_text="空为不限")
    target_tags = models.ManyToManyField(
        "people.CareTag", verbose_name="服务对象", blank=True, related_name="activities"
    )
    organisations = models.ManyToManyField(
        "orgs.Organisation", verbose_name="主办/协办单位", blank=True, related_name="activities"
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="组织人员", blank=True, related_name="+"
    )
    project = models.CharField("所属项目/品牌", max_length=100, blank=True)
    self_signup = models.BooleanField("允许居民、志愿者自助报名", default=True)
    status = models.CharField(
        "状态", max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    online_viewers = models.PositiveIntegerField("线上观看人次", default=0)
    walk_ins = models.PositiveIntegerField("现场未登记人次", default=0)
    summary = models.TextField("活动成效", blank=True)
    qr_version = models.PositiveIntegerField("签到码版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "活动"
        ordering = ["-start_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")),
                name="activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ActivityStatus.values), name="activity_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="activity_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{timezone.localtime(self.start_at):%Y-%m-%d}）"

    @property
    def audit_scope_path(self) -> str:
        return self.place.path

    @property
    def hours_label(self) -> str:
        """How a volunteer's service hours name this activity (apps.services keeps free text)."""
        return f"{self.title} #活动{self.pk}"[:100]

    @property
    def cancelled(self) -> bool:
        return self.status == ActivityStatus.CANCELLED

    def phase(self, now: Any = None) -> str:
        """未开始 / 进行中 / 已结束 / 已取消, as of `now`."""
        now = now or timezone.now()
        if self.cancelled:
            return "已取消"
        if now < self.start_at:
            return "未开始"
        return "进行中" if now < self.end_at else "已结束"


class Participation(TimeStamped):
    """One person's place at one activity: signed up (or waiting, or cancelled) and, once they
    are at the door, checked in. One row per person and activity (a database constraint), so a
    second sign-up or a repeated check-in finds the same row. A volunteer's hours for the
    activity are recorded in apps.services and linked here."""

    scope_path = "activity__place"

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="participations"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="参与人",
        on_delete=models.PROTECT,
        related_name="activity_participations",
    )
    role = models.CharField(
        "身份", max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.PARTICIPANT
    )
    status = models.CharField(
        "报名状态", max_length=20, choices=SignupStatus.choices, default=SignupStatus.REGISTERED
    )
    source = models.CharField("报名方式", max_length=20, choices=SignupSource.choices)
    signed_up_at = models.DateTimeField("报名时间", default=timezone.now)
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报名登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checkin_method = models.CharField(
        "签到方式", max_length=20, choices=CheckinMethod.choices, blank=True
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签到登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_hours = models.OneToOneField(
        "volunteers.ServiceHours",
        verbose_name="服务时长",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_participation",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "活动报名与签到"
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="participation_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=SignupStatus.values),
                name="participation_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(checked_in_at__isnull=True)
                | models.Q(status=SignupStatus.REGISTERED),
                name="participation_present_is_registered",
            ),
        ]
        indexes = [models.Index(fields=["activity", "status"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.activity.title}"

    @property
    def audit_scope_path(self) -> str:
        return self.activity.place.path

    @property
    def present(self) -> bool:
        return self.checked_in_at is not None


def photo_path(instance: "ActivityPhoto", filename: str) -> str:
    """A random, unguessable name (apps.core.media); older names still work."""
    return random_name("activities", filename)


class ActivityPhoto(TimeStamped):
    """A photo of an activity, checked (type, size) and thumbnailed by apps.cases.images."""

    scope_path = "activity__place"

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField("图片", upload_to=photo_path, max_length=200)
    thumbnail = models.FileField("缩略图", upload_to=photo_path, max_length=200)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小(字节)")
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "活动照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.activity.title} 照片 {self.pk}"

    @property
    def audit_scope_path(self) -> str:
        return self.activity.place.path
