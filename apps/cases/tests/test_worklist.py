"""The staff's work on cases through HTTP (issue 20, items 5 and 6): the inbox opens on 待我处理
(what needs an action from my unit, overdue first, then the nearest deadline; nothing archived)
under today's figures; a case routed to the street says who owns it now and that the
community has nothing to do; the other views stay one click away."""

import datetime as dt

import pytest
import time_machine

from apps.cases.choices import Status
from apps.cases.models import Case

from .helpers import make_case, walk

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=True):
        yield NOON


@pytest.fixture
def inbox(frozen, world):
    """Community A: a new case, an accepted one due soon, one overdue, one archived long ago
    with the oldest deadline of all, one escalated to the town, and one of community B."""
    new = make_case(world, title="新登记的事")
    soon = walk(make_case(world, title="已受理待派"), world, ("accept", "community_a", None))
    late = make_case(world, title="超期的事")
    Case.objects.filter(pk=late.pk).update(respond_by=NOON - dt.timedelta(days=1))
    archived = make_case(world, title="八月归档的事")
    Case.objects.filter(pk=archived.pk).update(
        status=Status.CLOSED, resolve_by=NOON - dt.timedelta(days=100)
    )
    street = walk(make_case(world, title="上报街道的事"), world, ("escalate", "community_a", None))
    make_case(world, title="将军社区的事", place=world.household_b, actor=world.user("outsider_b"))
    return {"new": new, "soon": soon, "late": late, "archived": archived, "street": street}


def titles(response):
    return [c.title for c in response.context["page"]]


def test_the_default_inbox_is_my_units_work_most_urgent_first(client, world, inbox):
    client.force_login(world.user("community_a"))
    response = client.get("/cases/")
    assert response.status_code == 200
    shown = titles(response)
    assert shown[0] == "超期的事"
    assert set(shown) == {"超期的事", "已受理待派", "新登记的事"}
    assert "八月归档的事" not in shown and "上报街道的事" not in shown
    body = response.content.decode()
    assert 'aria-current="page">待我处理' in body
    figures = response.context["figures"]
    assert (figures.todo, figures.todo_overdue) == (3, 1)
    assert figures.registered_today == 6 - 1  # community B's case is not in A's scope
    assert "待我处理：受理" in body  # each row says what the viewer may do


def test_the_other_views_put_finished_cases_last(client, world, inbox):
    client.force_login(world.user("community_a"))
    shown = titles(client.get("/cases/", {"status": ""}))
    assert shown[-1] == "八月归档的事" and shown[0] == "超期的事"
    assert "上报街道的事" in shown
    open_ = titles(client.get("/cases/", {"status": "open"}))
    assert "八月归档的事" not in open_ and "上报街道的事" in open_


def test_a_case_routed_to_the_street_says_who_owns_it_and_that_i_have_nothing_to_do(
    client, world, inbox
):
    client.force_login(world.user("community_a"))
    body = client.get(f"/cases/{inbox['street'].pk}/").content.decode()
    assert "现在由谁办" in body and "潋江镇（乡镇街道）" in body
    assert "您只能查看，无需操作：该事项现在由潋江镇负责办理" in body
    assert 'name="action"' not in body  # no button
    row = client.get("/cases/", {"status": "open"}).content.decode()
    assert "潋江镇承办 · 仅查看" in row
    client.force_login(world.user("town_staff"))
    body = client.get(f"/cases/{inbox['street'].pk}/").content.decode()
    assert "您可以：受理" in body
    assert "上报街道的事" in titles(client.get("/cases/"))


def test_an_assignee_finds_the_case_in_the_queue(client, world, inbox):
    walk(
        inbox["soon"],
        world,
        ("dispatch", "community_a", {"assignee": world.user("grid_worker_a").pk}),
    )
    client.force_login(world.user("grid_worker_a"))
    response = client.get("/cases/")
    assert "已受理待派" in titles(response)
    assert "待我处理：接单" in response.content.decode()
    client.force_login(world.user("community_a"))
    body = client.get(f"/cases/{inbox['soon'].pk}/").content.decode()
    assert f"承办人 {world.user('grid_worker_a')}" in body
    assert "您可以：上报、撤销" in body  # the dispatcher may still pull it back
