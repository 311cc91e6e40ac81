"""The activity indicators equal a direct count of the records, per area and period, and link
to the list of the activities they count."""

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.utils import timezone

from apps.activities.actions import (
    do_cancel_activity,
    do_record_reach,
    do_set_attendance,
    do_sign_up,
)
from apps.activities.models import Activity, Participation
from apps.core.testing.factories import PersonFactory
from apps.stats.indicators import REGISTRY, Scope, values

from .conftest import make_activity

pytestmark = pytest.mark.django_db
CODES = [
    "activities_held",
    "activity_attendance",
    "activity_online_viewers",
    "activity_person_times",
]


@pytest.fixture
def season(world, cast):
    staff, outsider = world.user("community_a"), world.user("outsider_b")
    held = [make_activity(world, starts_in=-60 * 24 * d, capacity=None) for d in (1, 3, 40)]
    upcoming = make_activity(world, starts_in=60 * 24 * 2)
    cancelled = make_activity(world, starts_in=-60 * 24 * 2)
    b_resident = PersonFactory(name="李春生", place=world.household_b)
    in_b = make_activity(
        world, starts_in=-60 * 24, place=world.community_b, capacity=None, actor=outsider
    )
    for i, activity in enumerate(held):
        for person in cast.residents[: i + 2]:
            do_sign_up_past(activity, person, staff)
        do_record_reach(activity, actor=staff, online_viewers=100 * (i + 1), walk_ins=i * 7)
    do_sign_up(upcoming, cast.residents[0], actor=staff)
    do_sign_up_past(cancelled, cast.residents[0], staff)
    do_cancel_activity(cancelled, actor=staff, reason="暴雨")
    do_sign_up_past(in_b, b_resident, outsider)
    do_record_reach(in_b, actor=outsider, online_viewers=999, walk_ins=9)
    return held


def do_sign_up_past(activity, person, actor):
    """Sign up and tick attendance of an activity that has already happened (through the
    actions, with the clock set back into the activity)."""
    during = activity.start_at + dt.timedelta(minutes=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: during)
        do_sign_up(activity, person, actor=actor)
        do_set_attendance(activity, person, actor=actor, present=True)


def direct(place, date_from, date_to):
    """The same figures, counted row by row in Python."""
    now = timezone.now()
    counted = [
        a
        for a in Activity.objects.select_related("place")
        if a.place.path.startswith(place.path)
        and a.status == "published"
        and date_from <= timezone.localtime(a.start_at).date() <= date_to
        and a.start_at <= now
    ]
    attendance = sum(1 for p in Participation.objects.all() if p.present and p.activity in counted)
    online = sum(a.online_viewers for a in counted)
    walk_ins = sum(a.walk_ins for a in counted)
    return [len(counted), attendance, online, attendance + walk_ins + online]


@pytest.mark.parametrize("days", [7, 30, 90])
def test_indicators_equal_a_direct_count(world, season, days):
    today = timezone.localdate()
    for place in (world.community_a, world.town, world.community_b):
        scope = Scope(world.user("county_leader"), place, today - dt.timedelta(days=days), today)
        got = values(scope, CODES)
        assert [got[c] for c in CODES] == direct(place, scope.date_from, scope.date_to)
    town = Scope(world.user("county_leader"), world.town, today - dt.timedelta(days=90), today)
    assert values(town, CODES)["activities_held"] == 4  # 3 in A, 1 in B


def test_the_link_lists_exactly_the_counted_activities(world, season):
    today = timezone.localdate()
    scope = Scope(
        world.user("county_leader"), world.community_a, today - dt.timedelta(days=30), today
    )
    link = REGISTRY["activities_held"].link(scope)
    assert urlparse(link).path == "/activities/"
    assert parse_qs(urlparse(link).query)["when"] == ["held"]
    client = Client()
    client.force_login(world.user("county_leader"))
    page = client.get(link).context["page"]
    assert page.paginator.count == values(scope, ["activities_held"])["activities_held"] == 2
