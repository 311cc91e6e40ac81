"""The one filter of activity lists, shared by the list page and the API (and the target of
the activity indicators' links)."""

import datetime as dt
from typing import Literal

from django.db.models import Q
from django.utils import timezone
from ninja import FilterSchema

from apps.places.models import Place, subtree_q

from .choices import ActivityKind, ActivityStatus

When = Literal["upcoming", "past", "cancelled", "held"]


def _local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class ActivityFilter(FilterSchema):
    """q: words in the title or project; kind; when: upcoming (not ended), past (ended),
    cancelled, or held (started by now and not cancelled: what 活动场次 counts); place: a
    subtree; date_from / date_to: local start date, both included."""

    q: str | None = None
    kind: ActivityKind | None = None
    when: When | None = None
    place: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def filter_q(self, value: str | None) -> Q:
        value = (value or "").strip()
        return Q(title__icontains=value) | Q(project__icontains=value) if value else Q()

    def filter_when(self, value: str | None) -> Q:
        now = timezone.now()
        published = Q(status=ActivityStatus.PUBLISHED)
        return {
            "upcoming": published & Q(end_at__gt=now),
            "past": published & Q(end_at__lte=now),
            "cancelled": Q(status=ActivityStatus.CANCELLED),
            "held": published & Q(start_at__lte=now),
        }.get(value or "", Q())

    def filter_place(self, value: int | None) -> Q:
        if not value:
            return Q()
        node = Place.objects.filter(pk=value).only("path").first()
        return subtree_q(node) if node else Q(pk__in=[])

    def filter_date_from(self, value: dt.date | None) -> Q:
        return Q(start_at__gte=_local_start(value)) if value else Q()

    def filter_date_to(self, value: dt.date | None) -> Q:
        return Q(start_at__lt=_local_start(value + dt.timedelta(days=1))) if value else Q()
