"""The demo contribution on the tiny demo county: activities across its communities, sign-ups
within capacity, attendance, a few upcoming, volunteers' hours pending; quick."""

import time

import pytest
from django.utils import timezone

from apps.activities.demo import populate_demo
from apps.activities.models import Activity, Participation
from apps.demo import generator, stages
from apps.places.models import Place
from apps.volunteers.models import ServiceHours


@pytest.fixture
def tiny_county(db, settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The other apps' contributions are theirs to test; load the county without them.
    monkeypatch.setattr(stages, "contributors", lambda: [])
    generator.generate("tiny", 2026)
    return Place.objects.get(kind="county")


def test_it_fills_the_county_with_activities(tiny_county):
    started = time.monotonic()
    counts = populate_demo(tiny_county, "tiny", 2026, lambda _: None)
    elapsed = time.monotonic() - started
    assert elapsed < 10
    now = timezone.now()
    activities = Activity.objects.all()
    assert counts["activities"] == activities.count() >= 2
    assert activities.filter(start_at__lt=now).exists()
    assert counts["participations"] == Participation.objects.count() > 0
    assert (
        counts["present"] == Participation.objects.filter(checked_in_at__isnull=False).count() > 0
    )
    for activity in activities:
        seats = activity.participations.filter(status="registered", role="participant").count()
        assert seats <= activity.capacity
        assert not activity.participations.filter(
            checked_in_at__isnull=False, activity__start_at__gt=now
        ).exists()
    pending = ServiceHours.objects.filter(status="pending", activity__contains="#活动")
    assert pending.count() == counts["volunteer_hours"]
    assert Participation.objects.filter(service_hours__isnull=False).count() == pending.count()


def test_it_gives_the_same_data_for_the_same_seed(tiny_county):
    populate_demo(tiny_county, "tiny", 7, lambda _: None)
    first = list(Activity.objects.order_by("id").values_list("title", "start_at", "capacity"))
    Participation.objects.all().delete()
    ServiceHours.objects.all().delete()
    Activity.objects.all().delete()
    populate_demo(tiny_county, "tiny", 7, lambda _: None)
    again = list(Activity.objects.order_by("id").values_list("title", "start_at", "capacity"))
    assert [a[0] for a in first] == [a[0] for a in again]
    assert [a[2] for a in first] == [a[2] for a in again]
