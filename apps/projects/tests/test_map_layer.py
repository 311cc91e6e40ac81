"""The key projects as a point layer of the overview map, and their section in the overview:
coloured by lamp, scoped (a county sees its own projects only, a project unit its project),
chosen from the map's layer picker."""

import datetime as dt
import json
import math
import re

import pytest
from django.core.exceptions import ValidationError

from apps.core.testing import client_as
from apps.places.models import Place
from apps.projects import actions
from apps.projects.layers import MAX_VERTICES, project_points
from apps.stats import layers
from apps.stats.dashboard import overview

from .conftest import register

D = dt.date


def chart_data(html: str) -> dict:
    block = re.search(r'<script id="overview-data" type="application/json">(.*?)</script>', html)
    assert block, "no chart data block"
    return json.loads(block.group(1))


def test_the_programmes_register_their_layers_with_stats():
    codes = {layer.code for layer in layers.available()}
    assert {"projects", "forest_events", "forest_signboards"} <= codes
    assert {"collective_resources", "collective_assets"} <= codes


def test_projects_are_points_coloured_by_lamp_within_the_users_scope(clock, city, people, g105):
    official = people["city_official"]
    Place.objects.filter(pk=city["xiushui"].pk).update(lng=114.55, lat=29.03)
    later = {"start": D(2025, 9, 15)}  # their survey is due on 29 Sep: green on 22 Sep
    register(official, city["xiushui"], "XS-1", name="修水工业园道路", lng=114.6, lat=29.1, **later)
    register(official, city["xiushui"], "XS-2", name="修水县城防洪工程", **later)  # county's point
    actions.do_start_stage(
        actor=official, stage=g105.stages.get(template__code="survey"), on_date=D(2025, 9, 1)
    )
    clock(dt.datetime(2025, 9, 22, 9, 0))  # G105's survey (due 15 Sep) is 5 days late: yellow
    g105.lng, g105.lat = 115.1, 29.26
    g105.save(update_fields=["lng", "lat"])

    points = project_points(official, city["city"])
    assert [(p.name, p.status) for p in points] == [
        ("G105国道武宁段改建工程", "黄灯"),
        ("修水工业园道路", "绿灯"),
        ("修水县城防洪工程", "绿灯"),
    ]
    assert (points[2].lng, points[2].lat) == (114.55, 29.03)
    assert points[0].link == f"/projects/{g105.pk}/"
    county = project_points(people["xiushui_official"], city["xiushui"])
    assert {p.name for p in county} == {"修水工业园道路", "修水县城防洪工程"}
    assert [p.name for p in project_points(people["unit"], city["city"])] == [g105.name]
    # a place outside the user's own scope gives nothing: the xiushui account over wuning
    assert project_points(people["xiushui_official"], city["wuning"]) == []

    data = overview(official, city["city"], D(2025, 9, 1), layer_code="projects")
    layer = data.chart["layer"]
    assert layer["total"] == 3 and layer["legend"][0] == {"status": "绿灯", "colour": "#2e8b57"}
    assert layer["points"][0]["value"][:2] == [115.1, 29.26]
    section = dict(data.sections)["重点项目"]
    assert [f.indicator.code for f in section][:4] == [
        "projects_by_lamp",
        "projects_by_stage",
        "projects_stages_on_time",
        "projects_land_supplied_mu",
    ]
    # the breakdowns in words: G105 yellow in its survey, the two 修水 projects green
    texts = {f.indicator.code: f.text for f in section}
    assert texts["projects_by_lamp"] == "绿灯 2 · 黄灯 1 · 橙灯 0 · 红灯 0"
    assert texts["projects_by_stage"].startswith("需求摸排 3 · 用地预审/报批 0")


