"""Personas shared by every test: a county with two communities in one town, and one account
per role, including an outsider whose scope is community B."""

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from apps.accounts.choices import Role
from apps.core.testing import client_as as signed_in_client
from apps.core.testing.factories import PersonFactory, make_place, make_user
from apps.places.choices import PlaceKind
from apps.places.models import Place

# Property tests run on shared 2-CPU machines beside other test processes: how fast inputs are
# generated or an example runs says nothing about the property, so timing never fails a test
# (the health check for slow generation failed one on a loaded CI run).
settings.register_profile("gongzhi", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("gongzhi")


@dataclass
class World:
    county: Place
    town: Place
    community_a: Place
    grid_a: Place
    compound_a: Place
    building_a: Place
    unit_a: Place
    household_a: Place
    community_b: Place
    grid_b: Place
    household_b: Place
    users: dict[str, Any]

    def user(self, name: str):
        return self.users[name]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~0.3 s per account; tests need no such strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and login-lockout counters live in the cache: no test inherits another's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Uploads and the demo's pictures go to a temporary folder, never into data/media."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    """Background tasks run synchronously in tests, unless a test chooses a backend."""
    settings.TASKS_BACKEND = "immediate"


@pytest.fixture
def world(db) -> World:
    county = make_place(PlaceKind.COUNTY, "兴国县")
    town = make_place(PlaceKind.TOWN, "潋江镇", county)
    community_a = make_place(PlaceKind.COMMUNITY, "红门社区", town)
    grid_a = make_place(PlaceKind.GRID, "红门第一网格", community_a)
    compound_a = make_place(PlaceKind.COMPOUND, "幸福小区", grid_a)
    building_a = make_place(PlaceKind.BUILDING, "1栋", compound_a)
    unit_a = make_place(PlaceKind.UNIT, "1单元", building_a)
    household_a = make_place(PlaceKind.HOUSEHOLD, "101室", unit_a)
    community_b = make_place(PlaceKind.COMMUNITY, "将军社区", town)
    grid_b = make_place(PlaceKind.GRID, "将军第一网格", community_b)
    household_b = make_place(PlaceKind.HOUSEHOLD, "将军路8号", grid_b)
    users = {
        "county_leader": make_user("leader", Role.COUNTY_LEADER, county),
        "town_staff": make_user("town", Role.TOWN_STAFF, town),
        "community_a": make_user("staff_a", Role.COMMUNITY_STAFF, community_a),
        "grid_worker_a": make_user("grid_a", Role.GRID_WORKER, grid_a),
        "volunteer_a": make_user("vol_a", Role.VOLUNTEER, community_a),
        "admin": make_user("admin", Role.ADMIN, county, is_staff=True),
        "outsider_b": make_user("staff_b", Role.COMMUNITY_STAFF, community_b),
    }
    return World(
        county,
        town,
        community_a,
        grid_a,
        compound_a,
        building_a,
        unit_a,
        household_a,
        community_b,
        grid_b,
        household_b,
        users,
    )


@pytest.fixture
def resident_a(world):
    return PersonFactory(
        name="张桂英",
        place=world.household_a,
        relation="head",
        secrets__id_number="360732194501011234",
        secrets__phone="13812345678",
    )


@pytest.fixture
def resident_b(world):
    return PersonFactory(name="李春生", place=world.household_b, relation="head")


@pytest.fixture
def client_as(world):
    """`client_as("community_a")`: a new test client signed in as one of the world's personas."""

    def login(name: str):
        return signed_in_client(world.user(name))

    return login
