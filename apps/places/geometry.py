"""Points and polygons of the place tree: which areas hold a point (a phone's position), and a
small offline map of a point inside its area (SVG, no map tiles from the internet).

Areas (towns, communities, grids, compounds) keep their boundary as GeoJSON in
`Place.geometry`; a point is found by walking down the tree from the county, testing only the
children of the area found so far, so a lookup reads a few dozen polygons, not thousands.
"""

import math
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from .choices import PlaceKind
from .models import Place

AREA_KINDS = (PlaceKind.TOWN, PlaceKind.COMMUNITY, PlaceKind.GRID)


def as_geometry(value: Any) -> dict[str, Any] | None:
    """Place.geometry holds a GeoJSON geometry, or a Feature wrapping one; None otherwise."""
    if not isinstance(value, dict):
        return None
    if value.get("type") == "Feature":
        value = value.get("geometry")
    if isinstance(value, dict) and value.get("type") in {"Polygon", "MultiPolygon"}:
        return value
    return None


def polygon(place: Place) -> BaseGeometry | None:
    geometry = as_geometry(place.geometry)
    if geometry is None:
        return None
    try:
        return shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError):
        return None  # a broken boundary in imported data holds no point


def areas_containing(root: Place, lat: float, lng: float) -> list[Place]:
    """The town, community and grid under `root` whose boundaries hold the point, top down;
    it stops at the first level where no child's boundary holds it (one query per level)."""
    point = Point(lng, lat)
    chain: list[Place] = []
    node: Place | None = root
    if root.kind in (PlaceKind.PROVINCE, PlaceKind.CITY):
        node = county_holding(root, point)
    if node is None:
        return chain
    while True:
        children = Place.objects.filter(
            parent=node, kind__in=AREA_KINDS, geometry__isnull=False
        ).order_by("path")
        found = None
        for child in children:
            area = polygon(child)
            if area is not None and area.covers(point):
                found = child
                break
        if found is None:
            return chain
        chain.append(found)
        node = found


def county_holding(node: Place, point: Point) -> Place | None:
    """Below a province or city: the county whose boundary holds the point. A city without a
    boundary is looked into (few places stand at these levels); a county needs its boundary."""
    for child in Place.objects.filter(
        parent=node, kind__in=(PlaceKind.CITY, PlaceKind.COUNTY)
    ).order_by("path"):
        area = polygon(child)
        if area is not None and not area.covers(point):
            continue
        if child.kind == PlaceKind.COUNTY:
            if area is not None:
                return child
            continue
        found = county_holding(child, point)
        if found is not None:
            return found
    return None


@dataclass
class PointMap:
    """An SVG drawing of one area's boundary with a point in it (viewBox 0 0 width height)."""

    width: int
    height: int
    outline: str  # the boundary as an SVG path
    x: float
    y: float
    area: Place


def point_map(area: Place, lat: float, lng: float, width: int = 320) -> PointMap | None:
    """A small map of the point inside `area`'s boundary; None when the area has no boundary.
    Longitudes are shrunk by cos(latitude) so the shape is not stretched sideways."""
    shape_ = polygon(area)
    if shape_ is None:
        return None
    minx, miny, maxx, maxy = shape_.bounds
    minx, maxx = min(minx, lng), max(maxx, lng)
    miny, maxy = min(miny, lat), max(maxy, lat)
    squeeze = math.cos(math.radians((miny + maxy) / 2))
    span_x = max((maxx - minx) * squeeze, 1e-6)
    span_y = max(maxy - miny, 1e-6)
    pad = 8
    scale = (width - 2 * pad) / span_x
    height = min(max(int(span_y * scale) + 2 * pad, 120), 360)
    scale = min(scale, (height - 2 * pad) / span_y)

    def xy(x: float, y: float) -> tuple[float, float]:
        return (
            round(pad + (x - minx) * squeeze * scale, 1),
            round(height - pad - (y - miny) * scale, 1),
        )

    parts = []
    polygons = getattr(shape_, "geoms", [shape_])
    for poly in polygons:
        for ring in [poly.exterior, *poly.interiors]:
            points = [xy(x, y) for x, y in ring.coords]
            parts.append("M" + " L".join(f"{px},{py}" for px, py in points) + " Z")
    px, py = xy(lng, lat)
    return PointMap(width, height, " ".join(parts), px, py, area)
