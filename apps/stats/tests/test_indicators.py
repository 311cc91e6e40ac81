"""Every indicator of the registry computes for a scope; the ones other apps record equal a
direct count of their records."""

import pytest
from django.utils import timezone

from apps.people.models import Person
from apps.places.models import Place
from apps.stats.indicators import INDICATORS, Scope, values

pytestmark = pytest.mark.django_db


class TestIndicators:
    def test_it_computes_every_indicator(self, world, resident_a, resident_b):
        today = timezone.localdate()
        scope = Scope(world.user("county_leader"), world.county, today.replace(day=1), today)
        got = values(scope)
        assert set(got) == {i.code for i in INDICATORS}
        assert got["households"] == Place.objects.filter(kind="household").count() == 2
        assert got["residents"] == Person.objects.filter(active=True).count() == 2
        assert got["party_members"] == 0 and got["volunteers"] == 0
        assert got["ecg_exams"] == 0
        assert got["baolian_coverage"] == 0.0
        assert got["compound_property_coverage"] == 0.0
        assert got["cases_total"] == 0 and got["response_rate"] is None

    def test_it_counts_only_the_subtree(self, world, resident_a, resident_b):
        today = timezone.localdate()
        scope = Scope(world.user("community_a"), world.community_a, today, today)
        got = values(scope, ["households", "residents"])
        assert got == {"households": 1, "residents": 1}

    def test_it_defines_every_indicator(self):
        for indicator in INDICATORS:
            assert indicator.name and indicator.definition and indicator.unit, indicator.code
