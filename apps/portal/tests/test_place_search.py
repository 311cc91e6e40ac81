"""The resident's place picker over HTTP: compound, building, unit and room in any order, each
result with its short path, scoped to the chosen community (or the county once a name is
typed). Each case here is one the pilot county saw go wrong."""

import re

import pytest
from django.test import Client

from apps.core.testing.factories import make_place
from apps.places.choices import PlaceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def kangle(world):
    """康乐雅苑 beside 幸福小区 in community A: 1栋 (two units, rooms 201) and 6栋, 11栋."""
    compound = make_place(PlaceKind.COMPOUND, "康乐雅苑", world.grid_a)
    one = make_place(PlaceKind.BUILDING, "1栋", compound)
    make_place(PlaceKind.BUILDING, "6栋", compound)
    make_place(PlaceKind.BUILDING, "11栋", compound)
    unit_1 = make_place(PlaceKind.UNIT, "1单元", one)
    unit_2 = make_place(PlaceKind.UNIT, "2单元", one)
    make_place(PlaceKind.HOUSEHOLD, "201室", unit_1)
    room = make_place(PlaceKind.HOUSEHOLD, "201室", unit_2)
    return {"compound": compound, "building": one, "unit": unit_2, "room": room}


def search(q: str, community=None) -> str:
    params = {"q": q, **({"community": community.pk} if community else {})}
    response = Client().get("/portal/places/", params)
    assert response.status_code == 200
    return response.content.decode()


def hits(text: str) -> list[str]:
    return re.findall(r"<strong>([^<]+)</strong>", text)


def test_it_names_each_building_with_its_compound(world, kangle):
    found = hits(search("1栋", world.community_a))
    # 康乐雅苑 and 幸福小区 each have a 1栋; 11栋 is not "1栋".
    assert sorted(found) == ["幸福小区 1栋", "康乐雅苑 1栋"]


def test_it_finds_the_placeholders_own_example_in_any_order(world, kangle):
    for q in ("康乐雅苑 6栋", "6栋 康乐雅苑", "康乐雅苑6栋", "康乐 6栋"):
        assert hits(search(q, world.community_a)) == ["康乐雅苑 6栋"], q


def test_it_finds_a_unit_and_a_room_with_the_full_short_path(world, kangle):
    assert hits(search("康乐雅苑 1栋 2单元", world.community_a)) == ["康乐雅苑 1栋 2单元"]
    text = search("2单元 201室 康乐雅苑 1栋", world.community_a)
    assert hits(text) == ["康乐雅苑 1栋 2单元 201室"]
    assert f'value="{kangle["room"].pk}"' in text
    assert "潋江镇 · 红门社区" in text


def test_it_searches_the_county_once_a_name_is_typed(world, kangle):
    text = search("康乐雅苑 6栋")
    assert hits(text) == ["康乐雅苑 6栋"] and "潋江镇 · 红门社区" in text
    # A bare building number means something in every compound: ask for a name first.
    bare = search("1栋")
    assert hits(bare) == [] and "请先选择社区/村，或在楼号前输入小区、村名" in bare


def test_it_keeps_to_the_chosen_community(world, kangle):
    assert hits(search("康乐雅苑", world.community_b)) == []
    assert "没有找到" in search("康乐雅苑", world.community_b)


def test_it_finds_a_village_house_by_its_group(world):
    house = make_place(PlaceKind.HOUSEHOLD, "大屋组12号", world.grid_b)
    text = search("大屋组 12号")
    assert hits(text) == ["将军社区 大屋组12号"] and f'value="{house.pk}"' in text


def test_it_reads_a_bounded_number_of_queries(world, kangle, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        search("康乐雅苑 1栋 2单元 201室", world.community_a)


def test_it_renders_the_results_on_the_report_page_without_javascript(world, kangle, category):
    """The search field's own GET form reloads the report page with the hits under the field
    and the typed text kept in it; the hits are radios of the report form."""
    response = Client().get(f"/portal/report/{category.code}/", {"q": "康乐雅苑 6栋"})
    assert response.status_code == 200
    text = response.content.decode()
    assert hits(text) == ["康乐雅苑 6栋"]
    assert 'value="康乐雅苑 6栋"' in text
    assert 'name="place_pick"' in text
    plain = Client().get(f"/portal/report/{category.code}/").content.decode()
    assert 'id="place-hits"' not in plain and 'id="place-search"' in plain
