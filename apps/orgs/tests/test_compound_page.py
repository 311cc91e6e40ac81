"""The compound page (P7): bodies with members (party members marked), building and unit
heads, open and recent cases and meetings, scoped; and the compound register linking to it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.cases.tests.helpers import make_case, make_category, walk
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place
from apps.duties.choices import DutyKind
from apps.meetings.actions import ItemInput, do_create_meeting
from apps.places.choices import PlaceKind

from .test_organisation_views import compound_bodies  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def compound_life(world, compound_bodies):  # noqa: F811
    DutyFactory(
        person=PersonFactory(name="赵楼长", place=world.household_a),
        place=world.building_a,
        kind=DutyKind.BUILDING_HEAD,
    )
    DutyFactory(
        person=PersonFactory(name="钱单元长", place=world.household_a),
        place=world.unit_a,
        kind=DutyKind.UNIT_HEAD,
    )
    make_place(PlaceKind.BUILDING, "2栋", world.compound_a)
    open_case = make_case(world, title="电梯停运", category=make_category("c-lift"))
    done = walk(
        make_case(world, title="门禁损坏", category=make_category("c-gate")),
        world,
        ("accept", "community_a", None),
        ("dispatch", "community_a", {"assignee": world.user("grid_worker_a").pk}),
        ("claim", "grid_worker_a", None),
        ("resolve", "grid_worker_a", None),
    )
    elsewhere = make_case(world, place=world.grid_a, title="网格道路积水")
    meeting = do_create_meeting(
        actor=world.user("community_a"),
        kind="five_party",
        title="幸福小区五方议事会",
        area=world.compound_a,
        starts_at=timezone.now() + dt.timedelta(days=2),
        items=[ItemInput(title="电梯停运", source="manual")],
    )
    return {"open": open_case, "done": done, "elsewhere": elsewhere, "meeting": meeting}


def test_the_compound_page_shows_governance_heads_cases_and_meetings(
    client_as, world, compound_life
):
    response = client_as("community_a").get(reverse("orgs:compound", args=[world.compound_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "陈国栋" in body and "周丽" in body  # owner-committee members
    heads = response.context["heads"]
    assert (heads.buildings, heads.buildings_with_head, heads.units, heads.units_with_head) == (
        2,
        1,
        1,
        1,
    )
    assert "赵楼长" in body and "钱单元长" in body
    assert [c.pk for c in response.context["open_cases"]] == [compound_life["open"].pk]
    assert [c.pk for c in response.context["recent_cases"]] == [compound_life["done"].pk]
    assert compound_life["elsewhere"].number not in body
    assert [m.pk for m in response.context["meetings"]] == [compound_life["meeting"].pk]


def test_an_outsider_gets_404(client_as, world, compound_life):
    url = reverse("orgs:compound", args=[world.compound_a.pk])
    assert client_as("outsider_b").get(url).status_code == 404


def test_the_register_lists_compounds_with_their_bodies_and_links_them(
    client_as,
    world,
    compound_bodies,  # noqa: F811
    django_assert_max_num_queries,
):
    make_place(PlaceKind.COMPOUND, "无物业小区", world.grid_a)
    client = client_as("community_a")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("orgs:compounds"))
    rows = {c.name: c for c in response.context["page"]}
    assert set(rows) == {"幸福小区", "无物业小区"}
    assert rows["幸福小区"].has_party_org and rows["幸福小区"].has_owner_committee
    assert not rows["无物业小区"].has_party_org
    assert reverse("orgs:compound", args=[world.compound_a.pk]) in response.content.decode()
    none = client.get(reverse("orgs:compounds"), {"property_model": "none"})
    assert [c.name for c in none.context["page"]] == ["无物业小区"]
    assert (
        client_as("outsider_b").get(reverse("orgs:compounds")).context["page"].paginator.count == 0
    )
