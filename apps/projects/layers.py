"""The key projects as a point layer of the overview map (stats.layers): each project in
progress at its own point (or its place's), coloured by its lamp."""

from typing import Any

from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse

from apps.places.models import Place, subtree_q
from apps.stats.layers import Layer, Point, register

from .choices import LAMP_CSS, Lamp, ProjectStatus
from .selectors import today_number, visible_projects, with_project_lamps

COLOURS = {"green": "#2e8b57", "yellow": "#d4a000", "orange": "#e06c00", "red": "#c62828"}


def project_points(user: Any, place: Place) -> list[Point]:
    """The projects in progress inside `place` that `user` may see (a project unit: its own),
    worst lamp first."""
    projects = with_project_lamps(
        visible_projects(user).filter(subtree_q(place), status=ProjectStatus.ACTIVE),
        today_number(),
    ).annotate(x=Coalesce(F("lng"), F("place__lng")), y=Coalesce(F("lat"), F("place__lat")))
    rows = projects.filter(x__isnull=False, y__isnull=False).order_by("-lamp", "code")
    return [
        Point(
            name=name,
            lng=x,
            lat=y,
            status=Lamp(lamp).label,
            colour=COLOURS[LAMP_CSS[Lamp(lamp)]],
            link=reverse("projects:detail", args=[pk]),
            value=float(investment),
        )
        for pk, name, x, y, lamp, investment in rows.values_list(
            "pk", "name", "x", "y", "lamp", "investment_wan"
        )
    ]


register(
    Layer(
        "projects",
        "重点项目（按亮灯）",
        project_points,
        legend=tuple((lamp.label, COLOURS[LAMP_CSS[lamp]]) for lamp in Lamp),
        definition="推进中的重点项目，按最差在办阶段的灯色着色；没有坐标的项目画在所在区域的位置。",
    )
)
