"""The demo contribution keeps the ledgers' invariants and feeds the indicators; the
indicators count what a direct query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from apps.accounts.choices import Role
from apps.core.testing.factories import PersonFactory, make_user
from apps.dual.demo import populate_demo as populate_dual_demo
from apps.dual.models import DualRegistration, DualReport
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.choices import PartyEmployment
from apps.people.models import PartyMember
from apps.stats import indicators
from apps.volunteers.choices import HoursStatus
from apps.volunteers.demo import populate_demo
from apps.volunteers.models import PointsAccount, RewardItem, ServiceHours, Volunteer

from .helpers import volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(world):
    for i in range(12):
        volunteer(world, f"志愿者{i}", ["cleaning"], account=False)
    for name in ("县民政局", "县卫健委"):
        Organisation.objects.create(kind=OrgKind.DEPARTMENT, name=name, place=world.county)
    for i in range(3):
        PartyMember.objects.create(
            person=PersonFactory(name=f"党员{i}", place=world.household_a),
            employment=PartyEmployment.IN_SERVICE,
        )
    make_user("dept01", Role.DEPT_HANDLER, world.county)
    counts = populate_demo(world.county, "tiny", 1, lambda _: None)
    dual = populate_dual_demo(world.county, "tiny", 1, lambda _: None)
    # Keyed as the demo command keys them (app label + key).
    return {**counts, **{f"dual_{key}": value for key, value in dual.items()}}


def test_the_demo_keeps_every_ledger_balanced(world, demo):
    assert demo["hours"] > 0 and demo["dual_registrations"] > 0
    for account in PointsAccount.objects.all():
        assert account.balance == (account.entries.aggregate(s=Sum("amount"))["s"] or 0)
        assert account.balance >= 0
    assert not RewardItem.objects.filter(stock__lt=0).exists()
    approved = ServiceHours.objects.filter(status=HoursStatus.APPROVED)
    assert approved.filter(points_entry__isnull=True).count() == 0
    assert DualReport.objects.exists()


def test_the_indicators_count_what_a_direct_query_counts(world, demo):
    today = timezone.localdate()
    scope = indicators.Scope(
        world.user("county_leader"), world.county, today - dt.timedelta(days=90), today
    )
    values = indicators.values(
        scope, ["volunteer_hours", "star_volunteers", "dual_units", "dual_members"]
    )
    hours = ServiceHours.objects.filter(
        status=HoursStatus.APPROVED, served_on__gte=scope.date_from, served_on__lte=today
    ).aggregate(s=Sum("hours"))["s"]
    assert values["volunteer_hours"] == float(hours or Decimal("0"))
    stars = sum(
        1
        for row in ServiceHours.objects.filter(status=HoursStatus.APPROVED)
        .values("volunteer")
        .annotate(t=Sum("hours"))
        if row["t"] >= 100
    )
    assert values["star_volunteers"] == stars
    approved = DualRegistration.objects.filter(status="approved")
    assert (
        values["dual_units"]
        == approved.filter(kind="unit").values("organisation").distinct().count()
    )
    assert values["dual_members"] == approved.filter(kind="member").count() == 3

    # 持证社工 (the demo certifies a few) and person-times.
    def certified():
        return sum(
            1
            for v in Volunteer.objects.all()
            if any(c.get("name") == "持证社工" for c in v.certificates)
        )

    before = certified()
    assert indicators.values(scope, ["certified_social_workers"]) == {
        "certified_social_workers": before
    }
    v = next(v for v in Volunteer.objects.all() if not v.certificates)
    v.certificates = [{"name": "持证社工", "number": "1"}, {"name": "急救员证"}]
    v.save()
    assert indicators.values(scope, ["certified_social_workers"]) == {
        "certified_social_workers": before + 1
    }
    times = ServiceHours.objects.filter(
        status=HoursStatus.APPROVED, served_on__gte=scope.date_from, served_on__lte=today
    ).count()
    assert indicators.values(scope, ["volunteer_service_times"]) == {
        "volunteer_service_times": times
    }
    # Community B: its own registrations only, and none of A's hours.
    b = indicators.Scope(world.user("outsider_b"), world.community_b, scope.date_from, today)
    in_b = approved.filter(kind="unit", community=world.community_b)
    assert indicators.values(b, ["volunteer_hours", "dual_units"]) == {
        "volunteer_hours": 0.0,
        "dual_units": in_b.values("organisation").distinct().count(),
    }
