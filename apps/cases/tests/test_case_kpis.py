"""KPIs equal brute-force counts over generated cases."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from apps.cases.choices import RESOLVED_STATUSES, SATISFIED_RATINGS, WITHDRAWN_STATUSES
from apps.cases.models import Case
from apps.cases.selectors import case_kpis

from .helpers import make_case

pytestmark = pytest.mark.django_db


def scramble(world, n: int = 60, seed: int = 7) -> None:
    """Cases in both communities with random outcomes, written straight to the rows (the
    KPIs read rows; how they got there is the transition tests' business)."""
    rng = random.Random(seed)
    now = timezone.now()
    for i in range(n):
        place = rng.choice([world.household_a, world.household_b, world.grid_a])
        actor = world.user("outsider_b" if place == world.household_b else "community_a")
        case = make_case(
            world,
            place=place,
            actor=actor,
            title=f"事项{i}",
            source=rng.choice(["hotline", "visit", "portal"]),
        )
        created = now - dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        fields = {
            "created_at": created,
            "respond_by": created + dt.timedelta(hours=24),
            "resolve_by": created + dt.timedelta(days=5),
        }
        if rng.random() < 0.8:
            fields["responded_at"] = created + dt.timedelta(hours=rng.choice([2, 30]))
        if rng.random() < 0.6:
            fields["resolved_at"] = created + dt.timedelta(days=rng.choice([1, 3, 8]))
            fields["status"] = rng.choice(sorted(RESOLVED_STATUSES))
            if rng.random() < 0.7:
                fields["rating"] = rng.choice(["satisfied", "basic", "unsatisfied"])
        elif rng.random() < 0.1:
            fields["status"] = "cancelled"
        Case.objects.filter(pk=case.pk).update(**fields)


def brute(cases, now):
    cases = [c for c in cases if c.status not in WITHDRAWN_STATUSES]
    due = [c for c in cases if c.responded_at or c.respond_by < now]
    resolved = [c for c in cases if c.resolved_at]
    rated = [c for c in cases if c.rating]
    return {
        "total": len(cases),
        "due_to_respond": len(due),
        "responded_in_time": sum(
            1 for c in due if c.responded_at and c.responded_at <= c.respond_by
        ),
        "resolved": len(resolved),
        "resolved_on_time": sum(1 for c in resolved if c.resolved_at <= c.resolve_by),
        "rated": len(rated),
        "satisfied": sum(1 for c in rated if c.rating in SATISFIED_RATINGS),
    }


def test_it_matches_brute_force_counts_for_the_town(world):
    scramble(world)
    now = timezone.now()
    today = timezone.localdate()
    kpis = case_kpis(
        world.user("town_staff"), world.town, today - dt.timedelta(days=30), today, now=now
    )
    expected = brute(list(Case.objects.all()), now)
    assert {k: getattr(kpis, k) for k in expected} == expected
    assert kpis.response_rate == round(
        expected["responded_in_time"] / expected["due_to_respond"], 4
    )
    assert kpis.satisfaction_rate == round(expected["satisfied"] / expected["rated"], 4)
    assert sum(r["n"] for r in kpis.by_source) == expected["total"]
    assert sum(r["n"] for r in kpis.by_period) == expected["total"]
    assert kpis.mean_response is not None and kpis.mean_handling is not None


def test_it_counts_only_the_subtree_in_scope(world):
    scramble(world)
    now = timezone.now()
    today = timezone.localdate()
    kpis = case_kpis(
        world.user("community_a"), world.community_a, today - dt.timedelta(days=30), today, now=now
    )
    mine = [
        c
        for c in Case.objects.select_related("place")
        if c.place.path.startswith(world.community_a.path)
    ]
    assert kpis.total == brute(mine, now)["total"]
    assert kpis.resolved == brute(mine, now)["resolved"]


def test_it_refuses_a_place_out_of_scope(world):
    from django.http import Http404

    today = timezone.localdate()
    with pytest.raises(Http404):
        case_kpis(world.user("community_a"), world.community_b, today, today)


def test_it_serves_the_kpis_over_the_api(client, world):
    scramble(world, n=10)
    client.force_login(world.user("county_leader"))
    body = client.get("/api/v1/cases/kpis", {"date_from": "2000-01-01"}).json()
    assert body["total"] == Case.objects.exclude(status="cancelled").count()
    assert set(body) >= {
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "on_time_rate",
        "mean_response_hours",
        "by_category",
    }
