"""One town of the demo county: its place tree, geometry and residents.

`build_town` turns a TownPlan into unsaved rows in a Sink and returns a TownState that the
organisation and duty steps (`society.py`) read to pick people for committees and duties.
"""

import random
from dataclasses import dataclass, field

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from apps.people.models import Person
from apps.places.actions import assign_path
from apps.places.choices import PlaceKind
from apps.places.models import Place, child_code

from . import geo, names
from .names import cn_number
from .people import IdNumbers, Member, ResidentFactory
from .plan import CommunityPlan, CompoundPlan, GridPlan, SizeSpec, TownPlan
from .writer import Row, Sink


@dataclass
class Unit:
    place: Row
    residents: list[Member] = field(default_factory=list)


@dataclass
class Building:
    place: Row
    units: list[Unit] = field(default_factory=list)

    @property
    def residents(self) -> list[Member]:
        return [m for u in self.units for m in u.residents]


@dataclass
class Compound:
    place: Row
    plan: CompoundPlan
    buildings: list[Building] = field(default_factory=list)

    @property
    def residents(self) -> list[Member]:
        return [m for b in self.buildings for m in b.residents]


@dataclass
class Grid:
    place: Row
    residents: list[Member] = field(default_factory=list)


@dataclass
class Community:
    place: Row
    plan: CommunityPlan
    grids: list[Grid] = field(default_factory=list)
    compounds: list[Compound] = field(default_factory=list)
    households: list[tuple[Row, list[Member]]] = field(default_factory=list)
    stations: list[Row] = field(default_factory=list)

    @property
    def residents(self) -> list[Member]:
        return [m for g in self.grids for m in g.residents]


@dataclass
class TownState:
    place: Row
    plan: TownPlan
    communities: list[Community] = field(default_factory=list)
    clinic: Row | None = None
    forest_zones: list[Row] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def residents(self) -> list[Member]:
        return [m for c in self.communities for m in c.residents]


def code_under(kind: str, parent: Row, number: int) -> str:
    return child_code(kind, parent, number)  # type: ignore[arg-type]  # a Row has .code too


