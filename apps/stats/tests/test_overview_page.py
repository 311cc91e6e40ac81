"""The leader's overview through the test client: a town and a month, figures linking to their
records, ranking and map of the communities, and scope (another community's overview is 404)."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from apps.cases.models import Case
from apps.cases.tests.helpers import make_case
from apps.places.models import Place

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[115, 26], [115.1, 26], [115.1, 26.1], [115, 26]]]}


def chart_data(html: str) -> dict:
    block = re.search(r'<script id="overview-data" type="application/json">(.*?)</script>', html)
    assert block, "no chart data block"
    return json.loads(block.group(1))


class TestOverviewPage:
    def test_it_renders_a_town_and_a_month(self, client, world):
        make_case(world)
        make_case(world)
        make_case(world, place=world.household_b, actor=world.user("outsider_b"))
        Place.objects.filter(pk=world.community_a.pk).update(geometry=SQUARE)
        client.force_login(world.user("county_leader"))
        month = timezone.localdate().strftime("%Y-%m")
        response = client.get(
            "/stats/", {"place": world.town.pk, "period": month, "rank": "cases_total"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert f"潋江镇 · {month}" in html
        total = re.search(
            r'id="figure-cases_total">.*?<a class="stat" href="([^"]+)">(\d+)</a>', html, re.S
        )
        assert total and total.group(2) == "3"
        listed = client.get(total.group(1).replace("&amp;", "&"))
        assert listed.status_code == 200
        data = chart_data(html)
        assert data["trend"]["total"][-1] == 3 and len(data["trend"]["labels"]) == 12
        ranking = data["ranking"]["rows"]
        assert [(r["name"], r["value"]) for r in ranking] == [("红门社区", 2), ("将军社区", 1)]
        assert data["map"]["geojson"]["features"][0]["properties"]["name"] == "红门社区"
        assert "stats/overview.js" in html and "vendor/echarts/echarts.min.js" in html

    def test_it_shows_the_change_against_the_previous_month(self, client, world):
        make_case(world)
        client.force_login(world.user("county_leader"))
        response = client.get("/stats/", {"place": world.county.pk})
        html = response.content.decode()
        assert re.search(r'id="figure-cases_total">.*?较上月(同期)? \+1', html, re.S)

    def test_it_lists_overdue_cases_of_the_area(self, client, world):
        late = make_case(world, title="超期的路灯")
        Case.objects.filter(pk=late.pk).update(respond_by=timezone.now() - dt.timedelta(hours=1))
        make_case(world, title="还没到期")
        make_case(world, place=world.household_b, actor=world.user("outsider_b"), title="别处")
        Case.objects.exclude(pk=late.pk).filter(title="别处").update(
            respond_by=timezone.now() - dt.timedelta(hours=1)
        )
        client.force_login(world.user("community_a"))
        html = client.get("/stats/").content.decode()
        overdue = html.split('id="overdue"')[1].split("</ul>")[0]
        assert "超期的路灯" in overdue
        assert "还没到期" not in overdue and "别处" not in overdue
        assert f"/cases/{late.pk}/" in overdue

    def test_it_defaults_to_the_users_scope(self, client, world):
        client.force_login(world.user("community_a"))
        response = client.get("/stats/")
        assert response.status_code == 200
        assert "红门社区 · " in response.content.decode()

    def test_it_hides_another_communitys_overview(self, client, world):
        client.force_login(world.user("community_a"))
        assert client.get("/stats/", {"place": world.community_b.pk}).status_code == 404
        assert client.get("/stats/", {"place": world.town.pk}).status_code == 404

    def test_it_lists_the_indicator_definitions(self, client, world):
        client.force_login(world.user("grid_worker_a"))
        html = client.get("/stats/indicators/").content.decode()
        assert 'id="indicator-response_rate"' in html and "怎么算" in html
        assert "群众评价（或回访）为满意、基本满意的事项 ÷ 已评价的事项" in html


class TestIndicatorApi:
    def test_it_returns_values_for_a_place_and_period(self, client, world):
        make_case(world)
        client.force_login(world.user("town_staff"))
        today = timezone.localdate().isoformat()
        response = client.get(
            "/api/v1/stats/values",
            {
                "place": world.community_a.pk,
                "date_from": today,
                "date_to": today,
                "codes": ["cases_total", "resolution_rate", "households"],
            },
        )
        assert response.status_code == 200, response.content
        assert response.json()["values"] == {
            "cases_total": 1,
            "resolution_rate": 0.0,
            "households": 1,
        }

    def test_it_refuses_a_place_outside_the_scope(self, client, world):
        client.force_login(world.user("community_a"))
        response = client.get("/api/v1/stats/values", {"place": world.community_b.pk})
        assert response.status_code == 404

    def test_it_lists_the_registry(self, client, world):
        client.force_login(world.user("community_a"))
        codes = [i["code"] for i in client.get("/api/v1/stats/indicators").json()]
        assert {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"} <= set(
            codes
        )


class TestMapAndBigScreen:
    def test_the_map_shows_any_indicator_the_user_picks(self, client, world, resident_a):
        make_case(world)
        Place.objects.filter(pk__in=[world.community_a.pk, world.community_b.pk]).update(
            geometry=SQUARE
        )
        client.force_login(world.user("county_leader"))
        response = client.get(
            "/stats/", {"place": world.town.pk, "rank": "cases_total", "map": "residents"}
        )
        html = response.content.decode()
        assert 'option value="residents" selected' in html
        data = chart_data(html)
        assert data["map"]["indicator"] == "在册人口"
        rows = {r["name"]: r for r in data["map"]["rows"]}
        assert rows["红门社区"]["value"] == 1 and rows["将军社区"]["value"] == 0
        # each area of the map clicks through to the records behind its value
        assert rows["红门社区"]["link"].startswith("/people/")
        assert client.get(rows["红门社区"]["link"]).status_code == 200
        # the ranking keeps its own indicator
        assert data["ranking"]["indicator"] == "事项总数"

    def test_a_breakdown_cannot_be_mapped(self, client, world):
        client.force_login(world.user("county_leader"))
        html = client.get("/stats/", {"map": "cases_by_source"}).content.decode()
        assert chart_data(html)["ranking"]["indicator"] == "办结率"
        assert 'value="cases_by_source"' not in html

    def test_the_big_screen_link_opens_the_command_centre_mode(self, client, world):
        client.force_login(world.user("county_leader"))
        html = client.get("/stats/").content.decode()
        assert 'id="bigscreen-link"' in html and "screen=big" in html
        big = client.get("/stats/", {"screen": "big"}).content.decode()
        assert 'data-bigscreen="1"' in big


def test_the_overview_costs_the_same_queries_for_more_areas(client, world):
    """No query per child area with a case indicator ranked and mapped."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.core.testing.factories import make_place
    from apps.places.choices import PlaceKind

    client.force_login(world.user("county_leader"))
    client.get("/stats/", {"place": world.town.pk})  # warm caches (session, user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/stats/", {"place": world.town.pk}).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(4):
        make_place(PlaceKind.COMMUNITY, f"新社区{i}", world.town)
    assert count() == before


