"""Patrol tracks: cleaning GPS fixes and measuring them (pure Python, no Django).

A fix is `(t, lat, lng)` or `(t, lat, lng, accuracy_m)`, `t` in epoch seconds. A patrol's
points may come from several walkers (each ranger's phone); each walker's fixes are cleaned on
their own and the patrol is counted ONCE: its distance is the longest walker's cleaned
distance, never the sum (docs/decisions/0030-forest-track-cleaning.md).

Cleaning, per walker, in time order:

1. fixes with a reported accuracy worse than `max_accuracy_m` are dropped;
2. the track is split into segments at a gap longer than `max_gap_s`, at a pause, and at every
   change of local calendar day (separate days are never joined);
3. a fix that would need a speed above `max_speed_kmh` from the last kept fix is held back;
   if the next `relocate_after` held fixes agree with each other (the phone really moved,
   e.g. in a car), a new segment starts at them, otherwise they are dropped as outliers
   (a single GPS jump costs nothing);
4. a single spike (out and straight back, both legs long) is dropped;
5. moves shorter than `min_step_m` from the last counted fix are not counted (a standing
   phone's jitter adds no distance).

Distance is the haversine sum over each segment; the duration is the sum of segment spans.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

EARTH_RADIUS_M = 6_371_008.8
MU_PER_M2 = 1 / 666.6667  # 1 亩 = 666.67 m²


@dataclass(frozen=True)
class Settings:
    max_speed_kmh: float = 30.0
    max_gap_s: float = 600.0
    max_accuracy_m: float = 100.0
    min_step_m: float = 5.0
    spike_ratio: float = 3.0
    spike_min_m: float = 50.0
    relocate_after: int = 3
    utc_offset_s: int = 8 * 3600  # China Standard Time: a day ends at local midnight


DEFAULT = Settings()

Fix = tuple[float, float, float]  # (t, lat, lng)


@dataclass
class Measured:
    segments: list[list[Fix]] = field(default_factory=list)
    distance_m: float = 0.0
    duration_s: float = 0.0
    kept: int = 0
    dropped: int = 0

    @property
    def points(self) -> int:
        return sum(len(s) for s in self.segments)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _d(a: Fix, b: Fix) -> float:
    return haversine_m(a[1], a[2], b[1], b[2])


_M_PER_DEG = math.radians(1) * EARTH_RADIUS_M


def _near(a: Fix, b: Fix) -> float:
    """Metres between two fixes on the local plane (equirectangular): within 0.1 % of the
    haversine for steps of a few kilometres, at a third of its cost. Used by the checks
    (speed, spikes, the coverage fill), which run several times per fix; the distance
    itself is the haversine sum (`_length`)."""
    dy = b[1] - a[1]
    dx = (b[2] - a[2]) * math.cos(math.radians((a[1] + b[1]) / 2))
    return _M_PER_DEG * math.sqrt(dx * dx + dy * dy)


def _speed_kmh(a: Fix, b: Fix) -> float:
    dt = b[0] - a[0]
    if dt <= 0:
        return math.inf if _near(a, b) > 0 else 0.0
    return _near(a, b) / dt * 3.6


def _day(t: float, s: Settings) -> int:
    return int((t + s.utc_offset_s) // 86400)


def _normalise(fixes: Iterable[Sequence[float]], s: Settings) -> tuple[list[Fix], int]:
    out: dict[float, Fix] = {}
    dropped = 0
    for fix in fixes:
        t, lat, lng = float(fix[0]), float(fix[1]), float(fix[2])
        acc = float(fix[3]) if len(fix) > 3 and fix[3] is not None else 0.0
        if not (-90 <= lat <= 90 and -180 <= lng <= 180) or acc > s.max_accuracy_m:
            dropped += 1
            continue
        out[t] = (t, lat, lng)  # one fix per instant (a resent batch repeats them)
    return [out[t] for t in sorted(out)], dropped


def _in_pause(t: float, pauses: Sequence[tuple[float, float | None]]) -> bool:
    return any(start <= t and (end is None or t < end) for start, end in pauses)


def _raw_segments(
    fixes: list[Fix], s: Settings, pauses: Sequence[tuple[float, float | None]]
) -> tuple[list[list[Fix]], int]:
    """Split at gaps, days and pauses; fixes taken while paused are dropped."""
    segments: list[list[Fix]] = []
    current: list[Fix] = []
    dropped = 0
    for fix in fixes:
        if pauses and _in_pause(fix[0], pauses):
            dropped += 1
            if current:
                segments.append(current)
                current = []
            continue
        if current and (
            fix[0] - current[-1][0] > s.max_gap_s or _day(fix[0], s) != _day(current[-1][0], s)
        ):
            segments.append(current)
            current = []
        current.append(fix)
    if current:
        segments.append(current)
    return segments, dropped


def _despeed(segment: list[Fix], s: Settings) -> tuple[list[list[Fix]], int]:
    """Drop fixes reached at impossible speed; held fixes that agree start a new segment."""
    out: list[list[Fix]] = [[segment[0]]]
    held: list[Fix] = []
    dropped = 0
    for fix in segment[1:]:
        last = out[-1][-1]
        if _speed_kmh(last, fix) <= s.max_speed_kmh:
            dropped += len(held)
            held = []
            out[-1].append(fix)
            continue
        if held and _speed_kmh(held[-1], fix) > s.max_speed_kmh:
            dropped += len(held)
            held = []
        held.append(fix)
        if len(held) >= s.relocate_after:
            out.append(held)
            held = []
    dropped += len(held)
    return out, dropped


def _despike(segment: list[Fix], s: Settings) -> tuple[list[Fix], int]:
    if len(segment) < 3:
        return segment, 0
    kept = [segment[0]]
    dropped = 0
    for i in range(1, len(segment) - 1):
        a, b, c = kept[-1], segment[i], segment[i + 1]
        out_leg, back_leg, direct = _near(a, b), _near(b, c), _near(a, c)
        if (
            out_leg > s.spike_min_m
            and back_leg > s.spike_min_m
            and out_leg + back_leg > s.spike_ratio * max(direct, 1.0)
        ):
            dropped += 1
            continue
        kept.append(b)
    kept.append(segment[-1])
    return kept, dropped


def _length(segment: list[Fix], s: Settings) -> float:
    total = 0.0
    anchor = segment[0]
    for fix in segment[1:]:
        step = _d(anchor, fix)
        if step >= s.min_step_m:
            total += step
            anchor = fix
    return total


def clean(
    fixes: Iterable[Sequence[float]],
    settings: Settings = DEFAULT,
    pauses: Sequence[tuple[float, float | None]] = (),
) -> Measured:
    """One walker's fixes cleaned and measured."""
    s = settings
    ordered, dropped = _normalise(fixes, s)
    result = Measured(dropped=dropped)
    raw, paused = _raw_segments(ordered, s, pauses)
    result.dropped += paused
    for segment in raw:
        pieces, slow = _despeed(segment, s)
        result.dropped += slow
        for piece in pieces:
            kept, spikes = _despike(piece, s)
            result.dropped += spikes
            if len(kept) < 2:
                result.dropped += len(kept)
                continue
            result.segments.append(kept)
            result.distance_m += _length(kept, s)
            result.duration_s += kept[-1][0] - kept[0][0]
    result.kept = result.points
    return result


