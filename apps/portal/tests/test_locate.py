"""The phone's position over HTTP: the community and grid whose boundaries hold it, the nearest
compound offered, and a landmark report filed under its grid with its coordinates."""

import pytest
from django.test import Client

from apps.cases.models import Case

from .conftest import submit

pytestmark = pytest.mark.django_db


def locate(lat: float, lng: float) -> str:
    response = Client().get("/portal/locate/", {"lat": lat, "lng": lng})
    assert response.status_code == 200
    return response.content.decode()


def test_it_names_the_community_and_grid_that_hold_the_point(mapped, category):
    text = locate(26.3201, 115.3202)
    assert f'data-community="{mapped.community_a.pk}"' in text
    assert "潋江镇 · 红门社区 · 红门第一网格" in text
    # The compound 24 m away is offered first and chosen; no raw coordinates are shown.
    assert f'value="{mapped.compound_a.pk}" checked' in text and "幸福小区" in text
    assert "26.32" not in text


def test_it_finds_the_other_community_east_of_the_line(mapped):
    text = locate(26.38, 115.38)
    assert f'data-community="{mapped.community_b.pk}"' in text and "将军社区" in text
    assert "幸福小区" not in text


def test_it_says_when_the_point_is_outside_the_county(mapped):
    assert "不在本县的社区/村范围内" in locate(39.9, 116.4)
    assert (
        "不在本县的社区/村范围内" in Client().get("/portal/locate/", {"lat": "x"}).content.decode()
    )


def test_it_files_a_landmark_under_the_grid_with_its_coordinates(mapped, category):
    """村口桥头 is near 1栋 but is no building: the grid that holds it, the point and the
    resident's words are kept; the community is found without being chosen."""
    response = submit(
        Client(), category, lat="26.3203", lng="115.3203", landmark="村口桥头", place_pick=""
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.place == mapped.grid_a and case.handling_unit == mapped.community_a
    assert case.landmark == "村口桥头"
    assert case.lat == pytest.approx(26.3203) and case.lng == pytest.approx(115.3203)


def test_it_files_the_picked_nearby_compound(mapped, category):
    submit(Client(), category, lat="26.3201", lng="115.3202", place_pick=mapped.compound_a.pk)
    case = Case.objects.get()
    assert case.place == mapped.compound_a and case.lat == pytest.approx(26.3201)


def test_it_keeps_the_chosen_community_when_the_point_is_elsewhere(mapped, category):
    submit(Client(), category, community=mapped.community_b.pk, lat="26.3201", lng="115.3202")
    assert Case.objects.get().place == mapped.community_b


def test_it_refuses_a_point_outside_every_community_without_a_choice(mapped, category):
    response = submit(Client(), category, lat="39.9", lng="116.4")
    assert response.status_code == 400
    assert "请选择所在社区/村，或使用手机定位" in response.content.decode()