class TownBuilder:
    """Builds the places and residents of one town into `sink`."""

    def __init__(
        self,
        plan: TownPlan,
        spec: SizeSpec,
        county: Row,
        area: BaseGeometry,
        sink: Sink,
        ids: IdNumbers,
        seed: int,
    ) -> None:
        self.plan = plan
        self.spec = spec
        self.county = county
        self.area = area
        self.sink = sink
        self.rng = random.Random(f"{seed}/town/{plan.index}")
        self.factory = ResidentFactory(self.rng, ids)
        self.kind_counts: dict[str, int] = {}

    def build(self) -> TownState:
        town = self.place(
            PlaceKind.TOWN,
            self.plan.code,
            self.plan.name,
            self.county,
            area=self.area,
            attributes={"type": self.plan.kind},
        )
        state = TownState(town, self.plan)
        cells = geo.split(self.area, len(self.plan.communities), self.rng)
        for community_plan, cell in zip(self.plan.communities, cells, strict=True):
            state.communities.append(self.community(town, community_plan, cell))
        self.town_specials(state)
        state.kinds = self.kind_counts
        return state

    def place(
        self,
        kind: str,
        code: str,
        name: str,
        parent: Row,
        *,
        area: BaseGeometry | None = None,
        point: Point | None = None,
        lnglat: tuple[float, float] | None = None,
        address: str = "",
        **fields: object,
    ) -> Row:
        """A place row with its id and path set, queued in the sink."""
        if lnglat is None and (area is not None or point is not None):
            lnglat = geo.lnglat(point or area)  # type: ignore[arg-type]
        place = self.sink.row(
            Place,
            kind=kind,
            code=code,
            name=name,
            parent=parent,
            parent_id=parent.pk,
            address=address,
            geometry=geo.to_geojson(area) if area is not None else None,
            lng=lnglat[0] if lnglat else None,
            lat=lnglat[1] if lnglat else None,
            **fields,
        )
        assign_path(place)  # type: ignore[arg-type]
        self.kind_counts[kind] = self.kind_counts.get(kind, 0) + 1
        return place

    def community(self, town: Row, plan: CommunityPlan, area: BaseGeometry) -> Community:
        place = self.place(
            PlaceKind.COMMUNITY,
            plan.code,
            plan.name,
            town,
            area=area,
            attributes={"type": "社区" if plan.urban else "村"},
        )
        community = Community(place, plan)
        cells = geo.split(area, len(plan.grids), self.rng)
        for grid_plan, cell in zip(plan.grids, cells, strict=True):
            community.grids.append(self.grid(community, grid_plan, cell))
        self.community_specials(community, area)
        return community

    def grid(self, community: Community, plan: GridPlan, area: BaseGeometry) -> Grid:
        name = f"{community.place.name}第{cn_number(plan.number)}网格"
        place = self.place(
            PlaceKind.GRID,
            code_under(PlaceKind.GRID, community.place, plan.number),
            name,
            community.place,
            area=area,
        )
        grid = Grid(place)
        centres = geo.random_points(area, len(plan.compounds), self.rng)
        for n, (compound_plan, centre) in enumerate(zip(plan.compounds, centres, strict=True)):
            compound = self.compound(community, grid, compound_plan, n + 1, centre)
            community.compounds.append(compound)
        if plan.loose_households:
            self.loose_households(community, grid, plan.loose_households, area)
        return grid

    def compound(
        self, community: Community, grid: Grid, plan: CompoundPlan, number: int, centre: Point
    ) -> Compound:
        road = self.rng.choice(names.ROADS)
        address = f"{road}{self.rng.randint(1, 300)}号"
        place = self.place(
            PlaceKind.COMPOUND,
            code_under(PlaceKind.COMPOUND, grid.place, number),
            plan.name,
            grid.place,
            area=geo.footprint(centre, self.rng),
            point=centre,
            address=address,
        )
        compound = Compound(place, plan)
        for b, unit_count in enumerate(plan.units, start=1):
            spot = geo.jitter(centre, self.rng, 0.0005)
            building = self.place(
                PlaceKind.BUILDING,
                code_under(PlaceKind.BUILDING, place, b),
                f"{b}栋",
                place,
                point=spot,
                address=f"{address}{b}栋",
            )
            compound.buildings.append(self.building(community, grid, building, unit_count))
        return compound

    def building(self, community: Community, grid: Grid, place: Row, units: int) -> Building:
        building = Building(place)
        lnglat = (place.lng, place.lat)
        lo, hi = self.spec.households_per_unit
        for u in range(1, units + 1):
            unit_place = self.place(
                PlaceKind.UNIT,
                code_under(PlaceKind.UNIT, place, u),
                f"{u}单元",
                place,
                lnglat=lnglat,  # type: ignore[arg-type]
                address=f"{place.address}{u}单元",
            )
            unit = Unit(unit_place)
            for h in range(self.rng.randint(lo, hi)):
                room = f"{h // 2 + 1}0{h % 2 + 1}室"
                household = self.place(
                    PlaceKind.HOUSEHOLD,
                    code_under(PlaceKind.HOUSEHOLD, unit_place, h + 1),
                    room,
                    unit_place,
                    lnglat=lnglat,  # type: ignore[arg-type]
                    address=f"{unit_place.address}{room}",
                )
                members = self.residents(household, urban=True)
                unit.residents.extend(members)
                grid.residents.extend(members)
                community.households.append((household, members))
            building.units.append(unit)
        return building

    def loose_households(
        self, community: Community, grid: Grid, count: int, area: BaseGeometry
    ) -> None:
        """Village houses in hamlets (组) of a grid, or street houses of an urban grid."""
        urban = community.plan.urban
        hamlets = geo.random_points(area, max(1, count // 40), self.rng)
        groups = self.rng.sample(names.VILLAGE_GROUPS, min(len(hamlets), 14))
        road = self.rng.choice(names.ROADS)
        for h in range(count):
            k = h % len(hamlets)
            spot = geo.jitter(hamlets[k], self.rng, 0.003)
            label = (
                f"{road}{h + 1}号"
                if urban
                else f"{groups[k % len(groups)]}组{h // len(hamlets) + 1}号"
            )
            household = self.place(
                PlaceKind.HOUSEHOLD,
                code_under(PlaceKind.HOUSEHOLD, grid.place, h + 1),
                label,
                grid.place,
                point=spot,
                address=f"{community.place.name}{label}",
            )
            members = self.residents(household, urban=urban)
            grid.residents.extend(members)
            community.households.append((household, members))

    def residents(self, household: Row, urban: bool) -> list[Member]:
        return self.factory.household(
            lambda **cols: self.sink.row(Person, **cols), household, urban
        )

    def community_specials(self, community: Community, area: BaseGeometry) -> None:
        """党群服务站 in every community; 睦邻中心 where planned; a 村卫生室 in villages; a
        contact point (联系点) in about half of the communities."""
        place, n = community.place, 1
        station = self.place(
            PlaceKind.STATION,
            code_under(PlaceKind.STATION, place, n),
            f"{place.name}便民服务站",
            place,
            point=geo.random_points(area, 1, self.rng)[0],
            attributes={"type": "service_station"},
        )
        community.stations.append(station)
        if community.plan.neighbourhood_centre:
            n += 1
            centre = self.place(
                PlaceKind.STATION,
                code_under(PlaceKind.STATION, place, n),
                f"{place.name}睦邻中心",
                place,
                point=geo.random_points(area, 1, self.rng)[0],
                attributes={"type": "neighbourhood_centre"},
            )
            community.stations.append(centre)
        if not community.plan.urban:
            self.place(
                PlaceKind.CLINIC,
                code_under(PlaceKind.CLINIC, place, 1),
                f"{place.name}卫生室",
                place,
                point=geo.random_points(area, 1, self.rng)[0],
                attributes={"type": "village_clinic"},
            )
        contact_points = 2 if self.plan.p2 else int(self.rng.random() < 0.5)
        for c in range(1, contact_points + 1):
            self.place(
                PlaceKind.CONTACT_POINT,
                code_under(PlaceKind.CONTACT_POINT, place, c),
                f"{place.name}民情联系点{c}",
                place,
                point=geo.random_points(area, 1, self.rng)[0],
            )

    def town_specials(self, state: TownState) -> None:
        """A 卫生院 (社区卫生服务中心 in a 街道), a 便民服务中心, a contact point, and forest
        zones in rural towns."""
        town, plan = state.place, self.plan
        clinic_name = (
            f"{town.name}社区卫生服务中心" if plan.kind == "street" else f"{town.name}卫生院"
        )
        state.clinic = self.place(
            PlaceKind.CLINIC,
            code_under(PlaceKind.CLINIC, town, 1),
            clinic_name,
            town,
            point=geo.random_points(self.area, 1, self.rng)[0],
            attributes={"type": "township_clinic", "ecg": True},
        )
        self.place(
            PlaceKind.STATION,
            code_under(PlaceKind.STATION, town, 1),
            f"{town.name}便民服务中心",
            town,
            point=geo.random_points(self.area, 1, self.rng)[0],
            attributes={"type": "service_centre"},
        )
        self.place(
            PlaceKind.CONTACT_POINT,
            code_under(PlaceKind.CONTACT_POINT, town, 1),
            f"{town.name}民情联系点",
            town,
            point=geo.random_points(self.area, 1, self.rng)[0],
        )
        zones = {"street": 0, "town": 1, "township": 2}[plan.kind]
        for z in range(1, zones + 1):
            centre = geo.random_points(self.area, 1, self.rng)[0]
            area = self.area.intersection(centre.buffer(self.rng.uniform(0.02, 0.04)))
            mu = self.rng.randrange(8000, 60000, 100)
            state.forest_zones.append(
                self.place(
                    PlaceKind.FOREST_ZONE,
                    code_under(PlaceKind.FOREST_ZONE, town, z),
                    f"{town.name}第{cn_number(z)}林区",
                    town,
                    area=geo.polygonal(area),
                    attributes={"area_mu": mu},
                )
            )