def test_the_overview_page_offers_the_layers_and_draws_the_chosen_one(clock, city, people, g105):
    g105.lng, g105.lat = 115.1, 29.26
    g105.save(update_fields=["lng", "lat"])
    client = client_as(people["city_official"])
    page = client.get("/stats/", {"place": city["city"].pk}).content.decode()
    assert 'name="layer"' in page and "重点项目（按亮灯）" in page
    assert "layer" not in chart_data(page)
    assert 'data-programme="重点项目"' in page and 'data-programme="基层治理"' in page
    page = client.get("/stats/", {"place": city["city"].pk, "layer": "projects"}).content.decode()
    data = chart_data(page)
    assert [p["name"] for p in data["layer"]["points"]] == [g105.name]
    assert 'id="layer-summary"' in page and "1 个点" in page
    # another county's official: the layer is there, G105 is not on it
    other = client_as(people["xiushui_official"])
    page = other.get("/stats/", {"layer": "projects"}).content.decode()
    assert chart_data(page)["layer"]["points"] == []


def _square(lng, lat, size=0.05):
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_project_stored_as_a_polygon_is_drawn_as_its_shape(clock, city, people, g105):
    official = people["city_official"]
    # a fine outline (a 1,000-vertex circle) is simplified to at most MAX_VERTICES
    circle = [
        [
            114.6 + 0.02 * math.cos(2 * math.pi * i / 1000),
            29.1 + 0.02 * math.sin(2 * math.pi * i / 1000),
        ]
        for i in range(1000)
    ]
    circle.append(circle[0])
    land = register(
        official,
        city["xiushui"],
        "XS-LAND",
        name="修水产业园用地",
        start=D(2025, 9, 15),
        geometry={"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [circle]}},
    )
    register(
        official,
        city["xiushui"],
        "XS-MULTI",
        name="修水两处安置地块",
        start=D(2025, 9, 15),
        lng=114.4,
        lat=29.0,
        geometry={
            "type": "MultiPolygon",
            "coordinates": [
                _square(114.3, 29.0)["coordinates"],
                _square(114.5, 29.0)["coordinates"],
            ],
        },
    )
    g105.lng, g105.lat = 115.1, 29.26
    g105.save(update_fields=["lng", "lat"])

    points = {p.name: p for p in project_points(official, city["city"])}
    assert set(points) == {g105.name, "修水产业园用地", "修水两处安置地块"}
    assert points[g105.name].rings == ()  # a point only: a dot
    ring = points["修水产业园用地"].rings
    assert len(ring) == 1 and 4 <= len(ring[0]) <= MAX_VERTICES
    assert ring[0][0] == ring[0][-1]
    # no point of its own and none for its place: the label stands inside the land
    label = points["修水产业园用地"]
    assert math.hypot(label.lng - 114.6, label.lat - 29.1) < 0.02
    multi = points["修水两处安置地块"]
    assert len(multi.rings) == 2 and (multi.lng, multi.lat) == (114.4, 29.0)
    assert land.geometry["type"] == "Feature"

    data = overview(official, city["city"], D(2025, 9, 1), layer_code="projects").chart["layer"]
    by_name = {p["name"]: p for p in data["points"]}
    assert "rings" not in by_name[g105.name]
    assert by_name["修水两处安置地块"]["rings"][1][0] == [114.5, 29.0]
    assert data["total"] == 3

    # a broken polygon is refused when registering
    with pytest.raises(ValidationError, match="用地范围"):
        register(
            official,
            city["xiushui"],
            "XS-BAD",
            geometry={"type": "Polygon", "coordinates": [[[114.6, 29.1], [114.7, 29.1]]]},
        )


def test_the_overview_sends_at_most_limit_features(clock, city, people, g105):
    """Points and shapes together: the layer sends LIMIT (2,000) features and counts the rest."""
    official = people["city_official"]
    g105.geometry = _square(115.1, 29.26)
    g105.save(update_fields=["geometry"])
    many = [
        layers.Point(f"点{i}", 115.0, 29.0, "绿灯", "#2e8b57") for i in range(layers.LIMIT + 300)
    ]
    layer = layers.Layer("many", "测试图层", lambda user, place: project_points(user, place) + many)
    data = layers.layer_data(layer, official, city["city"])
    assert data["total"] == layers.LIMIT + 301
    assert len(data["points"]) == layers.LIMIT
    assert data["points"][0]["name"] == g105.name and len(data["points"][0]["rings"][0]) == 5
