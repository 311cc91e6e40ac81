"""The exact batch-dispatch solver: orders × volunteers, pure numpy/scipy, no database.

Hard constraints decide which (order, volunteer) pairs exist at all: within `radius_km`
(haversine), holding at least one of the order's required skills (when it names any), holding
its required certificates (all of them), available at the order's time, and with room under
`k` open orders (current load counted). A volunteer with room for c more orders becomes c
slots; slot s costs `w_load * (load + s)` on top of the pair's cost, so filling a volunteer's
slots in order is exactly a convex load-balance cost.

Pair cost = w_km * km + w_skill * (share of required skills missing) − w_continuity (when the
volunteer served the order's household before) + the slot's load cost.

Objective (lexicographic): assign as many orders as possible, then minimise the total cost.
Each order also gets its own dummy column at a penalty larger than any set of real costs can
offset, so "unassigned" is a legal outcome and only taken when no augmenting assignment
exists. The graph is sparse (only feasible pairs) and solved exactly with
scipy.sparse.csgraph.min_weight_full_bipartite_matching (LAPJVsp).

Candidate search: orders and volunteers are projected to kilometres (equirectangular at the
area's most poleward latitude) and a KD-tree returns the pairs inside the radius (a bounding
box search in C)
before the exact haversine distance and the other constraints are applied as vectorised masks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching
from scipy.spatial import cKDTree

EARTH_KM = 6371.0088
KM_PER_DEG_LAT = 110.574


@dataclass(frozen=True)
class Weights:
    km: float = 1.0
    skill: float = 3.0
    load: float = 1.0
    continuity: float = 2.0


@dataclass
class Problem:
    """Arrays describing one batch. Skills and certificates are bitmasks (bit b = code b).
    `order_slot[i]` indexes the column of `vol_available` that holds order i's time."""

    order_lnglat: np.ndarray  # (n, 2) float
    vol_lnglat: np.ndarray  # (m, 2) float
    order_skills: np.ndarray  # (n,) int64, 0: no skill required
    vol_skills: np.ndarray  # (m,) int64
    order_certs: np.ndarray  # (n,) int64, 0: no certificate required
    vol_certs: np.ndarray  # (m,) int64
    order_slot: np.ndarray  # (n,) int
    vol_available: np.ndarray  # (m, T) bool
    vol_load: np.ndarray  # (m,) int, open orders already held
    k: int = 3
    radius_km: float = 5.0
    weights: Weights = field(default_factory=Weights)
    # (order index, volunteer index) pairs where the volunteer served that household before
    continuity: set[tuple[int, int]] = field(default_factory=set)
    # extra veto (e.g. the case engine's "may handle"): mask over candidate pairs
    pair_ok: object = None

    @property
    def n(self) -> int:
        return len(self.order_lnglat)

    @property
    def m(self) -> int:
        return len(self.vol_lnglat)

    @property
    def capacity(self) -> np.ndarray:
        return np.maximum(0, self.k - self.vol_load).astype(np.int64)


@dataclass
class Pairs:
    """The feasible pairs: order rows, volunteer cols, distance and cost without load."""

    rows: np.ndarray
    cols: np.ndarray
    km: np.ndarray
    cost: np.ndarray
    continuity: np.ndarray


@dataclass
class Solution:
    assignment: np.ndarray  # (n,) volunteer index, -1 unassigned
    pair_cost: np.ndarray  # (n,) cost of the order's assignment (nan when unassigned)
    km: np.ndarray  # (n,) distance (nan when unassigned)
    continuity: np.ndarray  # (n,) bool

    @property
    def unassigned(self) -> int:
        return int((self.assignment < 0).sum())

    @property
    def total_cost(self) -> float:
        return float(np.nansum(self.pair_cost))


def haversine_km(lng1: np.ndarray, lat1: np.ndarray, lng2: np.ndarray, lat2: np.ndarray):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lng2 - lng1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _project(lnglat: np.ndarray, lat0: float) -> np.ndarray:
    kx = KM_PER_DEG_LAT * np.cos(np.radians(lat0))
    return np.column_stack([lnglat[:, 0] * kx, lnglat[:, 1] * KM_PER_DEG_LAT])


