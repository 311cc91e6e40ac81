"""The key projects as a point layer of the overview map, and their section in the overview:
coloured by lamp, scoped (a county sees its own projects only, a project unit its project),
chosen from the map's layer picker."""

import datetime as dt
import json
import re

from apps.core.testing import client_as
from apps.places.models import Place
from apps.projects import actions
from apps.projects.layers import project_points
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
    assert [f.indicator.code for f in section][:2] == [
        "projects_stages_on_time",
        "projects_land_supplied_mu",
    ]


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
