"""The track cleaning and measuring module (pure Python): the issue's fixtures — straight,
winding, with a GPS jump, with a two-hour gap, walked by three rangers together — each within
2 % of the true length, and property tests."""

import itertools
import math
import random

from hypothesis import given
from hypothesis import strategies as st

from apps.forestry import track

LAT0, LNG0 = 26.95, 115.20
M_LAT = 1 / 111_195.0  # degrees per metre north
M_LNG = 1 / (111_195.0 * math.cos(math.radians(LAT0)))
T0 = 1_780_000_000.0 - (1_780_000_000 + 8 * 3600) % 86400 + 8 * 3600  # 08:00 local


def at(x_m: float, y_m: float) -> tuple[float, float]:
    return LAT0 + y_m * M_LAT, LNG0 + x_m * M_LNG


def walk(
    curve,
    length_m: float,
    *,
    t0: float = T0,
    speed: float = 1.2,
    every: float = 15,
    noise_m: float = 0.0,
    seed: int = 1,
    offset=(0.0, 0.0),
):
    """Fixes along `curve(s) -> (x, y)` (s = metres along it) every `every` seconds, and the
    true length of the stretch walked (the dense curve, 1 m steps)."""
    rng = random.Random(seed)
    fixes, s, t = [], 0.0, t0
    while s <= length_m:
        x, y = curve(s)
        lat, lng = at(x + offset[0] + rng.gauss(0, noise_m), y + offset[1] + rng.gauss(0, noise_m))
        fixes.append((t, lat, lng, 8.0))
        s += speed * every
        t += every
    walked = s - speed * every
    return fixes, true_length(curve, walked)


def true_length(curve, upto: float) -> float:
    total, prev = 0.0, curve(0.0)
    for k in range(1, int(upto) + 1):
        nxt = curve(float(k))
        total += math.dist(prev, nxt)
        prev = nxt
    return total


def straight(s: float) -> tuple[float, float]:
    return s * 0.8, s * 0.6


def winding(s: float) -> tuple[float, float]:
    # a hill path: a gentle sine across the slope, 60 m amplitude, 500 m wavelength
    return s, 60 * math.sin(2 * math.pi * s / 500)


def within(measured: float, true: float, share: float = 0.02) -> bool:
    return abs(measured - true) <= share * true


def test_straight_within_two_percent():
    fixes, true = walk(straight, 6000, noise_m=2)
    m = track.clean(fixes)
    assert within(m.distance_m, true), (m.distance_m, true)
    assert len(m.segments) == 1


def test_winding_within_two_percent():
    fixes, true = walk(winding, 8000, noise_m=2)
    m = track.clean(fixes)
    assert within(m.distance_m, true), (m.distance_m, true)


def test_gps_jump_is_dropped():
    fixes, true = walk(winding, 5000, noise_m=2)
    t, lat, lng, acc = fixes[100]
    fixes[100] = (t, lat + 0.02, lng + 0.02, acc)  # ~3 km off for one fix
    naive = sum(track.haversine_m(a[1], a[2], b[1], b[2]) for a, b in itertools.pairwise(fixes))
    m = track.clean(fixes)
    assert naive > true + 5000  # the jump alone adds ~6 km to a naive sum
    assert within(m.distance_m, true), (m.distance_m, true)
    assert m.dropped >= 1


def test_two_hour_gap_splits_and_is_not_counted():
    first, true1 = walk(straight, 3000)
    second, true2 = walk(
        lambda s: (2400 + 1500 + s, 1800 + s * 0.2), 2000, t0=first[-1][0] + 2 * 3600
    )
    m = track.clean(first + second)
    assert len(m.segments) == 2
    assert within(m.distance_m, true1 + true2), (m.distance_m, true1 + true2)
    assert m.duration_s < 3 * 3600  # the gap is not walking time


def test_three_rangers_together_counted_once():
    walkers, trues = {}, []
    for n in range(3):
        fixes, true = walk(winding, 7000, noise_m=2, seed=n, offset=(0, 2.0 * n))
        walkers[f"ranger{n}"] = fixes
        trues.append(true)
    patrol, each = track.measure_walkers(walkers)
    assert len(each) == 3
    assert within(patrol.distance_m, trues[0]), (patrol.distance_m, trues[0])
    assert patrol.distance_m < 1.1 * trues[0]  # not three times the route


