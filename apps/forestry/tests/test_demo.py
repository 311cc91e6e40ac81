"""The forestry demo contribution on the tiny county: zones with profiles, holders' accounts,
a few days of patrols measured by the cleaning code with their tasks done, boards (some to
re-print), events as cases, the planting ledger; and a second county-size target check of the
arithmetic without loading a county."""

import pytest
from django.utils import timezone

from apps.demo.generator import generate
from apps.forestry import actions, demo, indicators
from apps.forestry.choices import TaskStatus
from apps.forestry.models import (
    ForestEvent,
    Patrol,
    PatrolTask,
    Planting,
    PlantingTarget,
    Signboard,
    StateForestFarm,
    ZoneProfile,
)
from apps.orgs.models import Organisation
from apps.places.choices import PlaceKind
from apps.places.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_tiny_demo_has_a_working_forest():
    generate("tiny", 2026)
    zones = Place.objects.filter(kind=PlaceKind.FOREST_ZONE).count()
    assert zones and ZoneProfile.objects.count() == zones
    assert Patrol.objects.filter(distance_m__gt=500).exists()
    patrol = Patrol.objects.first()
    assert patrol.track and patrol.batches.exists()
    assert PatrolTask.objects.filter(status=TaskStatus.DONE, patrol__isnull=False).exists()
    assert PatrolTask.objects.filter(status=TaskStatus.MISSED).exists()
    assert Signboard.objects.count() == 2 * zones
    assert ForestEvent.objects.filter(case__isnull=False).exists()
    assert Planting.objects.exists()
    # 林长制 offices as organisations: the county's and each township's under it
    county = Place.objects.get(kind=PlaceKind.COUNTY)
    profile = (
        ZoneProfile.objects.filter(farm=None)
        .select_related("office_org__parent", "zone__parent")
        .order_by("zone__path")
        .first()
    )
    assert profile.office_org.name == f"{profile.zone.parent.name}林长制办公室"
    assert profile.office_org.parent.name == f"{county.name}林长制办公室"
    towns = ZoneProfile.objects.filter(farm=None).values("zone__parent").distinct().count()
    # the four 国有林场, each with its office under the county's and a zone of its own
    farms = list(StateForestFarm.objects.select_related("office_org__parent").order_by("name"))
    assert [f.name for f in farms] == sorted(demo.FARMS)
    for farm in farms:
        assert farm.office_org.name == f"{farm.name}林长制办公室"
        assert farm.office_org.parent.name == f"{county.name}林长制办公室"
        farm_zone = ZoneProfile.objects.select_related("zone").get(farm=farm)
        assert farm_zone.office_org == farm.office_org and farm_zone.zone.parent == county
    assert indicators.offices(county) == 1 + towns + 4
    assert indicators.offices(profile.zone) == 1
    units = indicators.zones_by_unit(county)
    assert [u["name"] for u in units if u["kind"] == "国有林场"] == sorted(demo.FARMS)
    # every office has a staff member with an account, told of its events and escalations
    offices = list(Organisation.objects.filter(name__endswith="林长制办公室"))
    assert len(offices) == 1 + towns + 4
    assert all(actions.office_staff([o]).count() == 1 for o in offices)
    assert zones == ZoneProfile.objects.count()
    generate_again = demo.populate_demo(county, "tiny", 2026, lambda _: None)
    assert generate_again["offices"] == 1 + towns + 4  # idempotent: found, not made again
    assert StateForestFarm.objects.count() == 4 and Organisation.objects.filter(
        name__endswith="林长制办公室"
    ).count() == len(offices)
    # 国家储备林 targets of this year, progress read from the ledger
    assert PlantingTarget.objects.exists()
    assert indicators.reserve_progress(county, timezone.localdate().year) is not None


def test_county_targets_are_the_articles():
    t = demo.TARGETS["county"]
    assert (t["zones"], t["boards"], t["town"], t["village"], t["ranger"]) == (
        22,
        399,
        147,
        252,
        335,
    )
