"""The shape of a demo county, decided before any row is built.

A plan fixes, for a size and a seed, every town, community and grid with its code and name,
and every compound with its buildings, units, committee and the number of party members on
its owner committee. The `county` size reproduces exactly the compound figures that 新余市渝水区
reports for its 无物业小区 compound governance (590 compounds, 4,759 building heads, 10,351 unit
heads, 386 owner committees, 204 property-management committees, 707 party members on owner
committees); a building head per building and a unit head per unit make those duty counts equal the
building and unit counts. Households per unit and residents per household are drawn later,
town by town, so a plan stays small even for the `large` size.
"""

import random
from dataclasses import dataclass, field

from . import names
from .names import cn_number

COUNTY_CODE = "360732000000"
COUNTY_NAME = "兴国县"
# The county stands under its real city and province (statistical division codes).
ABOVE_COUNTY = (("province", "360000000000", "江西省"), ("city", "360700000000", "赣州市"))


@dataclass(frozen=True)
class SizeSpec:
    """Targets for one size; `towns` is (街道, 镇, 乡)."""

    towns: tuple[int, int, int]
    compounds: int
    buildings: int
    units: int
    owner_committees: int
    pmcs: int
    oc_party_members: int
    village_households: int
    households_per_unit: tuple[int, int]
    neighbourhood_centres: int
    # (社区 range, 村 range) per town, overriding COMMUNITIES for the test-sized county.
    communities: tuple[tuple[int, int], tuple[int, int]] | None = None


SIZES: dict[str, SizeSpec] = {
    "tiny": SizeSpec((0, 1, 0), 4, 14, 28, 2, 2, 4, 90, (3, 4), 1, ((1, 1), (2, 2))),
    "small": SizeSpec((1, 2, 0), 30, 240, 520, 20, 10, 36, 1000, (3, 5), 2),
    "county": SizeSpec((2, 13, 5), 590, 4759, 10351, 386, 204, 707, 9000, (3, 4), 6),
    "large": SizeSpec((3, 18, 4), 4000, 32000, 70000, 2600, 1400, 4800, 75000, (3, 6), 12),
}

TOWN_SUFFIX = {"street": "街道", "town": "镇", "township": "乡"}
# Statistical codes number 街道 from 001, 镇 from 100, 乡 from 200 within a county.
TOWN_CODE_BASE = {"street": 1, "town": 100, "township": 200}
# Share of the county's compounds each kind of town attracts (the urban core takes most).
COMPOUND_WEIGHT = {"street": 10.0, "town": 1.5, "township": 0.25}
# (社区 range, 村 range) per kind of town.
COMMUNITIES = {"street": ((6, 10), (0, 2)), "town": ((1, 3), (4, 8)), "township": ((1, 1), (4, 7))}
P2_BAOLIAN = (66, 323)  # 德兴市泗洲镇 周五入户: 66 party members, 320+ households


@dataclass
class CompoundPlan:
    name: str
    units: list[int]  # units per building
    committee: str  # "owner" (业委会) or "pmc" (物管会)
    party_seats: int = 0  # party members on the owner committee


@dataclass
class GridPlan:
    number: int
    compounds: list[CompoundPlan] = field(default_factory=list)
    loose_households: int = 0  # village houses, or street houses outside any compound


@dataclass
class CommunityPlan:
    code: str
    name: str
    urban: bool
    grids: list[GridPlan] = field(default_factory=list)
    neighbourhood_centre: bool = False


@dataclass
class TownPlan:
    index: int
    kind: str
    code: str
    name: str
    communities: list[CommunityPlan] = field(default_factory=list)
    p2: bool = False  # the 周五入户 town (德兴市泗洲镇's figures)

    @property
    def compounds(self) -> list[CompoundPlan]:
        return [c for cm in self.communities for g in cm.grids for c in g.compounds]


