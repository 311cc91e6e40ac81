"""Recording visits: done, 未能入户 (never done), missed after the window, needs → cases."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.cases.models import Case, Category
from apps.core.models import AuditEvent
from apps.visits.actions import (
    advance_tasks,
    do_generate_cycle,
    do_record_unreachable,
    do_record_visit,
    do_report_need,
)
from apps.visits.models import VisitTask, VisitTaskEvent
from apps.visits.selectors import cycle_coverage, not_visited

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_cycle(visit_round):
    """A cycle whose window is open today (a daily rule, so any day is an occurrence)."""
    plan = visit_round.plan
    plan.rule = "FREQ=DAILY"
    plan.save()
    cycle, _ = do_generate_cycle(plan, timezone.localdate())
    return cycle


def _task(cycle, place):
    return VisitTask.objects.get(cycle=cycle, place=place)


def _history(task):
    return list(VisitTaskEvent.objects.filter(task=task).values_list("from_status", "to_status"))


class TestRecordVisit:
    def test_it_marks_the_task_done_with_an_event_and_an_audit_row(
        self, visit_round, today_cycle, world
    ):
        task = _task(today_cycle, world.household_a)
        record = do_record_visit(
            task,
            actor=visit_round.member_user,
            answers={"政策宣传": True, "民意记录": False},
            notes="老人身体好",
            lng=115.36,
            lat=26.34,
        )
        task.refresh_from_db()
        assert task.status == "done" and task.done_at == record.visited_at
        assert record.answers == {"政策宣传": True, "民意记录": False}
        assert _history(task) == [("planned", "done")]
        assert AuditEvent.objects.filter(object_type="visits.visittask", verb="update").count() == 1

    def test_it_refuses_an_answer_not_on_the_checklist(self, visit_round, today_cycle, world):
        task = _task(today_cycle, world.household_a)
        with pytest.raises(ValidationError) as exc:
            do_record_visit(task, actor=visit_round.member_user, answers={"打扫卫生": True})
        assert exc.value.message_dict == {"answers": ["清单中没有：打扫卫生"]}

    def test_it_refuses_someone_elses_task(self, visit_round, today_cycle, world):
        task = _task(today_cycle, world.household_a)
        with pytest.raises(PermissionDenied, match="只有走访责任人或本辖区工作人员可以登记走访"):
            do_record_visit(task, actor=world.user("volunteer_a"))

    def test_it_refuses_a_second_visit_of_a_done_task(self, visit_round, today_cycle, world):
        task = _task(today_cycle, world.household_a)
        do_record_visit(task, actor=visit_round.member_user)
        with pytest.raises(ValidationError, match="该任务当前状态为“已走访”，不能登记为“已走访”"):
            do_record_visit(task, actor=visit_round.member_user)


class TestUnreachable:
    def test_it_needs_a_reason(self, visit_round, today_cycle, world):
        task = _task(today_cycle, world.household_a)
        with pytest.raises(ValidationError) as exc:
            do_record_unreachable(task, actor=visit_round.member_user, reason="  ")
        assert exc.value.message_dict == {"reason": ["请填写未能入户的原因"]}

    def test_it_never_counts_as_done_even_after_the_window(self, visit_round, today_cycle, world):
        task = _task(today_cycle, world.household_a)
        do_record_unreachable(task, actor=visit_round.member_user, reason="家中无人，电话未接")
        task.refresh_from_db()
        assert task.status == "unreachable" and task.reason == "家中无人，电话未接"
        assert cycle_coverage(today_cycle, world.community_a).visited == 0
        advance_tasks(today=today_cycle.window_end + dt.timedelta(days=1))
        task.refresh_from_db()
        assert task.status == "missed"
        assert _history(task) == [("planned", "unreachable"), ("unreachable", "missed")]
        cover = cycle_coverage(today_cycle, world.community_a)
        assert (cover.visited, cover.due, cover.not_visited) == (0, 2, 2)
        assert world.household_a in list(not_visited(today_cycle, world.community_a))

    def test_it_may_still_be_visited_later_in_the_window(self, visit_round, today_cycle, world):
        task = _task(today_cycle, world.household_a)
        do_record_unreachable(task, actor=visit_round.member_user, reason="家中无人")
        do_record_visit(task, actor=visit_round.member_user)
        task.refresh_from_db()
        assert task.status == "done"
        assert task.records.filter(reached=False).count() == 1


class TestMonitor:
    def test_it_opens_and_closes_windows_with_events(self, visit_round, world):
        cycle, _ = do_generate_cycle(visit_round.plan, dt.date(2025, 6, 6))
        assert advance_tasks(today=dt.date(2025, 6, 5)) == (0, 0)
        assert advance_tasks(today=dt.date(2025, 6, 6)) == (2, 0)
        assert advance_tasks(today=dt.date(2025, 6, 9)) == (0, 2)
        assert advance_tasks(today=dt.date(2025, 6, 9)) == (0, 0)  # nothing moves twice
        task = _task(cycle, world.household_a)
        assert task.status == "missed"
        assert _history(task) == [("planned", "due"), ("due", "missed")]

    def test_it_refuses_a_visit_after_the_window(self, visit_round, world):
        cycle, _ = do_generate_cycle(visit_round.plan, dt.date(2025, 6, 6))
        with pytest.raises(ValidationError, match="该任务已超过走访时限，不能再登记"):
            do_record_visit(_task(cycle, world.household_a), actor=visit_round.member_user)


class TestReportNeed:
    def test_it_creates_a_visit_case_on_the_household(self, visit_round, today_cycle, world):
        task = _task(today_cycle, world.household_a)
        category = Category.objects.filter(active=True).first()
        case = do_report_need(
            task,
            actor=visit_round.member_user,
            category=category,
            title="屋顶漏水",
            description="雨天漏水",
        )
        assert (case.source, case.place, case.category, case.title) == (
            "visit",
            world.household_a,
            category,
            "屋顶漏水",
        )
        assert case.attributes["visit_task"] == task.pk
        assert list(task.cases.all()) == [case]
        assert visit_round.member in case.persons.all()
        assert Case.objects.count() == 1