def measure_walkers(
    walkers: dict[object, Iterable[Sequence[float]]],
    settings: Settings = DEFAULT,
    pauses: Sequence[tuple[float, float | None]] = (),
) -> tuple[Measured, dict[object, Measured]]:
    """A patrol walked by several people: each walker cleaned alone; the patrol counts once,
    as its longest cleaned walker track (not the sum). Returns (the patrol's, per walker)."""
    each = {who: clean(fixes, settings, pauses) for who, fixes in walkers.items()}
    if not each:
        return Measured(), {}
    best = max(each.values(), key=lambda m: (m.distance_m, m.points))
    return best, each


# --- the zone share covered -------------------------------------------------------------


def _rings(geometry: dict | None) -> list[list[list[tuple[float, float]]]]:
    """GeoJSON Polygon/MultiPolygon (or a Feature of one) → polygons of rings of (lng, lat)."""
    if not geometry:
        return []
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [[[(float(p[0]), float(p[1])) for p in ring] for ring in poly] for poly in polygons]


def _inside_ring(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def inside(geometry: dict | None, lng: float, lat: float) -> bool:
    for poly in _rings(geometry):
        if (
            poly
            and _inside_ring(lng, lat, poly[0])
            and not any(_inside_ring(lng, lat, hole) for hole in poly[1:])
        ):
            return True
    return False


def polygon_area_mu(geometry: dict | None) -> float:
    """Area in 亩 (equirectangular projection at the polygon's latitude; fine at zone size)."""
    total = 0.0
    for poly in _rings(geometry):
        for k, ring in enumerate(poly):
            if len(ring) < 3:
                continue
            lat0 = math.radians(sum(p[1] for p in ring) / len(ring))
            kx = math.radians(1) * EARTH_RADIUS_M * math.cos(lat0)
            ky = math.radians(1) * EARTH_RADIUS_M
            pts = [(p[0] * kx, p[1] * ky) for p in ring]
            area = abs(
                sum(pts[i][0] * pts[i - 1][1] - pts[i - 1][0] * pts[i][1] for i in range(len(pts)))
                / 2
            )
            total += -area if k else area
    return total * MU_PER_M2


@dataclass
class Raster:
    """A zone rasterised once (cells inside its polygon), to measure many patrols against."""

    cells: set[tuple[int, int]]
    x0: float
    y0: float
    dx: float
    dy: float
    cell_m: float
    radius: int

    def share(self, segments: Iterable[Sequence[Fix]]) -> float:
        if not self.cells:
            return 0.0
        seen: set[tuple[int, int]] = set()
        r = self.radius
        for segment in segments:
            for k, fix in enumerate(segment):
                samples = [(fix[2], fix[1])]
                if k:  # fill long steps so a straight stretch marks every cell it crosses
                    prev = segment[k - 1]
                    steps = int(_near(prev, fix) // (self.cell_m / 2))
                    samples += [
                        (
                            prev[2] + (fix[2] - prev[2]) * n / (steps + 1),
                            prev[1] + (fix[1] - prev[1]) * n / (steps + 1),
                        )
                        for n in range(1, steps + 1)
                    ]
                for lng, lat in samples:
                    ci, cj = int((lng - self.x0) / self.dx), int((lat - self.y0) / self.dy)
                    for i in range(ci - r, ci + r + 1):
                        for j in range(cj - r, cj + r + 1):
                            seen.add((i, j))
        return len(seen & self.cells) / len(self.cells)


def raster(geometry: dict | None, reach_m: float = 100.0, max_cells: int = 2500) -> Raster | None:
    """The zone in at most `max_cells` cells (never finer than `reach_m`); None without a
    polygon."""
    polys = _rings(geometry)
    if not polys:
        return None
    xs = [p[0] for poly in polys for p in poly[0]]
    ys = [p[1] for poly in polys for p in poly[0]]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    lat0 = math.radians((y0 + y1) / 2)
    m_per_deg_y = math.radians(1) * EARTH_RADIUS_M
    m_per_deg_x = m_per_deg_y * math.cos(lat0)
    width_m, height_m = (x1 - x0) * m_per_deg_x, (y1 - y0) * m_per_deg_y
    cell_m = max(reach_m, math.sqrt(max(width_m * height_m, 1.0) / max_cells))
    nx, ny = max(1, math.ceil(width_m / cell_m)), max(1, math.ceil(height_m / cell_m))
    dx, dy = cell_m / m_per_deg_x, cell_m / m_per_deg_y
    cells: set[tuple[int, int]] = set()
    rings = [ring for poly in polys for ring in poly]
    for j in range(ny):  # scanlines: where each row's centre line crosses the rings (even-odd)
        y = y0 + (j + 0.5) * dy
        xs_cross = sorted(
            a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            for ring in rings
            for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
            if (a[1] > y) != (b[1] > y)
        )
        for start, end in zip(xs_cross[::2], xs_cross[1::2], strict=False):
            first = max(0, math.ceil((start - x0) / dx - 0.5))
            last = min(nx - 1, math.floor((end - x0) / dx - 0.5))
            cells.update((i, j) for i in range(first, last + 1))
    radius = max(0, math.ceil(reach_m / cell_m - 0.5))
    return Raster(cells, x0, y0, dx, dy, cell_m, radius)


@functools.lru_cache(maxsize=128)
def _cached_raster(key: str, reach_m: float, max_cells: int) -> Raster | None:
    return raster(json.loads(key), reach_m, max_cells)


def cached_raster(
    geometry: dict | None, reach_m: float = 100.0, max_cells: int = 2500
) -> Raster | None:
    """`raster`, remembered per polygon (many patrols of one zone are measured against it)."""
    if not geometry:
        return None
    return _cached_raster(json.dumps(geometry, sort_keys=True), reach_m, max_cells)


def coverage(
    geometry: dict | None,
    segments: Iterable[Sequence[Fix]],
    reach_m: float = 100.0,
    max_cells: int = 2500,
) -> float:
    """Share (0–1) of the zone seen by the patrol: a cell of the zone's raster is covered
    when the track passes within about `reach_m` of its centre."""
    grid = cached_raster(geometry, reach_m, max_cells)
    return grid.share(segments) if grid is not None else 0.0


def compact(segments: Sequence[Sequence[Fix]], every: int = 1) -> list[list[list[float]]]:
    """Segments as [[lng, lat], …] lists for the map (every n-th fix and the last)."""
    out = []
    for segment in segments:
        picked = list(segment[::every])
        if segment and picked[-1] is not segment[-1]:
            picked.append(segment[-1])
        out.append([[round(f[2], 6), round(f[1], 6)] for f in picked])
    return out