@dataclass
class CountyPlan:
    size: str
    seed: int
    spec: SizeSpec
    towns: list[TownPlan]

    def totals(self) -> dict[str, int]:
        compounds = [c for t in self.towns for c in t.compounds]
        return {
            "towns": len(self.towns),
            "communities": sum(len(t.communities) for t in self.towns),
            "grids": sum(len(cm.grids) for t in self.towns for cm in t.communities),
            "compounds": len(compounds),
            "buildings": sum(len(c.units) for c in compounds),
            "units": sum(sum(c.units) for c in compounds),
            "owner_committees": sum(c.committee == "owner" for c in compounds),
            "pmcs": sum(c.committee == "pmc" for c in compounds),
            "oc_party_members": sum(c.party_seats for c in compounds),
        }


def spread(
    total: int,
    bins: int,
    rng: random.Random,
    minimum: int = 0,
    weights: list[float] | None = None,
    cap: int | None = None,
) -> list[int]:
    """Split `total` into `bins` integers ≥ `minimum` (and ≤ `cap`), at random by weight."""
    if bins == 0:
        return []
    counts = [minimum] * bins
    left = total - minimum * bins
    if left < 0 or (cap is not None and total > cap * bins):
        raise ValueError(f"无法把 {total} 分到 {bins} 份（每份 {minimum}–{cap}）")
    population = range(bins)
    while left > 0:
        for i in rng.choices(population, weights, k=left):
            if cap is None or counts[i] < cap:
                counts[i] += 1
                left -= 1
    return counts


def build_plan(size: str, seed: int) -> CountyPlan:
    """The deterministic skeleton of the demo county for (size, seed)."""
    if size not in SIZES:
        raise ValueError(f"未知的规模 {size}（可选：{', '.join(SIZES)}）")
    spec = SIZES[size]
    rng = random.Random(f"{seed}/plan")
    towns = _towns(spec, rng)
    compounds = _compounds(spec, rng)
    _place_compounds(towns, compounds, rng)
    _place_village_households(towns, spec.village_households, rng)
    _mark_centres(towns, spec.neighbourhood_centres)
    for town in towns:
        if town.kind != "street" and _household_estimate(town, spec) > P2_BAOLIAN[1] * 1.2:
            town.p2 = True
            break
    return CountyPlan(size, seed, spec, towns)


def _towns(spec: SizeSpec, rng: random.Random) -> list[TownPlan]:
    taken: set[str] = set()
    town_names = names.unique_names(rng, names.TOWN_HEADS, names.TOWN_TAILS, taken)
    community_taken: set[str] = set()
    towns: list[TownPlan] = []
    for kind, count in zip(("street", "town", "township"), spec.towns, strict=True):
        for k in range(count):
            code = f"{COUNTY_CODE[:6]}{TOWN_CODE_BASE[kind] + k:03d}000"
            town = TownPlan(len(towns), kind, code, next(town_names) + TOWN_SUFFIX[kind])
            counts = spec.communities or COMMUNITIES[kind]
            town.communities = _communities(town, counts, rng, community_taken)
            towns.append(town)
    return towns


def _communities(
    town: TownPlan,
    counts: tuple[tuple[int, int], tuple[int, int]],
    rng: random.Random,
    taken: set[str],
) -> list[CommunityPlan]:
    (u_lo, u_hi), (v_lo, v_hi) = counts
    urban_words = [w for w in names.COMMUNITY_WORDS if w not in taken]
    out: list[CommunityPlan] = []
    villages = names.unique_names(rng, names.VILLAGE_HEADS, names.VILLAGE_TAILS, taken)
    for k in range(rng.randint(u_lo, u_hi)):
        word = urban_words.pop(rng.randrange(len(urban_words))) if urban_words else next(villages)
        taken.add(word)
        out.append(CommunityPlan(f"{town.code[:9]}{k + 1:03d}", word + "社区", urban=True))
    for k in range(rng.randint(v_lo, v_hi)):
        out.append(
            CommunityPlan(f"{town.code[:9]}{200 + k + 1:03d}", next(villages) + "村", urban=False)
        )
    for community in out:
        grid_count = rng.randint(3, 6) if community.urban else rng.randint(2, 4)
        community.grids = [GridPlan(n + 1) for n in range(grid_count)]
    return out


