"""The demo county as the case generator sees it: households with their residents and the
places above them, and the accounts that register, dispatch, handle and supervise cases.

Read back from the database after the county is written, ordered by code (places) and by
generation order (people, accounts), so a seed gives the same index whatever the row ids.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.cases.choices import Level
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import SEGMENT, Place, path_upper

from . import names
from .case_story import Actor
from .people import REFERENCE_DATE

KINDS = (
    PlaceKind.COUNTY,
    PlaceKind.TOWN,
    PlaceKind.COMMUNITY,
    PlaceKind.GRID,
    PlaceKind.COMPOUND,
    PlaceKind.BUILDING,
    PlaceKind.HOUSEHOLD,
)


@dataclass(frozen=True)
class Spot:
    id: int
    name: str
    address: str
    lng: float | None
    lat: float | None


@dataclass
class Home:
    """A household and the places above it."""

    place: Spot
    county: int
    town: int
    community: Spot
    grid: Spot
    compound: Spot | None
    building: Spot | None
    rural: bool
    residents: list[tuple[int, str, int]] = field(default_factory=list)  # id, name, age

    @property
    def units(self) -> dict[str, int]:
        return {
            Level.GRID: self.grid.id,
            Level.COMMUNITY: self.community.id,
            Level.TOWN: self.town,
            Level.COUNTY: self.county,
        }


class Cast:
    """Who does what: dispatchers per unit, handlers per case, supervisors per town."""

    def __init__(self, county_id: int) -> None:
        self.county_id = county_id
        self.by_scope: dict[tuple[str, int], list[Actor]] = defaultdict(list)
        self.departments: list[tuple[Actor, int]] = []  # county handler, its department

    def load(self) -> None:
        rows = User.objects.filter(is_active=True).order_by("id")
        for pk, role, scope_id, label in rows.values_list("id", "role", "scope_id", "display_name"):
            if scope_id is not None:
                self.by_scope[(role, scope_id)].append(Actor(pk, label))
        depts = dict(
            Organisation.objects.filter(
                kind=OrgKind.DEPARTMENT, name__in=names.DEPARTMENTS
            ).values_list("name", "id")
        )
        handlers = self.by_scope.get((Role.DEPT_HANDLER, self.county_id), [])
        for actor, name in zip(handlers, names.DEPARTMENTS, strict=False):
            if name in depts:
                self.departments.append((actor, depts[name]))

    def first(self, role: str, scope: int) -> Actor | None:
        found = self.by_scope.get((role, scope))
        return found[0] if found else None

    def dispatcher(self, level: str, unit: int, rng: random.Random) -> Actor:
        """A dispatching account of `unit`: its grid worker, community or town staff, or at
        the county the leader or a department handler."""
        if level == Level.COUNTY:
            choices = self.by_scope.get((Role.COUNTY_LEADER, unit), []) + [
                a for a, _ in self.departments
            ]
            return rng.choice(choices)
        role = {
            Level.GRID: Role.GRID_WORKER,
            Level.COMMUNITY: Role.COMMUNITY_STAFF,
            Level.TOWN: Role.TOWN_STAFF,
        }[Level(level)]
        actor = self.first(role, unit)
        assert actor is not None, f"no {role} for unit {unit}"
        return actor

    def supervisor(self, home: Home, rng: random.Random) -> Actor:
        town = self.first(Role.TOWN_STAFF, home.town)
        leader = self.first(Role.COUNTY_LEADER, self.county_id)
        options = [a for a in (town, leader) if a is not None]
        return options[0] if len(options) == 1 or rng.random() < 0.7 else options[1]

    def handler(
        self, home: Home, level: str, kind: str, rng: random.Random
    ) -> tuple[Actor, int | None]:
        """Someone who may handle a case of `home` at `level` (`rules.may_handle`), and the
        department when the county handles it. Volunteers and party members of the
        community take service orders first."""
        if level == Level.COUNTY:
            if self.departments and rng.random() < 0.8:
                actor, dept = rng.choice(self.departments)
                return actor, dept
            return self.dispatcher(Level.TOWN, home.town, rng), None
        grid = self.first(Role.GRID_WORKER, home.grid.id)
        staff = self.first(Role.COMMUNITY_STAFF, home.community.id)
        town = self.first(Role.TOWN_STAFF, home.town)
        helpers = self.by_scope.get((Role.VOLUNTEER, home.community.id), []) + self.by_scope.get(
            (Role.PARTY_MEMBER, home.community.id), []
        )
        weighted: list[tuple[Actor | None, float]] = [
            (grid, 5 if level == Level.GRID else 4),
            (staff, 0 if level == Level.GRID else 3),
            (town, 5 if level == Level.TOWN else 0),
        ]
        if helpers:
            share = 6 if kind == "service_order" else 2
            weighted.append((rng.choice(helpers), share))
        options = [(a, w) for a, w in weighted if a is not None and w > 0]
        return rng.choices([a for a, _ in options], [w for _, w in options])[0], None  # type: ignore[return-value]

    def intake(self, home: Home, source: str) -> Actor | None:
        """The account registering a case from `source`; None when the resident did."""
        if source in ("visit", "patrol"):
            return self.first(Role.GRID_WORKER, home.grid.id)
        if source in ("hotline", "meeting"):
            return self.first(Role.COMMUNITY_STAFF, home.community.id)
        return None


def load_homes(county: Place) -> list[Home]:
    """Every household of the county with its residents (id, name, age), by code."""
    spots: dict[int, tuple[str, Spot]] = {}
    rural: set[int] = set()
    households: list[tuple[str, str, int]] = []
    rows = (
        Place.objects.filter(
            path__gte=county.path, path__lt=path_upper(county.path), kind__in=KINDS
        )
        .order_by("code")
        .values_list("id", "kind", "path", "code", "name", "address", "lng", "lat", "attributes")
    )
    for pk, kind, path, code, name, address, lng, lat, attributes in rows.iterator(2000):
        spots[pk] = (kind, Spot(pk, name, address or name, lng, lat))
        if kind == PlaceKind.COMMUNITY and (attributes or {}).get("type") == "村":
            rural.add(pk)
        if kind == PlaceKind.HOUSEHOLD:
            households.append((code, path, pk))
    homes: dict[int, Home] = {}
    for _code, path, pk in households:
        above = {spots[i][0]: spots[i][1] for i in _path_ids(path) if i in spots}
        community = above[PlaceKind.COMMUNITY]
        homes[pk] = Home(
            place=above[PlaceKind.HOUSEHOLD],
            county=above[PlaceKind.COUNTY].id,
            town=above[PlaceKind.TOWN].id,
            community=community,
            grid=above[PlaceKind.GRID],
            compound=above.get(PlaceKind.COMPOUND),
            building=above.get(PlaceKind.BUILDING),
            rural=community.id in rural,
        )
    people = Person.objects.order_by("id").values_list("id", "place_id", "name", "birth_date")
    for pk, place_id, name, born in people.iterator(5000):
        home = homes.get(place_id)
        if home is not None:
            home.residents.append((pk, name, _age(born)))
    return [h for h in homes.values() if any(age >= 18 for _, _, age in h.residents)]


def _path_ids(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT]) for i in range(0, len(path), SEGMENT)]


def _age(born: date | None) -> int:
    if born is None:
        return 40
    return (
        REFERENCE_DATE.year
        - born.year
        - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day))
    )
