"""The forestry demo contribution on the tiny county: zones with profiles, holders' accounts,
a few days of patrols measured by the cleaning code with their tasks done, boards (some to
re-print), events as cases, the planting ledger; and a second county-size target check of the
arithmetic without loading a county."""

import pytest
from django.utils import timezone

from apps.demo.generator import generate
from apps.forestry import demo, indicators
from apps.forestry.choices import TaskStatus
from apps.forestry.models import (
    ForestEvent,
    Patrol,
    PatrolTask,
    Planting,
    PlantingTarget,
    Signboard,
    ZoneProfile,
)
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
    profile = ZoneProfile.objects.select_related("office_org__parent", "zone__parent").first()
    assert profile.office_org.name == f"{profile.zone.parent.name}林长制办公室"
    assert profile.office_org.parent.name == f"{county.name}林长制办公室"
    towns = Place.objects.filter(kind=PlaceKind.FOREST_ZONE).values("parent").distinct().count()
    assert indicators.offices(county) == 1 + towns
    assert indicators.offices(profile.zone) == 1
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
