"""Where a case is, on the staff page: the place's whole path, the reporter's landmark and a
small offline map (SVG) of the point inside its grid."""

import pytest
from django.test import Client

from apps.cases.actions import do_create_case
from apps.cases.models import Category

pytestmark = pytest.mark.django_db


def square(lng0, lat0, lng1, lat1):
    ring = [[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_case(world, place, **fields):
    category, _ = Category.objects.update_or_create(
        code="location-test", defaults={"name": "设施报修", "default_level": "community"}
    )
    case, _ = do_create_case(
        actor=None, category=category, place=place, title="设施报修：桥栏杆松动", **fields
    )
    return case


def detail(world, case) -> str:
    client = Client()
    client.force_login(world.user("community_a"))
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_whole_path_of_a_room(world):
    text = detail(world, make_case(world, world.household_a))
    assert "潋江镇 · 红门社区 · 红门第一网格 · 幸福小区 · 1栋 · 1单元 · 101室" in text


def test_it_draws_the_landmark_inside_its_grid(world):
    world.grid_a.geometry = square(115.30, 26.30, 115.35, 26.35)
    world.grid_a.save()
    case = make_case(world, world.grid_a, lat=26.34, lng=115.31, landmark="村口桥头")
    text = detail(world, case)
    assert "具体位置：村口桥头" in text and 'id="case-map"' in text
    assert "<svg" in text and "<circle" in text and "26.34000, 115.31000" in text
    # No map tiles from the internet: nothing but the inline drawing.
    assert "tile" not in text.lower()


def test_it_draws_no_map_without_a_boundary(world):
    text = detail(world, make_case(world, world.household_a, lat=26.34, lng=115.31))
    assert 'id="case-map"' not in text
