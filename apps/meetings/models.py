"""Meetings (联席会议, 五方议事, 幸福圆桌会, 阳光议事): who met where and when, the agenda drawn
from the area's cases, attendance, minutes, and one decision per item that moves its cases
through the case engine."""

from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import ItemSource, MeetingKind, MeetingStatus


class Meeting(TimeStamped):
    """One deliberation meeting of an area (a town, community, grid or compound): planned with
    a proposed agenda, held (attendance and minutes recorded), closed when every item has its
    decision. Scoped by `area`."""

    scope_path = "area"

    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    title = models.CharField("会议名称", max_length=100)
    area = models.ForeignKey(
        "places.Place", verbose_name="议事范围", on_delete=models.PROTECT, related_name="meetings"
    )
    venue = models.CharField("会议地点", max_length=100, blank=True)
    starts_at = models.DateTimeField("会议时间", db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    organisations = models.ManyToManyField(
        "orgs.Organisation", verbose_name="参会单位", blank=True, related_name="meetings"
    )
    minutes = models.TextField("会议纪要", blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="召集人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_at = models.DateTimeField("召开登记时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "议事会议"
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MeetingKind.values), name="meeting_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MeetingStatus.values), name="meeting_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["area", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.title}"

    @property
    def audit_scope_path(self) -> str:
        return self.area.path


class Participant(TimeStamped):
    """A person invited to a meeting (resident representative, committee member, company
    staff …), with the unit they speak for and whether they came."""

    scope_path = "meeting__area"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField("姓名", max_length=50)
    person = models.ForeignKey(
        "people.Person",
        verbose_name="人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    capacity = models.CharField("身份", max_length=50, blank=True)
    present = models.BooleanField("出席", default=False)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "参会人员"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.meeting.area.path


class AgendaItem(TimeStamped):
    """One item of the agenda: a problem (the cases it concerns, or none for a hand item),
    its time, the units concerned, and the meeting's one decision on it (owner, lead unit,
    new deadline). A hand item's decision creates its case (source 议事会议)."""

    scope_path = "meeting__area"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    source = models.CharField("来源", max_length=12, choices=ItemSource.choices)
    title = models.CharField("议题", max_length=150)
    description = models.TextField("情况说明", blank=True)
    duration = models.PositiveSmallIntegerField("时长(分钟)", default=10)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name="相关事项", blank=True, related_name="agenda_items"
    )
    units = models.ManyToManyField(
        "orgs.Organisation", verbose_name="相关单位", blank=True, related_name="agenda_items"
    )
    decision = models.TextField("会议决定", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_items",
    )
    lead_unit = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="牵头单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_items",
    )
    deadline = models.DateTimeField("办结时限", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True, db_index=True)
    # What the decision did to the item's cases: {"decided": [ids], "kept": [ids] (being
    # handled, kept with their handler), "forwarded": [ids] (beyond the meeting's authority,
    # sent to their handling unit as a recommendation)}.
    applied = models.JSONField("决定执行情况", default=dict, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "议题"
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=ItemSource.values), name="agenda_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_scope_path(self) -> str:
        return self.meeting.area.path

    @property
    def decided(self) -> bool:
        return self.decided_at is not None
