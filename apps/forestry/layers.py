"""林长制 on the overview map (stats.layers): the open forest events (火情隐患 first) and the
林长公示牌, at their own position or, without one, at their forest zone's."""

from typing import Any

from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse

from apps.cases.choices import OPEN_STATUSES
from apps.places.models import Place
from apps.stats.layers import Layer, Point, register

from .choices import EventKind
from .models import ForestEvent, Signboard

KIND_COLOURS = {
    EventKind.FIRE: "#c62828",
    EventKind.LOGGING: "#6d4c41",
    EventKind.PEST: "#e06c00",
    EventKind.LAND: "#8e24aa",
    EventKind.WILDLIFE: "#1565c0",
    EventKind.OTHER: "#607d8b",
}
BOARD_COLOUR = "#2e7d32"


def _located(qs: Any) -> Any:
    return qs.annotate(
        x=Coalesce(F("lng"), F("zone__lng")), y=Coalesce(F("lat"), F("zone__lat"))
    ).filter(x__isnull=False, y__isnull=False)


def event_points(user: Any, place: Place) -> list[Point]:
    """Forest events not yet closed, inside `place`, that `user` may see; fires first."""
    events = ForestEvent.objects.visible_to(user).filter(
        zone__path__startswith=place.path, case__status__in=list(OPEN_STATUSES)
    )
    rows = _located(events).values_list("pk", "kind", "zone__name", "case__title", "x", "y")
    points = [
        Point(
            name=f"{zone}：{title}",
            lng=x,
            lat=y,
            status=EventKind(kind).label,
            colour=KIND_COLOURS[EventKind(kind)],
            link=reverse("forestry:event_detail", args=[pk]),
        )
        for pk, kind, zone, title, x, y in rows.order_by("-created_at", "pk")
    ]
    return sorted(points, key=lambda p: p.status != EventKind.FIRE.label)


def signboard_points(user: Any, place: Place) -> list[Point]:
    boards = Signboard.objects.visible_to(user).filter(zone__path__startswith=place.path)
    return [
        Point(
            name=f"{code} {zone}" + (f"（{where}）" if where else ""),
            lng=x,
            lat=y,
            status="林长公示牌",
            colour=BOARD_COLOUR,
            link=f"{reverse('forestry:signboards')}?zone={zone_id}",
        )
        for code, zone, zone_id, where, x, y in _located(boards)
        .values_list("code", "zone__name", "zone_id", "location", "x", "y")
        .order_by("code")
    ]


register(
    Layer(
        "forest_events",
        "林区事件（未办结）",
        event_points,
        legend=tuple((kind.label, KIND_COLOURS[kind]) for kind in EventKind),
        definition="巡护或扫码上报、还没办结的林区事件，火情隐患在前。",
    ),
    Layer(
        "forest_signboards",
        "林长公示牌",
        signboard_points,
        legend=(("林长公示牌", BOARD_COLOUR),),
        definition="林长公示牌的位置；没有坐标的画在所在林区的位置。",
    ),
)
