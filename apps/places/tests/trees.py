"""Random trees under the test world, for checks against brute-force counts."""

import random

from apps.core.testing.factories import PersonFactory, make_place
from apps.places.choices import PlaceKind
from apps.places.models import Place


def grow_community(town: Place, name: str, rng: random.Random, grids: int = 3) -> Place:
    """A community with grids of compounds → buildings → units → households, and village-style
    households hanging straight off a grid; each household with 0–4 residents."""
    community = make_place(PlaceKind.COMMUNITY, name, town)
    for g in range(grids):
        grid = make_place(PlaceKind.GRID, f"{name}{g + 1}网格", community)
        for _ in range(rng.randint(0, 3)):
            add_households(grid, rng, rng.randint(1, 4))
        for c in range(rng.randint(0, 2)):
            compound = make_place(PlaceKind.COMPOUND, f"{c + 1}号小区", grid)
            for b in range(rng.randint(1, 2)):
                building = make_place(PlaceKind.BUILDING, f"{b + 1}栋", compound)
                for u in range(rng.randint(1, 2)):
                    unit = make_place(PlaceKind.UNIT, f"{u + 1}单元", building)
                    add_households(unit, rng, rng.randint(1, 4))
    return community


def add_households(parent: Place, rng: random.Random, count: int) -> list[Place]:
    households = []
    for _ in range(count):
        household = make_place(PlaceKind.HOUSEHOLD, f"{rng.randint(100, 999)}室", parent)
        for _ in range(rng.randint(0, 4)):
            PersonFactory(place=household, active=rng.random() > 0.1)
        households.append(household)
    return households


def brute_households(node: Place) -> int:
    """Households under `node`, found by walking the tree in Python (the slow, obvious way)."""
    count = 0
    stack = [node]
    while stack:
        current = stack.pop()
        for child in current.children.all():
            count += child.kind == PlaceKind.HOUSEHOLD
            stack.append(child)
    return count
