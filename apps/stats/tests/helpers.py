"""Generated cases for the stats tests: through the actions (so the rollup hook runs) or
rewritten straight in the rows and then rolled up by `rebuild`."""

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from apps.cases.choices import RESOLVED_STATUSES
from apps.cases.models import Case
from apps.cases.tests.helpers import make_case, make_category
from apps.stats.rollups import rebuild

KPI_FIELDS = (
    "total",
    "due_to_respond",
    "responded_in_time",
    "resolved",
    "resolved_on_time",
    "rated",
    "satisfied",
    "overdue",
    "person_times",
)


def scramble(world: Any, n: int = 80, seed: int = 11) -> list[Case]:
    """Cases over two months in both communities with random outcomes, written straight to
    the rows, then the rollups rebuilt (resolved cases were responded, as the actions make
    them)."""
    rng = random.Random(seed)
    now = timezone.now()
    categories = [make_category("stats-a"), make_category("stats-b")]
    cases = []
    for i in range(n):
        place = rng.choice([world.household_a, world.household_b, world.grid_a, world.compound_a])
        actor = world.user("outsider_b" if place == world.household_b else "community_a")
        case = make_case(
            world,
            place=place,
            actor=actor,
            category=rng.choice(categories),
            title=f"事项{i}",
            source=rng.choice(["hotline", "visit", "portal"]),
        )
        created = now - dt.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 23))
        fields: dict[str, Any] = {
            "created_at": created,
            "respond_by": created + dt.timedelta(hours=24),
            "resolve_by": created + dt.timedelta(days=5),
        }
        if rng.random() < 0.8:
            fields["responded_at"] = created + dt.timedelta(hours=rng.choice([2, 30]))
            if rng.random() < 0.7:
                fields["resolved_at"] = created + dt.timedelta(days=rng.choice([1, 3, 8]))
                fields["status"] = rng.choice(sorted(RESOLVED_STATUSES))
                if rng.random() < 0.7:
                    fields["rating"] = rng.choice(["satisfied", "basic", "unsatisfied"])
        elif rng.random() < 0.2:
            fields["status"] = "cancelled"
        Case.objects.filter(pk=case.pk).update(**fields)
        cases.append(case)
    rebuild()
    return cases


def same_figures(a: Any, b: Any) -> None:
    """Assert two CaseKpis agree on every figure and breakdown (order of ties aside)."""
    for name in KPI_FIELDS:
        assert getattr(a, name) == getattr(b, name), name
    for name in ("mean_response", "mean_handling"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert abs((x - y).total_seconds()) < 1, name
    for name in ("by_source", "by_status", "by_kind"):
        assert sorted(map(_row, getattr(a, name))) == sorted(map(_row, getattr(b, name))), name
    cat = sorted((r["category__code"], r["n"]) for r in a.by_category)
    assert cat == sorted((r["category__code"], r["n"]) for r in b.by_category)
    months = [(r["period"], r["n"]) for r in a.by_period]
    assert months == [(r["period"], r["n"]) for r in b.by_period]


def _row(row: dict[str, Any]) -> tuple[str, int]:
    return (row["code"], row["n"])
