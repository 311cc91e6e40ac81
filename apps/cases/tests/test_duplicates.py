"""Possible duplicates: segmentation stored at intake, place + time + text scoring, offered on
the case page and in the API's create response, merged through the transition."""

import datetime as dt

import pytest

from apps.cases import similarity
from apps.cases.choices import Status
from apps.cases.models import Case
from apps.cases.selectors import possible_duplicates
from apps.core.testing.factories import make_place

from .helpers import make_case, walk

pytestmark = pytest.mark.django_db


def test_it_segments_chinese_and_drops_stop_words():
    words = similarity.tokens("小区门口的垃圾堆积发臭，希望尽快处理")
    assert "垃圾" in words and "门口" in words and "垃" in words
    assert "的" not in words and "希望" not in words and "处理" not in words


def test_it_stores_the_tokens_at_intake(world):
    case = make_case(world, title="楼道灯坏了", description="三楼")
    assert set(case.tokens.split()) >= {"楼道", "灯"}


def test_it_offers_a_similar_open_case_in_the_same_building(world):
    first = make_case(world, title="楼道灯坏了", description="晚上很黑")
    neighbour = make_place("household", "102室", world.unit_a)
    second = make_case(world, place=neighbour, title="1单元楼道的灯又坏了", description="")
    [dup] = possible_duplicates(world.user("community_a"), second)
    assert dup.case == first
    assert dup.reasons.startswith("文本相似 ") and "同一楼栋" in dup.reasons


def test_it_ignores_different_text_far_places_old_and_closed_cases(world):
    make_case(world, title="邻居装修噪音扰民")  # other text
    make_case(world, place=world.household_b, title="楼道灯坏了", actor=world.user("outsider_b"))
    old = make_case(world, title="楼道灯坏了")
    Case.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=30))
    done = make_case(world, title="楼道灯坏了")
    Case.objects.filter(pk=done.pk).update(status=Status.RESOLVED)
    case = make_case(world, title="楼道灯坏了")
    assert possible_duplicates(world.user("town_staff"), case) == []


def test_it_counts_points_within_the_distance_as_close(world, settings):
    settings.CASES_DUPLICATE_METRES = 300
    elsewhere = make_place("compound", "和平小区", world.grid_a)
    first = make_case(world, title="路边垃圾堆积发臭", lng=115.3600, lat=26.3300)
    second = make_case(
        world, place=elsewhere, title="路边垃圾堆积没人清理", lng=115.3610, lat=26.3310
    )
    [dup] = possible_duplicates(world.user("community_a"), second)
    assert dup.case == first and "同一楼栋" in dup.reasons  # raised to 0.8 by distance


def test_it_returns_duplicates_in_the_api_create_response(client, world):
    first = make_case(world, title="厨房水管漏水")
    client.force_login(world.user("community_a"))
    body = client.post(
        "/api/v1/cases/",
        {
            "category": "test-repairs",
            "place": world.household_a.pk,
            "title": "厨房水管爆裂漏水",
        },
        content_type="application/json",
    ).json()
    assert [d["id"] for d in body["possible_duplicates"]] == [first.pk]
    assert body["possible_duplicates"][0]["score"] >= 0.45


def test_it_offers_the_merge_on_the_case_page_and_merges(client, world):
    first = make_case(world, title="厨房水管漏水")
    second = make_case(world, title="厨房水管爆裂漏水")
    client.force_login(world.user("community_a"))
    html = client.get(f"/cases/{second.pk}/").content.decode()
    assert "可能重复" in html and f'name="merge-{first.pk}"' in html
    client.post(
        f"/cases/{second.pk}/transition/",
        {"action": "merge", "into": first.pk, "note": f"与{first.number}重复"},
    )
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    assert second.events.last().action == "merge"


def test_it_does_not_offer_the_merge_once_dispatched(client, world):
    first = make_case(world, title="厨房水管漏水")
    second = walk(
        make_case(world, title="厨房水管爆裂漏水"),
        world,
        ("accept", "community_a", None),
        ("dispatch", "community_a", None),
    )
    client.force_login(world.user("community_a"))
    html = client.get(f"/cases/{second.pk}/").content.decode()
    assert first.number in html and f'name="merge-{first.pk}"' not in html
