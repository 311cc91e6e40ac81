"""Constants of meetings: kinds, states, why a case is proposed for the agenda, who may run a
meeting."""

from django.db import models


class MeetingKind(models.TextChoices):
    JOINT = "joint", "联席会议"
    FIVE_PARTY = "five_party", "五方议事"
    ROUND_TABLE = "round_table", "幸福圆桌会"
    SUNSHINE = "sunshine", "阳光议事"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "筹备中"
    HELD = "held", "已召开"
    CLOSED = "closed", "已结束"


# Meetings counted in the statistics: those that took place.
HELD_STATUSES = frozenset({MeetingStatus.HELD, MeetingStatus.CLOSED})


class ItemSource(models.TextChoices):
    """Why an item is on the agenda. The first five come from the area's cases."""

    OVERDUE = "overdue", "超期未办"
    ESCALATED = "escalated", "已上报"
    RETURNED = "returned", "已退单"
    REOPENED = "reopened", "重办"
    HOT = "hot", "热点诉求"
    MANUAL = "manual", "临时动议"


# Who may prepare, hold and record a meeting: apps/accounts/permissions.py (meetings.organise).

# How far back the proposal looks for hot issues (热点诉求), in days.
HOT_DAYS = 30