def _compounds(spec: SizeSpec, rng: random.Random) -> list[CompoundPlan]:
    """Compounds with exact totals of buildings, units, committees and party seats."""
    sizes = [rng.lognormvariate(0, 0.8) for _ in range(spec.compounds)]
    buildings = spread(spec.buildings, spec.compounds, rng, minimum=1, weights=sizes, cap=60)
    units = spread(
        spec.units,
        spec.buildings,
        rng,
        minimum=1,
        weights=[rng.choice((1, 2, 2, 3)) for _ in range(spec.buildings)],
        cap=6,
    )
    plans: list[CompoundPlan] = []
    at = 0
    for n in buildings:
        plans.append(CompoundPlan("", units[at : at + n], committee="pmc"))
        at += n
    # Larger compounds are likelier to have elected an owner committee (weighted sampling
    # without replacement: the k largest keys of u^(1/w)).
    keys = sorted(range(len(plans)), key=lambda i: rng.random() ** (1 / len(plans[i].units)))
    owners = keys[-spec.owner_committees :] if spec.owner_committees else []
    for i in owners:
        plans[i].committee = "owner"
    seats = spread(
        spec.oc_party_members,
        len(owners),
        rng,
        weights=[len(plans[i].units) ** 0.5 for i in owners],
        cap=5,
    )
    for i, n in zip(owners, seats, strict=True):
        plans[i].party_seats = n
    assert spec.owner_committees + spec.pmcs == spec.compounds  # one committee per compound
    return plans


def _place_compounds(
    towns: list[TownPlan], compounds: list[CompoundPlan], rng: random.Random
) -> None:
    grids = [(t, g) for t in towns for cm in t.communities if cm.urban for g in cm.grids]
    weights = [COMPOUND_WEIGHT[t.kind] for t, _ in grids]
    rng.shuffle(compounds)
    per_grid = spread(len(compounds), len(grids), rng, weights=weights, cap=999)
    at = 0
    for (_town, grid), n in zip(grids, per_grid, strict=True):
        grid.compounds = compounds[at : at + n]
        at += n
    for town in towns:
        taken: set[str] = set()
        for compound in town.compounds:
            compound.name = _compound_name(rng, taken)


def _compound_name(rng: random.Random, taken: set[str]) -> str:
    for _ in range(50):
        name = rng.choice(names.COMPOUND_HEADS) + rng.choice(names.COMPOUND_TAILS)
        if name not in taken:
            break
    phase = 2
    base = name
    while name in taken:  # a common name reused in one town becomes 二期, 三期 …
        name = f"{base}{cn_number(phase)}期"
        phase += 1
    taken.add(name)
    return name


def _place_village_households(towns: list[TownPlan], total: int, rng: random.Random) -> None:
    """Village households go to rural grids; urban grids without compounds get street houses."""
    grids = [
        g
        for t in towns
        for cm in t.communities
        for g in cm.grids
        if not cm.urban or not g.compounds
    ]
    weights = [1.0 if g.compounds == [] else 0.0 for g in grids]
    per_grid = spread(
        total,
        len(grids),
        rng,
        minimum=min(10, total // max(len(grids), 1)),
        weights=weights,
        cap=999,
    )
    for grid, n in zip(grids, per_grid, strict=True):
        grid.loose_households = n


def _mark_centres(towns: list[TownPlan], count: int) -> None:
    """睦邻中心 go to the urban communities with the most compounds."""
    urban = [cm for t in towns for cm in t.communities if cm.urban]
    urban.sort(key=lambda cm: -sum(len(g.compounds) for g in cm.grids))
    for community in urban[:count]:
        community.neighbourhood_centre = True


def _household_estimate(town: TownPlan, spec: SizeSpec) -> float:
    per_unit = sum(spec.households_per_unit) / 2
    loose = sum(g.loose_households for cm in town.communities for g in cm.grids)
    return loose + per_unit * sum(sum(c.units) for c in town.compounds)