def candidate_pairs(p: Problem) -> Pairs:
    """Every (order, volunteer) pair that meets the hard constraints, with its base cost."""
    empty = np.zeros(0, dtype=np.int64)
    cap = p.capacity
    if p.n == 0 or p.m == 0:
        return Pairs(empty, empty, empty * 1.0, empty * 1.0, empty.astype(bool))
    # Project at the most poleward latitude, where a degree of longitude is shortest: projected
    # distances then never exceed true ones, so the tree misses no pair; the exact haversine
    # test below has the last word.
    lat0 = float(np.abs(np.concatenate([p.order_lnglat[:, 1], p.vol_lnglat[:, 1]])).max())
    pad = 1.01
    free = np.flatnonzero(cap > 0)
    if len(free) == 0:
        return Pairs(empty, empty, empty * 1.0, empty * 1.0, empty.astype(bool))
    tree_o = cKDTree(_project(p.order_lnglat, lat0))
    tree_v = cKDTree(_project(p.vol_lnglat[free], lat0))
    near = tree_o.sparse_distance_matrix(tree_v, p.radius_km * pad, output_type="ndarray")
    rows = near["i"].astype(np.int64)
    cols = free[near["j"]]
    # Cheap integer tests first, the haversine only on what survives them.
    need, have = p.order_skills[rows], p.vol_skills[cols]
    certs_needed = p.order_certs[rows]
    ok = (
        ((need == 0) | ((need & have) != 0))
        & ((certs_needed & p.vol_certs[cols]) == certs_needed)
        & p.vol_available[cols, p.order_slot[rows]]
    )
    rows, cols = rows[ok], cols[ok]
    o, v = p.order_lnglat, p.vol_lnglat
    km = haversine_km(o[rows, 0], o[rows, 1], v[cols, 0], v[cols, 1])
    ok = km <= p.radius_km
    rows, cols, km = rows[ok], cols[ok], km[ok]
    need, have = p.order_skills[rows], p.vol_skills[cols]
    if callable(p.pair_ok) and len(rows):
        keep = np.asarray(p.pair_ok(rows, cols), dtype=bool)
        rows, cols, km, need, have = rows[keep], cols[keep], km[keep], need[keep], have[keep]
    missing = np.bitwise_count(need & ~have).astype(float)
    share = np.where(need != 0, missing / np.maximum(np.bitwise_count(need), 1), 0.0)
    if p.continuity and len(rows):
        keys = rows * p.m + cols
        served = np.array([i * p.m + j for i, j in p.continuity], dtype=np.int64)
        again = np.isin(keys, served)
    else:
        again = np.zeros(len(rows), dtype=bool)
    w = p.weights
    cost = w.km * km + w.skill * share - w.continuity * again
    return Pairs(rows, cols, km, cost, again)


def _pack(p: Problem, pairs: Pairs, chosen: np.ndarray, slot_cost: np.ndarray) -> Solution:
    assignment = np.full(p.n, -1, dtype=np.int64)
    pair_cost = np.full(p.n, np.nan)
    km = np.full(p.n, np.nan)
    again = np.zeros(p.n, dtype=bool)
    rows = pairs.rows[chosen]
    assignment[rows] = pairs.cols[chosen]
    pair_cost[rows] = slot_cost
    km[rows] = pairs.km[chosen]
    again[rows] = pairs.continuity[chosen]
    return Solution(assignment, pair_cost, km, again)


