"""今日任务 through HTTP (issue 20, item 9): every card carries the full short address and the
head of the household, one row per household for the open cycle (the next cycle under its own
heading), counts of households, and the care tags that make a household 重点. The clock is
frozen on a Friday: the page reads `timezone.localdate()`."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.cases.actions import do_transition
from apps.cases.tests.helpers import make_case
from apps.core.testing.factories import PersonFactory
from apps.people.models import CareTag
from apps.visits.actions import do_generate_cycle
from apps.visits.models import VisitTask

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 12, 4)


@pytest.fixture
def friday():
    with time_machine.travel(
        dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True
    ):
        yield FRIDAY


@pytest.fixture
def two_rounds(friday, visit_round, world):
    """This Friday's round and next Friday's, with an 独居老人 at household A."""
    lonely = CareTag.objects.create(code="lonely-test", name="独居老人测试", weight=30)
    head = PersonFactory(name="张桂英", place=world.household_a, relation="head")
    head.care_tags.add(lonely)
    PersonFactory(name="张小明", place=world.household_a, relation="child")
    this, _ = do_generate_cycle(visit_round.plan, FRIDAY)
    nxt, _ = do_generate_cycle(visit_round.plan, FRIDAY + dt.timedelta(days=7))
    return this, nxt


@pytest.fixture
def member_client(client, visit_round):
    client.force_login(visit_round.member_user)
    return client


def test_it_shows_each_household_once_with_its_full_address_and_head(
    member_client, two_rounds, visit_round
):
    assert timezone.localdate() == FRIDAY
    assert VisitTask.objects.filter(assignee=visit_round.member).count() == 4
    response = member_client.get("/visits/")
    body = response.content.decode()
    tasks = response.context["tasks"]
    current = [r for g in tasks.current for r in g.rows]
    assert [r.address for r in current] == [
        "幸福小区 · 1栋 · 1单元 · 101室",
        "幸福小区 · 2栋 · 1单元 · 101室",
    ]
    assert {r.task.occurrence for r in current} == {FRIDAY}
    assert "待走访 2 户" in body  # households of this round, not the 4 open tasks
    assert "户主 张桂英" in body
    assert [g.title for g in tasks.current] == ["幸福小区 · 1栋", "幸福小区 · 2栋"]
    assert "下一轮走访 2 户（尚未开始）" in body
    assert {r.task.occurrence for g in tasks.upcoming for r in g.rows} == {
        FRIDAY + dt.timedelta(days=7)
    }


def test_it_explains_why_a_household_is_a_priority(member_client, two_rounds, world):
    case = make_case(world, title="楼道灯坏了")
    assert case.place_id == world.household_a.pk
    response = member_client.get("/visits/")
    body = response.content.decode()
    first = response.context["tasks"].current[0].rows[0]
    assert first.place == world.household_a
    assert first.care_tags == ["独居老人测试"] and first.open_cases == 1
    assert "重点 30" in body and "独居老人测试" in body and "未办结事项 1 件" in body
    assert "关爱标签（独居老人、高龄等）的权重之和 + 每件未办结事项 20 分" in body


def test_it_lists_the_cases_assigned_to_me(member_client, two_rounds, world, visit_round):
    staff = world.user("community_a")
    mine = make_case(world, title="帮老人买药")
    mine = do_transition(mine, "accept", actor=staff, note="收到")
    do_transition(
        mine, "dispatch", actor=staff, note="请办", data={"assignee": visit_round.member_user.pk}
    )
    make_case(world, title="别人的事")
    body = member_client.get("/visits/").content.decode()
    assert "派给我的事项" in body and "帮老人买药" in body and "别人的事" not in body


def test_it_keeps_the_number_of_queries_fixed(
    member_client, two_rounds, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        member_client.get("/visits/")
