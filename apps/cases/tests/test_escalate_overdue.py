"""The deadline monitor: overdue cases go one level up, once, whoever runs it."""

import datetime as dt
import threading

import pytest
from django.db import connection

from apps.cases.actions import create_due_revisits, do_record_revisit, escalate_overdue
from apps.cases.models import Case, CaseEvent
from apps.core.tasks import capture_tasks, run_task

from .helpers import make_case

HOUR = dt.timedelta(hours=1)


@pytest.mark.django_db
class TestEscalateOverdue:
    def test_it_escalates_an_overdue_case_once(self, world, django_capture_on_commit_callbacks):
        case = make_case(world)
        later = case.respond_by + HOUR
        with capture_tasks() as calls, django_capture_on_commit_callbacks(execute=True):
            assert escalate_overdue(now=later) == 1
        assert escalate_overdue(now=later) == 0
        case.refresh_from_db()
        assert (case.status, case.level, case.handling_unit) == ("escalated", "town", world.town)
        assert case.respond_by > later  # a fresh window at the town
        event = CaseEvent.objects.get(case=case, action="escalate")
        assert event.actor is None and event.data["automatic"] is True
        assert event.note == "响应超时，自动上报至潋江镇"
        ((name, args, kwargs),) = calls
        assert name == "notifications.send"
        assert kwargs == {"kind": "case.escalated"}
        # the town's dispatchers and supervisors: town staff; and the county leader
        assert args[0] == sorted([world.user("town_staff").pk, world.user("county_leader").pk])

    def test_it_leaves_cases_in_time_alone(self, world):
        case = make_case(world)
        assert escalate_overdue(now=case.respond_by - HOUR) == 0

    def test_it_stops_at_the_county(self, world):
        case = make_case(world)
        later = case.resolve_by + dt.timedelta(days=60)
        assert escalate_overdue(now=later) == 1
        assert escalate_overdue(now=later + dt.timedelta(days=60)) == 1
        assert escalate_overdue(now=later + dt.timedelta(days=120)) == 0
        assert Case.objects.get(pk=case.pk).level == "county"

    def test_it_runs_as_the_periodic_task(self, world):
        make_case(world, title="没人管")
        Case.objects.update(respond_by=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        assert run_task("cases.monitor") == 1


@pytest.mark.django_db(transaction=True)
def test_it_escalates_once_from_two_threads(world):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "in-memory SQLite (shared cache) fails concurrent writers with 'table is "
            "locked'; runs on PostgreSQL and on a file SQLite"
        )
    cases = [make_case(world, title=f"事项{i}") for i in range(10)]
    later = max(c.respond_by for c in cases) + HOUR
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            counts.append(escalate_overdue(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(counts) == 10
    assert CaseEvent.objects.filter(action="escalate").count() == 10
    assert set(Case.objects.values_list("level", flat=True)) == {"town"}


@pytest.mark.django_db
class TestRevisits:
    def resolved(self, world):
        from .helpers import walk

        vol = world.user("volunteer_a")
        return walk(
            make_case(world),
            world,
            ("accept", "community_a", None),
            ("dispatch", "community_a", {"assignee": vol.pk}),
            ("claim", "volunteer_a", None),
            ("resolve", "volunteer_a", None),
        )

    def test_it_creates_a_revisit_after_n_days_once(self, world, settings):
        settings.CASES_REVISIT_AFTER_DAYS = 3
        case = self.resolved(world)
        assert create_due_revisits(now=case.resolved_at + dt.timedelta(days=2)) == 0
        assert create_due_revisits(now=case.resolved_at + dt.timedelta(days=3)) == 1
        assert create_due_revisits(now=case.resolved_at + dt.timedelta(days=4)) == 0
        assert case.revisit.unit == world.community_a

    def test_it_counts_the_revisit_result_as_the_rating(self, world):
        case = self.resolved(world)
        create_due_revisits(now=case.resolved_at + dt.timedelta(days=30))
        do_record_revisit(
            case.revisit, "basic", "电话回访，基本满意", actor=world.user("community_a")
        )
        case.refresh_from_db()
        assert (case.status, case.rating, case.rating_source) == ("evaluated", "basic", "revisit")

    def test_it_reopens_on_an_unsatisfied_revisit(self, world):
        case = self.resolved(world)
        create_due_revisits(now=case.resolved_at + dt.timedelta(days=30))
        do_record_revisit(
            case.revisit, "unsatisfied", "灯还是不亮", actor=world.user("community_a")
        )
        case.refresh_from_db()
        assert case.status == "dispatched" and case.reopen_count == 1

    def test_it_does_not_let_staff_rate_without_a_revisit(self, world):
        from apps.cases.actions import do_transition
        from apps.cases.errors import NotAllowed

        case = self.resolved(world)
        with pytest.raises(NotAllowed):
            do_transition(
                case, "rate", actor=world.user("community_a"), data={"rating": "satisfied"}
            )