def test_separate_days_never_joined():
    # a walk from 23:53 to 00:07 local: split at midnight, one step lost, nothing bridged
    fixes, true = walk(straight, 1000, t0=T0 + 16 * 3600 - 420)
    m = track.clean(fixes)
    days = {int((s[0][0] + 8 * 3600) // 86400) for s in m.segments}
    assert len(m.segments) == 2 and len(days) == 2
    assert within(m.distance_m, true, 0.03)
    assert m.distance_m < true


def test_relocation_by_car_starts_a_new_segment():
    first, true1 = walk(straight, 1500)
    # driven 8 km in 10 minutes (48 km/h), then walking again
    second, true2 = walk(lambda s: (8000 + s, 0.0), 1500, t0=first[-1][0] + 540)
    m = track.clean(first + second)
    assert len(m.segments) == 2
    assert within(m.distance_m, true1 + true2)


def test_pause_excludes_points():
    fixes, _ = walk(straight, 3000)
    mid = fixes[len(fixes) // 2][0]
    m = track.clean(fixes, pauses=[(mid, mid + 300)])
    assert len(m.segments) == 2
    assert m.dropped >= 20


def test_standing_still_adds_nothing():
    rng = random.Random(3)
    fixes = [(T0 + 15 * k, *at(rng.gauss(0, 1.5), rng.gauss(0, 1.5)), 5.0) for k in range(200)]
    naive = sum(track.haversine_m(a[1], a[2], b[1], b[2]) for a, b in itertools.pairwise(fixes))
    assert naive > 300
    assert track.clean(fixes).distance_m < 0.15 * naive  # 50 minutes standing: tens of metres


def test_bad_accuracy_and_duplicates_dropped():
    fixes, true = walk(straight, 2000)
    noisy = [*fixes, fixes[10], (fixes[5][0] + 1, 0.0, 0.0, 500.0)]
    m = track.clean(noisy)
    assert within(m.distance_m, true)


def zone():
    ring = [at(0, 0), at(1000, 0), at(1000, 1000), at(0, 1000), at(0, 0)]
    return {"type": "Polygon", "coordinates": [[[lng, lat] for lat, lng in ring]]}


def test_polygon_area_in_mu():
    assert abs(track.polygon_area_mu(zone()) - 1500) < 15  # 1 km² = 1500 亩


def test_coverage_of_a_crossing_and_none_outside():
    fixes, _ = walk(lambda s: (s, 500.0), 1000, every=5)
    m = track.clean(fixes)
    share = track.coverage(zone(), m.segments, reach_m=100)
    assert 0.1 < share < 0.35  # a 200 m wide band across a 1 km square
    outside, _ = walk(lambda s: (s, 5000.0), 1000)
    assert track.coverage(zone(), track.clean(outside).segments) == 0.0


def test_inside_polygon():
    lat, lng = at(500, 500)
    assert track.inside(zone(), lng, lat)
    lat, lng = at(1500, 500)
    assert not track.inside(zone(), lng, lat)


@given(
    st.lists(
        st.tuples(st.floats(0, 20_000), st.floats(-200, 200), st.floats(-200, 200)),
        max_size=60,
    )
)
def test_cleaned_distance_never_exceeds_naive_and_never_negative(raw):
    fixes = [(T0 + t, *at(x, y)) for t, x, y in raw]
    m = track.clean(fixes)
    ordered = sorted({f[0]: f for f in fixes}.values())
    naive = sum(track.haversine_m(a[1], a[2], b[1], b[2]) for a, b in itertools.pairwise(ordered))
    assert 0 <= m.distance_m <= naive + 1e-6
    assert m.kept + m.dropped <= len(fixes)
    for segment in m.segments:
        assert all(a[0] < b[0] for a, b in itertools.pairwise(segment))


@given(st.lists(st.floats(0, 3600), min_size=2, max_size=40), st.integers(2, 4))
def test_copies_of_one_track_count_once(times, copies):
    fixes = [(T0 + t, *at(t * 1.0, 0.0)) for t in sorted(set(times))]
    one = track.clean(fixes).distance_m
    patrol, _ = track.measure_walkers({n: list(fixes) for n in range(copies)})
    assert math.isclose(patrol.distance_m, one)


@given(st.permutations(list(range(30))))
def test_order_of_arrival_does_not_matter(order):
    fixes, _ = walk(winding, 30 * 18 - 1)
    shuffled = [fixes[i] for i in order if i < len(fixes)]
    assert math.isclose(track.clean(shuffled).distance_m, track.clean(fixes).distance_m)


@given(st.lists(st.tuples(st.floats(-1000, 1000), st.floats(-1000, 1000)), min_size=3, max_size=9))
def test_raster_scanlines_agree_with_point_in_polygon(corners):
    ring = [[lng, lat] for lat, lng in (at(x, y) for x, y in corners)]
    geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    grid = track.raster(geometry, reach_m=50, max_cells=400)
    assert grid is not None
    reference = {
        (i, j)
        for i in range(-1, 60)
        for j in range(-1, 60)
        if track.inside(geometry, grid.x0 + (i + 0.5) * grid.dx, grid.y0 + (j + 0.5) * grid.dy)
    }
    assert grid.cells == reference