def test_a_grid_workers_overview_links_only_what_opens_for_them(client, world):
    """The crumbs name the community, town and county above the grid without linking them,
    and the forestry figure has no link to the forestry pages the grid worker may not open."""
    client.force_login(world.user("grid_worker_a"))
    html = client.get("/stats/").content.decode()
    crumbs = re.search(r'<p class="muted crumbs">(.*?)·', html, re.S).group(1)
    assert "红门社区" in crumbs and "<a " not in crumbs
    assert 'href="/forest/"' not in html
    client.force_login(world.user("county_leader"))
    assert 'href="/forest/"' in client.get("/stats/").content.decode()


def test_programme_figures_link_only_to_pages_the_viewer_may_open(client, world):
    """A grid worker's overview shows the key-project and village-book figures without links
    to the lamp board and the ranking, which would refuse them (found by scripts/walk_roles)."""
    client.force_login(world.user("grid_worker_a"))
    response = client.get("/stats/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="figure-projects_by_lamp"' in html
    assert 'id="figure-collective_operating_income"' in html
    assert "/projects/?place=" not in html and "/collective/ranking/" not in html
    # a figure in 元 says so beside the number
    block = html.split('id="figure-collective_operating_income"')[1].split('class="card figure"')[0]
    assert '<span class="stat-unit">元</span>' in block
