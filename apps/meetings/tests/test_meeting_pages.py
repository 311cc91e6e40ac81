"""Meeting pages and API through HTTP: the whole workflow (prepare → hold → decide → case
resolved → solved count moves), scope (an outsider gets 404) and the list's query count."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.cases.models import Case
from apps.meetings.models import AgendaItem, Meeting
from apps.stats.indicators import REGISTRY, Scope

from .conftest import case_item

pytestmark = pytest.mark.django_db


def figures(client, world):
    today = timezone.localdate()
    return client.get(
        "/api/v1/meetings/figures",
        {
            "place": world.community_a.pk,
            "date_from": (today - dt.timedelta(days=30)).isoformat(),
            "date_to": (today + dt.timedelta(days=30)).isoformat(),
        },
    ).json()


def test_prepare_hold_decide_resolve_and_the_solved_count_moves(world, flagged, client_as):
    staff = client_as("community_a")
    page = staff.get("/meetings/new/", {"place": world.community_a.pk})
    assert page.status_code == 200
    body = page.content.decode()
    for case in (flagged.overdue, flagged.escalated, flagged.returned, flagged.reopened):
        assert case.number in body
    assert flagged.quiet.number not in body and flagged.other.number not in body

    when = timezone.localtime() - dt.timedelta(minutes=30)
    response = staff.post(
        f"/meetings/new/?place={world.community_a.pk}",
        {
            "kind": "five_party",
            "title": "红门社区五方议事会",
            "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
            "venue": "社区会议室",
            "proposals": [f"case-{flagged.returned.pk}"],
            "hand_items": "小区停车位规划",
            "participants": "王建国 居民代表\n李梅 业委会主任",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == f"/meetings/{meeting.pk}/"
    assert [i.source for i in meeting.items.order_by("order")] == ["returned", "manual"]
    assert figures(staff, world) == {"meetings": 0, "attendance": 0, "decided": 0, "solved": 0}

    present = list(meeting.participants.values_list("pk", flat=True))
    response = staff.post(
        f"/meetings/{meeting.pk}/hold/", {"present": present, "minutes": "逐项讨论"}
    )
    assert response.status_code == 302
    assert staff.get(f"/meetings/{meeting.pk}/").context["held"]

    item = meeting.items.get(source="returned")
    deadline = timezone.localdate() + dt.timedelta(days=7)
    response = staff.post(
        f"/meetings/{meeting.pk}/items/{item.pk}/decide/",
        {
            f"item{item.pk}-decision": "网格员七日内修复",
            f"item{item.pk}-owner": world.user("grid_worker_a").pk,
            f"item{item.pk}-deadline": deadline.isoformat(),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=flagged.returned.pk)
    assert (case.status, case.assignee_id) == ("dispatched", world.user("grid_worker_a").pk)
    assert figures(staff, world) == {"meetings": 1, "attendance": 2, "decided": 1, "solved": 0}

    worker = client_as("grid_worker_a")
    for action, note in (("claim", ""), ("resolve", "已修复")):
        r = worker.post(
            f"/api/v1/cases/{case.pk}/transitions",
            {"action": action, "note": note},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
    assert figures(staff, world) == {"meetings": 1, "attendance": 2, "decided": 1, "solved": 1}

    today = timezone.localdate()
    scope = Scope(
        world.user("community_a"),
        world.community_a,
        today - dt.timedelta(days=30),
        today + dt.timedelta(days=30),
    )
    assert REGISTRY["meeting_problems_solved"].compute(scope) == 1
    link = REGISTRY["meeting_problems_solved"].link(scope)
    listed = staff.get(link)
    assert listed.status_code == 200 and listed.context["page"].paginator.count == 1
    assert staff.get(REGISTRY["meetings_held"].link(scope)).context["page"].paginator.count == 1


def test_an_outsider_gets_404_on_pages_and_api(world, flagged, make_meeting, client_as):
    meeting = make_meeting(items=[case_item(flagged.returned)])
    item = meeting.items.get()
    outsider = client_as("outsider_b")
    assert outsider.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/meetings/{meeting.pk}").status_code == 404
    assert outsider.get("/meetings/new/", {"place": world.community_a.pk}).status_code == 404
    assert (
        outsider.get("/api/v1/meetings/proposal", {"place": world.community_a.pk}).status_code
        == 404
    )
    assert outsider.post(f"/meetings/{meeting.pk}/hold/", {"minutes": "x"}).status_code == 404
    r = outsider.post(
        f"/api/v1/meetings/{meeting.pk}/items/{item.pk}/decision",
        {"decision": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert outsider.get("/api/v1/meetings/").json()["count"] == 0
    assert AgendaItem.objects.get(pk=item.pk).decided_at is None


def test_the_api_creates_holds_and_decides(world, flagged, client_as):
    staff = client_as("community_a")
    payload = {
        "kind": "round_table",
        "title": "幸福圆桌会",
        "area": world.community_a.pk,
        "starts_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "participants": [{"name": "王建国", "capacity": "居民代表"}],
        "items": [{"title": "退单事项", "source": "returned", "cases": [flagged.returned.pk]}],
    }
    r = staff.post("/api/v1/meetings/", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["items"][0]["cases"] == [flagged.returned.pk]
    bad = staff.post(
        f"/api/v1/meetings/{body['id']}/items/{body['items'][0]['id']}/decision",
        {"decision": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["msg"] == "会议召开后才能登记决定"
    stranger = staff.post(
        f"/api/v1/meetings/{body['id']}/items/{body['items'][0]['id']}/decision",
        {"decision": "x", "owner": world.user("outsider_b").pk},
        content_type="application/json",
    )
    assert stranger.status_code == 422
    assert stranger.json()["detail"][0]["msg"] == "责任人不存在或不能承办该区域的事项"
    r = staff.post(
        f"/api/v1/meetings/{body['id']}/hold",
        {"present": [body["participants"][0]["id"]]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "held"
    r = staff.post(
        f"/api/v1/meetings/{body['id']}/items/{body['items'][0]['id']}/decision",
        {"decision": "重新派单", "owner": world.user("grid_worker_a").pk},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["owner_id"] == world.user("grid_worker_a").pk
    assert Case.objects.get(pk=flagged.returned.pk).assignee == world.user("grid_worker_a")


def test_the_list_costs_a_fixed_number_of_queries(
    world, flagged, make_meeting, client_as, django_assert_max_num_queries
):
    for _ in range(5):
        make_meeting(items=[case_item(flagged.returned)])
    staff = client_as("community_a")
    with django_assert_max_num_queries(12):
        r = staff.get("/meetings/", {"place": world.community_a.pk, "kind": "five_party"})
    assert r.status_code == 200 and r.context["page"].paginator.count == 5
    assert staff.get("/meetings/", {"kind": "joint"}).context["page"].paginator.count == 0


def test_a_hand_item_with_its_units_is_added_on_the_page(world, make_meeting, client_as):
    from apps.core.testing.factories import OrganisationFactory

    company = OrganisationFactory(kind="property_company", name="赣兴物业", place=world.compound_a)
    meeting = make_meeting()
    meeting.organisations.add(company)
    staff = client_as("community_a")
    response = staff.post(
        f"/meetings/{meeting.pk}/items/",
        {"title": "小区停车位规划", "duration": 15, "units": [company.pk]},
    )
    assert response.status_code == 302
    item = meeting.items.get()
    assert (item.source, item.duration, list(item.units.all())) == ("manual", 15, [company])
    assert "赣兴物业" in staff.get(f"/meetings/{meeting.pk}/").content.decode()
    bad = staff.post(f"/meetings/{meeting.pk}/items/", {"title": "", "duration": 0})
    assert bad.status_code == 422
