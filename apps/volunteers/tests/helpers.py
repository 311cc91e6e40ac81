"""Shared set-up for the services tests: volunteers with accounts, service orders with
coordinates."""

from typing import Any

from apps.accounts.choices import Role
from apps.cases.choices import CaseKind, Level
from apps.cases.models import Case, Category
from apps.cases.tests.helpers import make_case, walk
from apps.core.testing.factories import PersonFactory, make_place, make_user
from apps.people.models import Skill
from apps.places.choices import PlaceKind
from apps.volunteers.models import Volunteer

LNG, LAT = 115.35, 26.33


def volunteer(
    world: Any,
    name: str,
    skills: list[str] = (),  # type: ignore[assignment]
    *,
    place: Any = None,
    availability: dict[str, list[str]] | None = None,
    certificates: list[dict[str, str]] | None = None,
    account: bool = True,
) -> tuple[Volunteer, Any]:
    person = PersonFactory(name=name, place=place or world.household_a)
    v = Volunteer.objects.create(
        person=person, availability=availability or {}, certificates=certificates or []
    )
    v.skills.set(Skill.objects.filter(code__in=list(skills)))
    user = None
    if account:
        user = make_user(f"v-{person.pk}", Role.VOLUNTEER, world.community_a, person=person)
    return v, user


def household(world: Any, name: str, dlng: float, dlat: float) -> Any:
    """A household of community A at (LNG + dlng, LAT + dlat)."""
    return make_place(PlaceKind.HOUSEHOLD, name, world.unit_a, lng=LNG + dlng, lat=LAT + dlat)


def dispatcher(case: Case) -> str:
    return "grid_worker_a" if case.level == Level.GRID else "community_a"


def service_order(world: Any, place: Any, *, title: str = "帮忙修水管", **fields: Any) -> Case:
    """An accepted 点单 of the seeded 水电维修 category (skills plumbing, repair)."""
    case = make_case(
        world,
        category=Category.objects.get(code="repairs"),
        place=place,
        title=title,
        kind=CaseKind.SERVICE_ORDER,
        **fields,
    )
    return walk(case, world, ("accept", dispatcher(case), None))
