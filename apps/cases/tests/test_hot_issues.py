"""Hot issues (热点诉求): clusters of similar recent cases per community, on a page, in the API
and through the selector the meetings will use."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from apps.cases.models import Case
from apps.cases.selectors import hot_issues
from apps.core.testing.factories import make_place

from .helpers import make_case, make_category

pytestmark = pytest.mark.django_db


def since(days=14):
    return timezone.now() - dt.timedelta(days=days)


def rubbish(world, n=3):
    places = [world.household_a, world.building_a, world.compound_a, world.grid_a]
    texts = ["小区门口垃圾堆积发臭", "门口垃圾好几天没人清运", "垃圾堆积在小区门口很臭", "门口垃圾"]
    category = make_category("env-test")
    return [make_case(world, category=category, place=places[i], title=texts[i]) for i in range(n)]


def test_it_clusters_similar_cases_of_a_community(world):
    cases = rubbish(world)
    make_case(world, title="邻居装修噪音扰民", category=make_category("noise"))
    [issue] = hot_issues(world.user("town_staff"), world.town, since())
    assert issue.area == world.community_a
    assert {c.pk for c in issue.cases} == {c.pk for c in cases}
    assert "垃圾" in issue.keywords and issue.open_count == 3


def test_it_needs_three_cases(world):
    rubbish(world, n=2)
    assert hot_issues(world.user("town_staff"), world.town, since()) == []


def test_it_links_cases_of_one_category_in_one_grid(world):
    category = make_category("lights")
    for title in ("路灯不亮", "楼道照明故障", "夜里黑灯瞎火"):
        make_case(world, category=category, title=title)
    [issue] = hot_issues(world.user("community_a"), world.community_a, since())
    assert issue.size == 3 and issue.categories == ["测试lights"]


def test_it_keeps_communities_and_periods_apart(world):
    cases = rubbish(world, n=2)
    make_case(
        world, place=world.household_b, title="小区门口垃圾堆积发臭", actor=world.user("outsider_b")
    )
    assert hot_issues(world.user("town_staff"), world.town, since()) == []
    third = make_case(world, place=world.grid_a, title="门口垃圾堆积")
    Case.objects.filter(pk=third.pk).update(created_at=timezone.now() - dt.timedelta(days=20))
    assert hot_issues(world.user("town_staff"), world.town, since()) == []
    assert len(hot_issues(world.user("town_staff"), world.town, since(30))) == 1
    assert cases


def test_it_refuses_a_place_out_of_scope(world):
    with pytest.raises(Http404):
        hot_issues(world.user("community_a"), world.community_b, since())


def test_it_lists_hot_issues_on_a_page_and_in_the_api(client, world):
    rubbish(world)
    client.force_login(world.user("community_a"))
    html = client.get("/cases/hot/").content.decode()
    assert "热点诉求" in html and "红门社区" in html and "3 件" in html
    [row] = client.get("/api/v1/cases/hot", {"days": 14}).json()
    assert row["size"] == 3 and row["area_name"] == "红门社区"


def test_it_compares_stored_tokens_without_segmenting_again(world, monkeypatch):
    rubbish(world)
    extra = make_place("household", "102室", world.unit_a)
    make_case(world, place=extra, title="门口垃圾成堆")
    from apps.cases import similarity

    def refuse(*args, **kwargs):
        raise AssertionError("segmented again")

    monkeypatch.setattr(similarity, "tokens", refuse)
    [issue] = hot_issues(world.user("town_staff"), world.town, since())
    assert issue.size == 4
