"""The key projects as a layer of the overview map (stats.layers): each project in progress
coloured by its lamp — as its land's outline when it is stored as a polygon (`geometry`),
otherwise as a dot at its own point (or its place's)."""

from typing import Any

import shapely
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse

from apps.places.models import Place, subtree_q
from apps.stats.layers import Layer, Point, register

from .choices import LAMP_CSS, Lamp, ProjectStatus
from .selectors import today_number, visible_projects, with_project_lamps

COLOURS = {"green": "#2e8b57", "yellow": "#d4a000", "orange": "#e06c00", "red": "#c62828"}

# The most vertices one project's outline sends to the browser. Outlines are first simplified
# to the map's resolution (Douglas–Peucker with a tolerance of 1/RESOLUTION of the drawn
# extent: below a pixel of a 1,000 px map); one still finer is simplified further to fit.
MAX_VERTICES = 200
RESOLUTION = 1000

Rings = tuple[tuple[tuple[float, float], ...], ...]
AREA_TYPES = (3, 6)  # shapely type ids of Polygon and MultiPolygon


def parse_outlines(texts: list[str | None]) -> list[Any]:
    """The stored polygons (GeoJSON text, a Polygon, MultiPolygon or a Feature of one) as
    shapely areas, None where there is none or it is broken: read by GEOS in one call (a city
    sends up to 2,000 outlines; parsing them in Python took seconds)."""
    out: list[Any] = [None] * len(texts)
    given = [i for i, text in enumerate(texts) if text]
    if not given:
        return out
    areas = shapely.from_geojson([texts[i] for i in given], on_invalid="ignore")
    kinds = shapely.get_type_id(areas)
    for i, area, kind in zip(given, areas, kinds, strict=True):
        if area is not None and kind in AREA_TYPES and not area.is_empty and area.area > 0:
            out[i] = area
    return out


def _rings(area: Any) -> Rings:
    parts = shapely.get_parts(area)
    return tuple(
        tuple((float(x), float(y)) for x, y in shapely.get_coordinates(ring).tolist())
        for part in parts
        for ring in shapely.get_rings(part)
    )


def outlines(areas: list[Any], extent: float) -> list[Rings]:
    """Each area's rings of (lng, lat), simplified to the map's resolution and to at most
    MAX_VERTICES; () where nothing is left (a shape under a pixel is drawn as a dot)."""
    tolerance = extent / RESOLUTION
    simple = shapely.simplify(areas, tolerance, preserve_topology=False)
    result: list[Rings] = []
    for area, small in zip(areas, simple, strict=True):
        if small is not None and shapely.get_num_coordinates(small) > MAX_VERTICES:
            minx, miny, maxx, maxy = area.bounds
            coarse = max(maxx - minx, maxy - miny) / (MAX_VERTICES / 4)
            small = shapely.simplify(area, max(tolerance, coarse), preserve_topology=False)
        fits = (
            small is not None
            and not small.is_empty
            and shapely.get_num_coordinates(small) <= MAX_VERTICES
        )
        result.append(_rings(small) if fits else ())
    return result


def project_points(user: Any, place: Place) -> list[Point]:
    """The projects in progress inside `place` that `user` may see (a project unit: its own),
    worst lamp first; a project stored as a polygon carries its outline."""
    projects = with_project_lamps(
        visible_projects(user).filter(subtree_q(place), status=ProjectStatus.ACTIVE),
        today_number(),
    ).annotate(
        x=Coalesce(F("lng"), F("place__lng")),
        y=Coalesce(F("lat"), F("place__lat")),
        outline=Cast("geometry", TextField()),
    )
    rows = list(
        projects.filter(Q(x__isnull=False, y__isnull=False) | Q(geometry__isnull=False))
        .order_by("-lamp", "code")
        .values_list("pk", "name", "lng", "x", "y", "outline", "lamp", "investment_wan")
    )
    areas = parse_outlines([row[5] for row in rows])
    drawn = [(i, a) for i, a in enumerate(areas) if a is not None]
    rings: dict[int, Rings] = {}
    labels: dict[int, tuple[float, float]] = {}
    if drawn:
        shapes = [a for _, a in drawn]
        bounds = shapely.bounds(shapes)
        xs = [*bounds[:, 0], *bounds[:, 2], *(r[3] for r in rows if r[3] is not None)]
        ys = [*bounds[:, 1], *bounds[:, 3], *(r[4] for r in rows if r[4] is not None)]
        extent = max(max(xs) - min(xs), max(ys) - min(ys))
        inside = shapely.get_coordinates(shapely.point_on_surface(shapes)).tolist()
        for (i, _), outline, (lx, ly) in zip(drawn, outlines(shapes, extent), inside, strict=True):
            rings[i], labels[i] = outline, (lx, ly)
    points = []
    for i, (pk, name, own, x, y, _text, lamp, investment) in enumerate(rows):
        if i in labels and own is None:  # no point of its own: the label inside the land
            x, y = labels[i]
        if x is None or y is None:
            continue
        points.append(
            Point(
                name=name,
                lng=float(x),
                lat=float(y),
                status=Lamp(lamp).label,
                colour=COLOURS[LAMP_CSS[Lamp(lamp)]],
                link=reverse("projects:detail", args=[pk]),
                value=float(investment),
                rings=rings.get(i, ()),
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
