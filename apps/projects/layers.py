"""The key projects as a layer of the overview map (stats.layers): each project in progress
coloured by its lamp — as its land's outline when it is stored as a polygon (`geometry`),
otherwise as a dot at its own point (or its place's)."""

from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from apps.places.geometry import as_geometry
from apps.places.models import Place, subtree_q
from apps.stats.layers import Layer, Point, register

from .choices import LAMP_CSS, Lamp, ProjectStatus
from .selectors import today_number, visible_projects, with_project_lamps

COLOURS = {"green": "#2e8b57", "yellow": "#d4a000", "orange": "#e06c00", "red": "#c62828"}

# The most vertices one project's outline sends to the browser; a finer outline is
# simplified (Douglas–Peucker, tolerance doubled until it fits) — a map of a city, not a survey.
MAX_VERTICES = 200

Rings = tuple[tuple[tuple[float, float], ...], ...]


def _vertices(area: BaseGeometry) -> int:
    return sum(
        len(ring.coords)
        for poly in getattr(area, "geoms", [area])
        for ring in (poly.exterior, *poly.interiors)
    )


def outline(geometry: Any) -> tuple[Rings, tuple[float, float]] | None:
    """A project's stored polygon as rings of (lng, lat) with at most MAX_VERTICES in all, and
    a point inside it for the label; None when it holds no usable polygon."""
    value = as_geometry(geometry)
    if value is None:
        return None
    try:
        area = shape(value)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # a broken polygon is drawn at the project's point instead
    if area.is_empty:
        return None
    tolerance = 1e-5
    while _vertices(area) > MAX_VERTICES and tolerance < 1:
        area = shape(value).simplify(tolerance, preserve_topology=False)
        tolerance *= 2
    if area.is_empty or _vertices(area) > MAX_VERTICES:
        return None
    rings = tuple(
        tuple((float(x), float(y)) for x, y, *_ in ring.coords)
        for poly in getattr(area, "geoms", [area])
        for ring in (poly.exterior, *poly.interiors)
    )
    inside = area.representative_point()
    return rings, (inside.x, inside.y)


def project_points(user: Any, place: Place) -> list[Point]:
    """The projects in progress inside `place` that `user` may see (a project unit: its own),
    worst lamp first; a project stored as a polygon carries its outline."""
    projects = with_project_lamps(
        visible_projects(user).filter(subtree_q(place), status=ProjectStatus.ACTIVE),
        today_number(),
    ).annotate(x=Coalesce(F("lng"), F("place__lng")), y=Coalesce(F("lat"), F("place__lat")))
    rows = projects.filter(
        Q(x__isnull=False, y__isnull=False) | Q(geometry__isnull=False)
    ).order_by("-lamp", "code")
    points = []
    for pk, name, own, x, y, geometry, lamp, investment in rows.values_list(
        "pk", "name", "lng", "x", "y", "geometry", "lamp", "investment_wan"
    ):
        drawn = outline(geometry)
        rings: Rings = ()
        if drawn is not None:
            rings = drawn[0]
            if own is None:  # no point of its own: the label inside the land, not at the place
                x, y = drawn[1]
        if x is None or y is None:
            continue
        points.append(
            Point(
                name=name,
                lng=x,
                lat=y,
                status=Lamp(lamp).label,
                colour=COLOURS[LAMP_CSS[Lamp(lamp)]],
                link=reverse("projects:detail", args=[pk]),
                value=float(investment),
                rings=rings,
            )
        )
    return points


register(
    Layer(
        "projects",
        "重点项目（按亮灯）",
        project_points,
        legend=tuple((lamp.label, COLOURS[LAMP_CSS[lamp]]) for lamp in Lamp),
        definition=(
            "推进中的重点项目，按最差在办阶段的灯色着色；登记了用地范围的项目画出范围，"
            "其余画在项目坐标处，没有坐标的画在所在区域的位置。"
        ),
    )
)
