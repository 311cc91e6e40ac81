"""The demo county's case history: every case a history the case engine could have written,
the same for a seed, plausible KPIs, and pages that show it."""

import datetime as dt
import itertools
from collections import Counter

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.cases.choices import (
    OPEN_STATUSES,
    RESOLVED_STATUSES,
    SATISFIED_RATINGS,
    TRANSITIONS,
    Action,
    CaseKind,
    CaseSource,
    Level,
    Status,
)
from apps.cases.models import Case, CaseEvent, CaseRevisit
from apps.cases.rules import may_handle
from apps.cases.selectors import case_kpis, case_list
from apps.demo.case_plot import OPEN_FATES
from apps.demo.cases import CaseHistory, case_count
from apps.demo.generator import generate
from apps.ecg.models import Exam
from apps.places.choices import PlaceKind
from apps.places.models import Place


class Rollback(Exception):
    pass


def events_by_case() -> dict[int, list[CaseEvent]]:
    timelines: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("at", "id"):
        timelines.setdefault(event.case_id, []).append(event)
    return timelines


def test_it_writes_a_case_history(tiny):
    counts = tiny["counts"]
    assert counts["cases"] == Case.objects.count() >= 150
    assert "case_fallbacks" not in counts
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > statuses[Status.EVALUATED] > 0
    assert statuses[Status.RESOLVED] and statuses[Status.MERGED]
    assert sum(statuses[s] for s in OPEN_STATUSES) > 0
    assert {k for (k,) in Case.objects.values_list("kind")} >= {CaseKind.NEED, CaseKind.ERRAND}
    assert {s for (s,) in Case.objects.values_list("source")} >= {
        CaseSource.VISIT,
        CaseSource.PORTAL,
    }
    assert CaseRevisit.objects.count() == counts["case_revisits"] > 0
    assert counts["ecg_exams"] == Exam.objects.count() > 0


def test_every_case_keeps_the_engine_invariants(tiny):
    now = timezone.now()
    timelines = events_by_case()
    for case in Case.objects.select_related("place", "handling_unit", "assignee__scope"):
        assert case.status in Status.values
        events = timelines[case.pk]
        first, last = events[0], events[-1]
        assert (first.action, first.from_status, first.to_status) == (
            Action.SUBMIT,
            "",
            Status.SUBMITTED,
        )
        assert first.at == case.created_at and last.to_status == case.status
        for before, after in itertools.pairwise(events):
            assert before.at <= after.at, case.pk
            assert after.from_status == before.to_status, case.pk
            spec = TRANSITIONS[after.action]
            assert after.from_status in spec.sources, (case.pk, after.action)
            if after.action == Action.MEETING_DECIDE:
                # A meeting's new owner re-dispatches the case (ADR 0010); otherwise it stays.
                assert after.to_status in {after.from_status, Status.DISPATCHED}
            else:
                assert after.to_status == (spec.target or after.from_status)
        assert last.at <= now
        unit_kind = {
            Level.GRID: PlaceKind.GRID,
            Level.COMMUNITY: PlaceKind.COMMUNITY,
            Level.TOWN: PlaceKind.TOWN,
            Level.COUNTY: PlaceKind.COUNTY,
        }[Level(case.level)]
        # a forest event is routed by rule to its zone, whose chiefs and rangers handle it
        # (林长制, cases.dispatch.route_for_claim); every other case sits at its level's unit
        if case.handling_unit.kind != PlaceKind.FOREST_ZONE:
            assert case.handling_unit.kind == unit_kind
        assert case.place.is_within(case.handling_unit)
        if case.status in RESOLVED_STATUSES:
            assert case.resolved_at is not None and case.resolved_at <= case.resolve_by
        if case.status in (Status.EVALUATED, Status.CLOSED):
            assert case.rating in SATISFIED_RATINGS and case.rated_at is not None
        if case.status == Status.CLOSED:
            assert case.closed_at is not None
        if case.status == Status.MERGED:
            assert case.merged_into_id is not None
        if case.responded_at is not None:
            assert case.created_at <= case.responded_at
        if case.assignee_id is not None and case.is_open:
            assert may_handle(case.assignee, case), case.pk
        if case.is_open and case.level != Level.COUNTY:
            # the deadline monitor would have escalated it already
            assert case.lamp(now) != "red", case.pk


def snapshot() -> list[tuple]:
    """What must repeat for a seed: everything but the absolute times."""
    timelines = events_by_case()
    return sorted(
        (
            c.title,
            c.status,
            c.category.code,
            c.kind,
            c.source,
            c.place.code,
            c.level,
            c.rating,
            c.reporter_name,
            tuple((e.action, e.to_status, e.actor_label) for e in timelines[c.pk]),
        )
        for c in Case.objects.select_related("category", "place")
    )


def load_and_roll_back(seed: int) -> list[tuple]:
    try:
        with transaction.atomic():
            generate("tiny", seed)
            taken = snapshot()
            raise Rollback
    except Rollback:
        return taken


@pytest.mark.django_db
def test_it_repeats_the_history_for_a_seed():
    first = load_and_roll_back(2026)
    second = load_and_roll_back(2026)
    assert first == second
    assert first != load_and_roll_back(2027)


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 2, 24, 9, 0, tzinfo=dt.UTC),  # the day after the Spring Festival
        dt.datetime(2025, 10, 8, 23, 30, tzinfo=dt.UTC),  # end of the National Day week
        dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC),
    ],
)
def test_its_stories_fit_any_calendar(tiny, now):
    county = Place.objects.get(kind=PlaceKind.COUNTY)
    history = CaseHistory(county, 99, now=now)
    plans = history.plan(case_count("tiny", len(history.homes)) * 3)
    assert history.fallbacks == 0
    for p in plans:
        s = p.story
        assert all(e.at <= now for e in s.events)
        if p.fate in OPEN_FATES:
            assert s.is_open and (s.running_deadline() or now) >= now


def test_its_kpis_are_plausible(tiny):
    leader = User.objects.get(username="leader")
    county = Place.objects.get(kind=PlaceKind.COUNTY)
    today = timezone.localdate()
    kpis = case_kpis(leader, county, today - dt.timedelta(days=130), today)
    assert kpis.total > 100
    assert kpis.response_rate is not None and kpis.response_rate >= 0.95
    assert kpis.resolution_rate is not None and kpis.resolution_rate >= 0.9
    assert kpis.satisfaction_rate is not None and 0.93 <= kpis.satisfaction_rate <= 1
    assert kpis.person_times >= kpis.resolved


def test_a_community_inbox_and_a_timeline_show_it(tiny, client):
    staff = User.objects.get(username="community01")
    client.force_login(staff)
    page = client.get(reverse("cases:list"))
    assert page.status_code == 200
    mine = case_list(staff)
    assert mine.count() > 10
    assert mine[0].number in page.content.decode()
    case = mine.filter(status=Status.CLOSED).first() or mine[0]
    detail = client.get(reverse("cases:detail", args=[case.pk]))
    assert detail.status_code == 200
    assert "受理" in detail.content.decode()


def test_its_dashboard_rollups_match_the_cases(tiny):
    from apps.stats.models import CaseRollup
    from apps.stats.rollups import verify

    assert CaseRollup.objects.exists()
    assert verify() == []
