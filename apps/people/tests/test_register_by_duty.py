"""A 包联 party member or a volunteer reads the residents register of the households it answers
for, not of its whole scope (SPEC, users; ADR 0072): the list, the detail page and the API."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from apps.accounts.choices import Role
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.places.choices import PlaceKind

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def street(world):
    """Two more households in the first unit; one resident in each household, one in the
    other community."""
    next_door = make_place(PlaceKind.HOUSEHOLD, "102室", world.unit_a)
    upstairs = make_place(PlaceKind.HOUSEHOLD, "201室", world.unit_a)
    return {
        "mine": PersonFactory(name="刘奶奶", place=world.household_a),
        "next_door": PersonFactory(name="王大爷", place=next_door),
        "upstairs": PersonFactory(name="赵阿姨", place=upstairs),
        "elsewhere": PersonFactory(name="李春生", place=world.household_b),
    }


@pytest.fixture
def party(world, client):
    member = PersonFactory(name="刘党员", place=world.household_a)
    user = make_user("party_x", Role.PARTY_MEMBER, world.community_a, person=member)
    client.force_login(user)
    return member


def names(client, **query) -> set[str]:
    page = client.get(reverse("people:list"), query)
    assert page.status_code == 200
    return {p.name for p in page.context["page"].object_list}


@time_machine.travel(MOMENT, tick=False)
def test_a_party_member_reads_the_people_of_the_households_it_answers_for(
    client, world, street, party
):
    DutyFactory(person=party, place=street["next_door"].place, start_date=dt.date(2026, 1, 1))
    assert names(client) == {"刘党员", "王大爷"}  # itself and its 包联 household's people
    assert client.get(reverse("people:detail", args=[street["next_door"].pk])).status_code == 200
    for other in ("mine", "upstairs", "elsewhere"):
        assert client.get(reverse("people:detail", args=[street[other].pk])).status_code == 404
    api = client.get("/api/v1/people/", {"page_size": 100}).json()
    assert {i["name"] for i in api["items"]} == {"刘党员", "王大爷"}


@time_machine.travel(MOMENT, tick=False)
def test_a_duty_that_ended_no_longer_opens_the_household(client, street, party):
    DutyFactory(
        person=party,
        place=street["upstairs"].place,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2026, 6, 30),
    )
    assert "赵阿姨" not in names(client)


@time_machine.travel(MOMENT, tick=False)
def test_a_building_head_reads_the_households_of_its_building(client, world, street, party):
    DutyFactory(person=party, place=world.building_a, kind="building_head")
    assert names(client) == {"刘党员", "刘奶奶", "王大爷", "赵阿姨"}


@time_machine.travel(MOMENT, tick=False)
def test_staff_of_the_community_still_read_all_of_it(client, world, street):
    client.force_login(world.user("community_a"))
    assert {"刘奶奶", "王大爷", "赵阿姨"} <= names(client)
    assert "李春生" not in names(client)
