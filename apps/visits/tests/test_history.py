"""Previous cycles kept and compared; timeliness from the task history; the coverage export;
the indicators of the dashboard."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.stats.indicators import REGISTRY, Scope
from apps.visits.actions import do_generate_cycle
from apps.visits.models import VisitTask, VisitTaskEvent
from apps.visits.selectors import cycle_comparison, cycle_coverage, timeliness

pytestmark = pytest.mark.django_db


def fridays_back(n: int) -> list[dt.date]:
    today = timezone.localdate()
    last = today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7)
    return [last - dt.timedelta(weeks=k) for k in reversed(range(n))]


def settle(task: VisitTask, status: str, *, late: bool = False) -> None:
    """Write the history a past task would have: due on its day, then done (on its window's
    last day, or a day late) or missed the day after the window."""
    start = dt.datetime.combine(task.occurrence, dt.time(9), tzinfo=timezone.get_current_timezone())
    events = [("planned", "due", start)]
    end = dt.datetime.combine(task.window_end, dt.time(20), tzinfo=start.tzinfo)
    if status == "done":
        events.append(("due", "done", end + dt.timedelta(days=1) if late else end))
    else:
        events.append(("due", "missed", end + dt.timedelta(hours=5)))
    for source, to, at in events:
        VisitTaskEvent.objects.create(task=task, from_status=source, to_status=to, at=at)
    VisitTask.objects.filter(pk=task.pk).update(status=status)


@pytest.fixture
def three_cycles(visit_round, world):
    """Three past Fridays: 2 of 2 households visited, then 1 of 2 (the other missed), then 1
    of 2 visited a day late (the window had closed: not on time, still visited)."""
    cycles = [do_generate_cycle(visit_round.plan, day)[0] for day in fridays_back(3)]
    outcomes = [("done", "done"), ("done", "missed"), ("done", "missed")]
    for n, (cycle, pair) in enumerate(zip(cycles, outcomes, strict=True)):
        tasks = list(VisitTask.objects.filter(cycle=cycle).order_by("place__path"))
        for task, status in zip(tasks, pair, strict=True):
            settle(task, status, late=(n == 2 and status == "done"))
    return cycles


class TestComparison:
    def test_it_lists_visited_over_due_per_cycle_oldest_first(self, three_cycles, world):
        rows = cycle_comparison(three_cycles[0].plan, world.community_a, last=8)
        assert [r.cycle for r in rows] == three_cycles
        assert [(r.visited, r.due, r.missed) for r in rows] == [(2, 2, 0), (1, 2, 1), (1, 2, 1)]
        assert [r.percent for r in rows] == [100.0, 50.0, 50.0]
        # each figure equals the coverage of that cycle
        for row in rows:
            cover = cycle_coverage(row.cycle, world.community_a)
            assert (row.visited, row.due) == (cover.visited, cover.due)

    def test_the_last_n_cycles(self, three_cycles, world):
        rows = cycle_comparison(three_cycles[0].plan, world.community_a, last=2)
        assert [r.cycle for r in rows] == three_cycles[1:]

    def test_the_page_and_the_api(self, client, three_cycles, world):
        client.force_login(world.user("community_a"))
        plan = three_cycles[0].plan
        body = client.get(f"/visits/coverage/compare/?plan={plan.pk}&n=4").content.decode()
        assert "2 / 2" in body and body.count('class="below-target"') == 2
        response = client.get(f"/api/v1/visits/coverage/compare?plan={plan.pk}")
        assert [r["visited"] for r in response.json()] == [2, 1, 1]

    def test_an_outsider_gets_404(self, client, three_cycles, world):
        client.force_login(world.user("outsider_b"))
        plan = three_cycles[0].plan
        url = f"/visits/coverage/compare/?plan={plan.pk}&place={world.community_a.pk}"
        assert client.get(url).status_code == 404
        url = f"/api/v1/visits/coverage/compare?plan={plan.pk}"
        assert client.get(url).status_code == 404


class TestTimeliness:
    def test_it_counts_done_by_the_windows_last_day_from_the_history(self, three_cycles):
        figures = timeliness(VisitTask.objects.filter(cycle__in=three_cycles))
        # 6 settled tasks; on time: 2 + 1 (the late one in the third cycle is not)
        assert (figures.on_time, figures.closed, figures.rate) == (3, 6, 0.5)

    def test_open_tasks_inside_their_window_are_not_counted_yet(self, visit_round):
        plan = visit_round.plan
        plan.rule = "FREQ=DAILY"
        plan.save()
        cycle, _ = do_generate_cycle(plan, timezone.localdate())
        assert timeliness(VisitTask.objects.filter(cycle=cycle)).closed == 0


class TestExport:
    def test_csv_lists_not_visited_with_reasons_and_households_without_holder(
        self, client, three_cycles, world, visit_round
    ):
        cycle = three_cycles[1]
        VisitTask.objects.filter(cycle=cycle, status="missed").update(reason="外出务工")
        client.force_login(world.user("community_a"))
        response = client.get(f"/visits/coverage/export/?cycle={cycle.pk}&format=csv")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert ["已走访", "1"] in rows and ["无责任人", "1"] in rows
        listed = [r for r in rows if r and r[0] in ("未走访",) and len(r) == 5]
        assert len(listed) == 1 and listed[0][2:] == ["刘党员", "逾期未访", "外出务工"]
        nobody = [r for r in rows if r and r[0] == "无责任人" and len(r) == 5]
        assert [r[1] for r in nobody] == ["1栋 2单元 201室"]

    def test_excel_has_the_three_sheets(self, client, three_cycles, world):
        client.force_login(world.user("community_a"))
        response = client.get(f"/visits/coverage/export/?cycle={three_cycles[0].pk}")
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["汇总", "按走访人", "未走访及无责任人"]
        summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
        assert (summary["应走访"], summary["已走访"], summary["走访率(%)"]) == (2, 2, 100)
        assignees = list(book["按走访人"].iter_rows(values_only=True))
        assert assignees[1][:3] == ("刘党员", 2, 2)

    def test_an_outsider_gets_404(self, client, three_cycles, world):
        client.force_login(world.user("outsider_b"))
        url = f"/visits/coverage/export/?cycle={three_cycles[0].pk}&place={world.community_a.pk}"
        assert client.get(url).status_code == 404


class TestIndicators:
    def test_visit_figures_for_the_community(self, three_cycles, world):
        scope = Scope(
            user=world.user("community_a"),
            place=world.community_a,
            date_from=three_cycles[0].occurrence,
            date_to=timezone.localdate(),
        )
        assert REGISTRY["visit_coverage"].compute(scope) == round(4 / 6, 4)
        assert REGISTRY["visit_timeliness"].compute(scope) == 0.5
        assert REGISTRY["household_visits"].compute(scope) == 0  # no records were written
        assert REGISTRY["hazards_found"].compute(scope) == 0
        assert "/visits/coverage/compare/" in REGISTRY["visit_coverage"].link(scope)

    def test_community_b_sees_nothing_of_a(self, three_cycles, world):
        scope = Scope(
            user=world.user("outsider_b"),
            place=world.community_b,
            date_from=three_cycles[0].occurrence,
            date_to=timezone.localdate(),
        )
        assert REGISTRY["visit_coverage"].compute(scope) is None