def _match(p: Problem, pairs: Pairs, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Optimal matching of the pairs `idx` (one connected component): the chosen pair indices
    and the cost of each, load slot included."""
    cap = p.capacity
    orders, order_pos = np.unique(pairs.rows[idx], return_inverse=True)
    vols, vol_pos = np.unique(pairs.cols[idx], return_inverse=True)
    n = len(orders)
    # Expand each pair over the volunteer's free slots: slot s of volunteer j is column
    # start[j] + s and adds w_load * (load_j + s).
    vcap = cap[vols]
    start = np.concatenate([[0], np.cumsum(vcap)[:-1]])
    reps = vcap[vol_pos]
    edge_pair = np.repeat(np.arange(len(idx)), reps)
    s = np.arange(len(edge_pair)) - np.repeat(np.cumsum(reps) - reps, reps)
    edge_rows = order_pos[edge_pair]
    edge_cols = start[vol_pos[edge_pair]] + s
    edge_cost = pairs.cost[idx][edge_pair] + p.weights.load * (
        p.vol_load[vols][vol_pos[edge_pair]] + s
    )
    n_slots = int(vcap.sum())
    # A dummy column per order. Any assignment of r orders costs at most r * spread, so a
    # penalty above n * spread makes one more assigned order worth more than any saving.
    shifted = edge_cost - float(edge_cost.min()) + 1.0  # LAPJVsp wants positive weights
    penalty = float(shifted.max()) * (n + 1) + 1.0
    graph = csr_matrix(
        (
            np.concatenate([shifted, np.full(n, penalty)]),
            (
                np.concatenate([edge_rows, np.arange(n)]),
                np.concatenate([edge_cols, n_slots + np.arange(n)]),
            ),
        ),
        shape=(n, n_slots + n),
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    width = n_slots + n
    real = col_ind < n_slots
    # Each (order, slot) cell holds exactly one edge: find it by its flat position.
    cells = edge_rows * width + edge_cols
    order = np.argsort(cells)
    found = order[np.searchsorted(cells, row_ind[real] * width + col_ind[real], sorter=order)]
    return idx[edge_pair[found]], edge_cost[found]


def solve(p: Problem, pairs: Pairs | None = None) -> Solution:
    """The exact optimum (most orders assigned, then least total cost). Orders and volunteers
    fall apart into connected components of the candidate graph (towns, mostly); each is
    matched on its own, which is exact and much faster than one large matching."""
    pairs = pairs if pairs is not None else candidate_pairs(p)
    usable = np.flatnonzero(p.capacity[pairs.cols] > 0)
    if len(usable) == 0:
        return _pack(p, pairs, np.zeros(0, dtype=np.int64), np.zeros(0))
    graph = coo_matrix(
        (np.ones(len(usable)), (pairs.rows[usable], p.n + pairs.cols[usable])),
        shape=(p.n + p.m, p.n + p.m),
    )
    _, label = connected_components(graph, directed=False)
    pair_label = label[pairs.rows[usable]]
    by = np.argsort(pair_label, kind="stable")
    bounds = np.flatnonzero(np.diff(pair_label[by])) + 1
    chosen, costs = [], []
    for group in np.split(usable[by], bounds):
        c, cost = _match(p, pairs, group)
        chosen.append(c)
        costs.append(cost)
    return _pack(p, pairs, np.concatenate(chosen), np.concatenate(costs))


def greedy(p: Problem, pairs: Pairs | None = None) -> Solution:
    """Baseline: orders in turn take the nearest feasible volunteer with room left."""
    pairs = pairs if pairs is not None else candidate_pairs(p)
    left = p.capacity.copy()
    load = p.vol_load.astype(np.int64).copy()
    by = np.lexsort((pairs.km, pairs.rows))
    bounds = np.searchsorted(pairs.rows[by], np.arange(p.n + 1))
    chosen: list[int] = []
    costs: list[float] = []
    for i in range(p.n):
        for e in by[bounds[i] : bounds[i + 1]]:
            j = pairs.cols[e]
            if left[j] > 0:
                chosen.append(int(e))
                costs.append(float(pairs.cost[e] + p.weights.load * load[j]))
                left[j] -= 1
                load[j] += 1
                break
    return _pack(p, pairs, np.array(chosen, dtype=np.int64), np.array(costs))
