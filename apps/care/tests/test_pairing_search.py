"""Issue 20, item 11: the 关爱标签 filter shows the tag it lists; the pairing form finds a
carer by name or home with age, household and school (two people of one name told apart),
and offers the schools of the child's town."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from apps.care.models import Pairing
from apps.core.testing.factories import OrganisationFactory, PersonFactory, make_place
from apps.orgs.models import Membership
from apps.people.models import CareTag, PartyMember
from apps.places.choices import PlaceKind
from apps.volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def selected_tag(html: str) -> str:
    select = html.split('name="tag"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]+)" selected>', select)[0]


def test_the_tag_filter_shows_the_tag_it_lists(client, care, world):
    alone = CareTag.objects.get(code="alone_elderly")
    grandma = PersonFactory(name="陈奶奶", place=world.household_a)
    grandma.care_tags.add(alone)
    client.force_login(world.user("community_a"))
    for query in ({}, {"days": 30}):  # unbound, and bound without a tag
        html = client.get(reverse("care:group"), query).content.decode()
        assert selected_tag(html) == "left_behind_child", query
        assert "刘小明" in html and "陈奶奶" not in html
    html = client.get(reverse("care:group"), {"tag": "alone_elderly"}).content.decode()
    assert selected_tag(html) == "alone_elderly"
    assert "陈奶奶" in html and "刘小明" not in html


@pytest.fixture
def carers(world, care):
    """Two 陈老师 (the fixture's, in the grid, and one in a compound's building), a party
    member in another community, and the town's central school."""
    compound = make_place(PlaceKind.COMPOUND, "康乐雅苑", world.grid_a)
    building = make_place(PlaceKind.BUILDING, "1栋", compound)
    room = make_place(PlaceKind.HOUSEHOLD, "201室", building)
    namesake = PersonFactory(name="陈老师", place=room, birth_date=dt.date(1980, 3, 1))
    Volunteer.objects.create(person=namesake)
    Membership.objects.create(organisation=care.school, person=care.teacher)
    Volunteer.objects.create(person=care.teacher)
    far = PersonFactory(name="王党员", place=world.household_b, birth_date=dt.date(1960, 1, 1))
    PartyMember.objects.create(person=far)
    central = OrganisationFactory(kind="school", name="潋江镇中心小学", place=world.town)
    return namesake, far, central


def test_the_pairing_form_finds_carers_with_age_home_and_school(client, care, world, carers):
    namesake, far, central = carers
    client.force_login(world.user("town_staff"))
    url = reverse("care:pairing_new")
    with time_machine.travel(dt.datetime(2026, 12, 6, 10, 0), tick=False):
        page = client.get(url, {"person": care.child.pk})
        body = page.content.decode()
        # the school list: the child's community school and the town's central school
        assert "红门小学" in body and "潋江镇中心小学" in body
        # one radio per candidate, people of the child's community first
        options = page.context["options"]
        assert [o.person.name for o in options][-1] == "王党员"
        labels = {o.person.pk: o.label for o in options}
        assert labels[namesake.pk] == "陈老师 · 46岁 · 康乐雅苑 1栋 201室 · 志愿者"
        assert (
            labels[care.teacher.pk].startswith("陈老师") and "红门小学" in labels[care.teacher.pk]
        )
        assert labels[far.pk] == "王党员 · 66岁 · 将军路8号 · 党员"
        assert body.count('name="carer"') == len(options) == 3

        # the htmx search answers the results only
        found = client.get(url, {"person": care.child.pk, "q": "康乐"}, HTTP_HX_REQUEST="true")
        html = found.content.decode()
        assert "<form" not in html and html.count('name="carer"') == 1
        assert "康乐雅苑 1栋 201室" in html and "“康乐”：1 人" in html

        # still under the frozen clock: the session was saved at 10:00 that day and
        # lasts 8 hours, so a post at the real time would go to the login page
        response = client.post(
            f"{url}?person={care.child.pk}",
            {
                "carer": namesake.pk,
                "carer_kind": "volunteer",
                "school": central.pk,
                "start_date": "2026-12-06",
            },
        )
    pairing = Pairing.objects.get(person=care.child)
    assert response["Location"] == reverse("care:pairing", args=[pairing.pk])
    assert (pairing.carer, pairing.school) == (namesake, central)


def test_a_missing_carer_is_refused_beside_the_search(client, care, world, carers):
    client.force_login(world.user("community_a"))
    url = f"{reverse('care:pairing_new')}?person={care.child.pk}"
    response = client.post(url, {"carer_kind": "volunteer", "start_date": "2026-12-06"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "这个字段是必填项" in html and 'id="carer-pick"' in html


def test_roles_without_the_reveal_right_see_the_age_by_years_only(client, care, world, carers):
    """An exact age, read again each day, tells the day it changes: the birthday, and so most
    of the masked ID number (ADR 0016). Before 陈老师's birthday (1 March) the years' difference
    is one more than the full years."""
    namesake = carers[0]
    url = reverse("care:pairing_new")
    ages = {}
    with time_machine.travel(dt.datetime(2026, 1, 10, 10, 0), tick=False):
        for persona in ("town_staff", "county_leader"):
            client.force_login(world.user(persona))
            page = client.get(url, {"person": care.child.pk})
            assert page.status_code == 200
            ages[persona] = {o.person.pk: o.age for o in page.context["options"]}[namesake.pk]
    assert ages == {"town_staff": 45, "county_leader": 46}
