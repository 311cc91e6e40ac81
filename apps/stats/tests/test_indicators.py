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


def _exam(clinic, user, uploaded, released=None):
    from apps.ecg.models import Exam

    return Exam.objects.create(
        clinic=clinic,
        uploaded_by=user,
        uploaded_at=uploaded,
        released_at=released,
        patient_name="王建国",
        status="released" if released else "waiting",
    )


class TestStatsOwnedIndicators:
    """The rule for "every indicator equals a direct count": each indicator defined in
    apps/stats/indicators.py is checked here against a count written out by hand (the case
    ones also in test_case_figures against `case_kpis`); indicators other apps register are
    checked by those apps' own tests, and here only that they compute for every area."""

    def test_ecg_turnaround_and_critical_values(self, world):
        import datetime as dt

        from apps.accounts.choices import Role
        from apps.core.testing.factories import make_place, make_user
        from apps.ecg.models import CriticalValue

        clinic = make_place("clinic", "潋江镇卫生院", world.town)
        doctor = make_user("doc_x", Role.CLINIC_DOCTOR, world.town)
        physician = make_user("ecg_x", Role.ECG_PHYSICIAN, world.county)
        now = timezone.now()
        today = timezone.localdate()
        start = now - dt.timedelta(hours=1)
        hours = [1, 2, 3, 4, 5, 6, 7, 8, 9, 20]
        exams = [
            _exam(clinic, doctor, start - dt.timedelta(minutes=i), start + dt.timedelta(hours=h))
            for i, h in enumerate(hours)
        ]
        _exam(clinic, doctor, start)  # not released: no turnaround
        _exam(clinic, doctor, now - dt.timedelta(days=70), now - dt.timedelta(days=69))
        for exam, minutes in zip(exams[:3], (4, 8, None), strict=True):
            CriticalValue.objects.create(
                exam=exam,
                items="急性心肌梗死",
                confirmed_by=physician,
                confirmed_at=start,
                acknowledged_at=None if minutes is None else start + dt.timedelta(minutes=minutes),
            )
        leader = world.user("county_leader")
        got = values(
            Scope(leader, world.county, today - dt.timedelta(days=1), today),
            [
                "ecg_exams",
                "ecg_turnaround_mean_hours",
                "ecg_turnaround_p90_hours",
                "ecg_critical_values",
                "ecg_critical_ack_minutes",
            ],
        )
        expected_hours = [h + i / 60 for i, h in enumerate(hours)]
        assert got["ecg_exams"] == 11
        assert got["ecg_turnaround_mean_hours"] == round(sum(expected_hours) / 10, 1)
        assert got["ecg_turnaround_p90_hours"] == round(sorted(expected_hours)[8], 1)
        assert got["ecg_critical_values"] == 3
        assert got["ecg_critical_ack_minutes"] == 6.0
        # another area sees none of it
        other = values(
            Scope(world.user("outsider_b"), world.community_b, today, today),
            ["ecg_exams", "ecg_turnaround_mean_hours", "ecg_critical_values"],
        )
        assert other == {
            "ecg_exams": 0,
            "ecg_turnaround_mean_hours": None,
            "ecg_critical_values": 0,
        }

    def test_dispute_and_hazard_cases(self, world):
        from apps.cases.models import Case
        from apps.cases.tests.helpers import make_case

        for kind in ("dispute", "dispute", "hazard", "need"):
            make_case(world, kind=kind)
        make_case(world, kind="dispute", place=world.household_b, actor=world.user("outsider_b"))
        today = timezone.localdate()
        leader = world.user("county_leader")
        for place in (world.county, world.community_a, world.community_b, world.compound_a):
            got = values(Scope(leader, place, today, today), ["dispute_cases", "hazard_cases"])
            for code, kind in (("dispute_cases", "dispute"), ("hazard_cases", "hazard")):
                direct = Case.objects.filter(kind=kind, place__path__startswith=place.path).count()
                assert got[code] == direct, (place, code)
        assert values(Scope(leader, world.county, today, today), ["dispute_cases"]) == {
            "dispute_cases": 3
        }

    def test_every_registered_indicator_computes_for_every_area(self, world):
        today = timezone.localdate()
        leader = world.user("county_leader")
        for place in (world.county, world.town, world.community_a, world.grid_a):
            got = values(Scope(leader, place, today.replace(day=1), today))
            assert set(got) == {i.code for i in INDICATORS}
            for indicator in INDICATORS:
                value = got[indicator.code]
                if indicator.shape == "breakdown":
                    assert isinstance(value, list), indicator.code
                elif indicator.shape == "rate" and value is not None:
                    assert 0 <= value <= 1, indicator.code
