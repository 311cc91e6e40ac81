"""Service requests: POST with a key files a case in the key's scope; GET lists, shows and
resolves tokens within that scope only; every response is checked against the schemas."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.cases.actions import do_create_case, do_transition
from apps.cases.choices import CaseSource, Status
from apps.cases.models import Case
from apps.core import crypto

from .conftest import get_json, get_xml, validate

pytestmark = pytest.mark.django_db
URL = "/open311/v2/requests.json"


def post(client: Client, fmt: str = "json", status: int = 200, **data):
    response = client.post(f"/open311/v2/requests.{fmt}", data, **data.pop("headers", {}))
    assert response.status_code == status, response.content.decode()
    if fmt == "json":
        validate(response.json(), "post-response.json" if status == 200 else "errors.json")
        return response.json()
    return response


def file(client, key, world, **extra):
    data = {
        "api_key": key,
        "service_code": "streetlight",
        "address_id": world.household_a.code,
        "description": "楼下路灯一直不亮",
        "attribute[pole]": "HM-017",
        "attribute[kind]": "off",
        "last_name": "张",
        "first_name": "桂英",
        "phone": "13812345678",
        "email": "zhang@example.cn",
        **extra,
    }
    return post(client, **data)


def test_it_files_a_case_in_the_keys_scope(world, category, key_a):
    answer = file(Client(), key_a, world)
    case = Case.objects.get()
    assert answer == [
        {
            "service_request_id": str(case.pk),
            "token": case.tracking_token,
            "service_notice": "办结时限5个工作日；请备齐：路灯编号、现场照片",
        }
    ]
    assert case.source == CaseSource.OPEN311 and case.place == world.household_a
    assert case.attributes["pole"] == "HM-017" and case.attributes["kind"] == "off"
    assert case.reporter_name == "张桂英"
    assert case.reporter_phone_masked == "138****5678"
    assert crypto.decrypt(case.reporter_phone_enc) == "13812345678"
    assert "13812345678" not in str(case.attributes)
    assert crypto.decrypt(case.attributes["reporter_email_enc"]) == "zhang@example.cn"
    assert case.created_by.username.startswith("api-")


def test_it_places_a_point_at_the_nearest_place_in_scope(world, category, key_a):
    world.household_a.lat, world.household_a.lng = 26.3371, 115.3650
    world.household_a.save()
    world.household_b.lat, world.household_b.lng = 26.3372, 115.3651
    world.household_b.save()
    data = {"api_key": key_a, "service_code": "streetlight", "attribute[pole]": "1"}
    post(Client(), lat="26.3370", long="115.3649", **data)
    case = Case.objects.get()
    assert case.place == world.household_a  # B's household is nearer, but not A's to file
    assert (case.lat, case.lng) == (26.337, 115.3649)
    far = post(Client(), status=403, lat="30.0", long="120.0", **data)
    assert far == [{"code": 403, "description": "该位置不在密钥的管辖范围内"}]


def test_it_takes_an_address_text(world, category, key_a):
    data = {"api_key": key_a, "service_code": "streetlight", "attribute[pole]": "1"}
    post(Client(), address_string="幸福小区", **data)
    case = Case.objects.get()
    assert case.place == world.compound_a
    assert "地址：幸福小区" in case.description


def test_it_repeats_nothing_with_an_idempotency_key(world, category, key_a):
    client = Client()
    first = file(client, key_a, world, headers={"HTTP_IDEMPOTENCY_KEY": "o311-1"})
    again = file(client, key_a, world, headers={"HTTP_IDEMPOTENCY_KEY": "o311-1"})
    assert first == again and Case.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"api_key": "gz_wrong"}, 403, "api_key 缺失、无效或已吊销"),
        ({"api_key": ""}, 403, "api_key 缺失、无效或已吊销"),
        ({"service_code": "nothing"}, 400, "service_code nothing 不存在"),
        ({"attribute[pole]": ""}, 400, "attribute[pole]：请填写“灯杆编号”"),
        ({"attribute[kind]": "smoke"}, 400, "attribute[kind]：“故障类型”的取值不在可选范围内"),
        ({"address_id": "", "address_string": ""}, 400, None),
        ({"address_id": "nowhere"}, 400, "address_id nowhere 不存在"),
        ({"phone": "12"}, 400, None),
        ({"jurisdiction_id": "999"}, 404, "jurisdiction_id 999 不存在"),
    ],
)
def test_it_refuses_bad_requests_with_the_spec_errors(
    world, category, key_a, change, status, message
):
    data = {
        "api_key": key_a,
        "service_code": "streetlight",
        "address_id": world.household_a.code,
        "attribute[pole]": "HM-1",
        **change,
    }
    errors = post(Client(), status=status, **data)
    assert len(errors) >= 1 and all(e["code"] == status for e in errors)
    if message:
        assert errors[0]["description"] == message
    assert not Case.objects.exists()


def test_it_refuses_a_place_outside_the_keys_scope(world, category, key_a):
    data = {"api_key": key_a, "service_code": "streetlight", "attribute[pole]": "1"}
    errors = post(Client(), status=403, address_id=world.household_b.code, **data)
    assert errors[0]["description"] == f"address_id {world.household_b.code} 不在密钥的管辖范围内"
    assert not Case.objects.exists()


def test_it_answers_post_in_xml(world, category, key_a):
    response = file(Client(), key_a, world, fmt="xml")
    from xml.etree import ElementTree as ET

    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == str(Case.objects.get().pk)
    bad = post(Client(), fmt="xml", status=403, api_key="gz_x", service_code="streetlight")
    assert ET.fromstring(bad.content).findtext("error/description") == "api_key 缺失、无效或已吊销"


@pytest.fixture
def two_cases(world, category):
    a, _ = do_create_case(
        actor=world.user("community_a"),
        category=category,
        place=world.household_a,
        title="红门路灯",
        description="红门路灯不亮",
        reporter_name="张桂英",
        reporter_phone="13812345678",
    )
    b, _ = do_create_case(
        actor=world.user("outsider_b"),
        category=category,
        place=world.household_b,
        title="将军路灯",
    )
    return a, b


def test_it_lists_only_the_keys_scope(world, two_cases, key_a, key_b):
    a, b = two_cases
    rows = get_json(Client(), URL, "requests.json", api_key=key_a)
    assert [r["service_request_id"] for r in rows] == [str(a.pk)]
    row = rows[0]
    assert row["status"] == "open" and row["status_notes"] == "待受理"
    assert row["address_id"] == world.household_a.code
    assert row["agency_responsible"] == "红门社区"
    assert "张桂英" not in str(row) and "5678" not in str(row)
    rows_b = get_json(Client(), URL, "requests.json", api_key=key_b)
    assert [r["service_request_id"] for r in rows_b] == [str(b.pk)]
    assert get_json(Client(), URL, "", expect=403)[0]["code"] == 403


def test_it_filters_requests_as_the_spec_says(world, category, two_cases, key_a):
    a, _ = two_cases
    c, _ = do_create_case(
        actor=world.user("community_a"), category=category, place=world.household_a, title="再报"
    )
    do_transition(c, "cancel", actor=world.user("community_a"), note="重复")
    client = Client()

    def ids(**params):
        rows = get_json(client, URL, "requests.json", api_key=key_a, **params)
        return [int(r["service_request_id"]) for r in rows]

    assert ids() == [c.pk, a.pk]
    assert ids(status="open") == [a.pk]
    assert ids(status="closed") == [c.pk]
    assert ids(status="open,closed") == [c.pk, a.pk]
    assert ids(service_code="streetlight") == [c.pk, a.pk]
    assert ids(service_code="other") == []
    assert ids(service_request_id=f"{a.pk},{two_cases[1].pk}") == [a.pk]
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert ids(start_date=tomorrow) == []
    assert ids(end_date=tomorrow) == [c.pk, a.pk]
    long_ago = (timezone.now() - dt.timedelta(days=200)).isoformat()
    too_long = get_json(
        client, URL, "", expect=400, api_key=key_a, start_date=long_ago, end_date=tomorrow
    )
    assert too_long[0]["description"] == "start_date 与 end_date 相隔不能超过 90 天"
    assert get_json(client, URL, "", expect=400, api_key=key_a, status="pending")[0]["code"] == 400
    assert get_json(client, URL, "", expect=400, api_key=key_a, start_date="yesterday")
    rows = get_json(
        client, URL, "requests.json", api_key=key_a, jurisdiction_id=world.community_a.code
    )
    assert len(rows) == 2
    assert get_json(
        client, URL, "", expect=404, api_key=key_a, jurisdiction_id=world.community_b.code
    )
    closed = get_json(client, URL, "requests.json", api_key=key_a, status="closed")[0]
    assert closed["status_notes"] == "已撤销"


def test_it_shows_one_request_and_hides_other_scopes(world, two_cases, key_a):
    a, b = two_cases
    rows = get_json(Client(), f"/open311/v2/requests/{a.pk}.json", "requests.json", api_key=key_a)
    assert rows[0]["service_request_id"] == str(a.pk)
    assert rows[0]["description"] == "红门路灯不亮"
    missing = get_json(Client(), f"/open311/v2/requests/{b.pk}.json", "", expect=404, api_key=key_a)
    assert missing == [{"code": 404, "description": f"service_request_id {b.pk} 不存在"}]
    root = get_xml(Client(), f"/open311/v2/requests/{a.pk}.xml", api_key=key_a)
    request = root.find("request")
    assert root.tag == "service_requests"
    assert request.findtext("service_request_id") == str(a.pk)
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == "streetlight"
    assert (
        get_xml(Client(), f"/open311/v2/requests/{b.pk}.xml", expect=404, api_key=key_a).tag
        == "errors"
    )


def test_it_lists_requests_in_xml(world, two_cases, key_a):
    root = get_xml(Client(), "/open311/v2/requests.xml", api_key=key_a)
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [
        str(two_cases[0].pk)
    ]
    names = {child.tag for child in root.find("request")}
    assert {
        "service_request_id",
        "status",
        "service_code",
        "requested_datetime",
        "lat",
        "long",
    } <= names


def test_it_resolves_a_token_in_scope(world, two_cases, key_a, key_b):
    a, _ = two_cases
    url = f"/open311/v2/tokens/{a.tracking_token}.json"
    rows = get_json(Client(), url, "tokens.json", api_key=key_a)
    assert rows == [{"service_request_id": str(a.pk), "token": a.tracking_token}]
    assert get_json(Client(), url, "", expect=404, api_key=key_b)
    root = get_xml(Client(), f"/open311/v2/tokens/{a.tracking_token}.xml", api_key=key_a)
    assert root.findtext("request/token") == a.tracking_token


def test_it_reads_with_a_staff_session(world, two_cases):
    client = Client()
    client.force_login(world.user("community_a"))
    rows = get_json(client, URL, "requests.json")
    assert [r["service_request_id"] for r in rows] == [str(two_cases[0].pk)]


def test_it_lists_service_request_updates(world, two_cases, key_a):
    a, b = two_cases
    staff = world.user("community_a")
    do_transition(a, "accept", actor=staff)
    do_transition(Case.objects.get(pk=a.pk), "dispatch", actor=staff, data={"assignee": staff.pk})
    do_transition(Case.objects.get(pk=b.pk), "accept", actor=world.user("outsider_b"))
    url = "/open311/v2/servicerequestupdates.json"
    rows = get_json(Client(), url, "updates.json", api_key=key_a)
    assert [(r["service_request_id"], r["status"]) for r in rows] == [
        (str(a.pk), "open"),
        (str(a.pk), "investigating"),
        (str(a.pk), "action_scheduled"),
    ]
    assert rows[1]["description"] == "受理：已受理"
    assert str(staff) not in str(rows)
    later = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    assert get_json(Client(), url, "updates.json", api_key=key_a, start_date=later) == []
    root = get_xml(Client(), "/open311/v2/servicerequestupdates.xml", api_key=key_a)
    assert root.tag == "service_requests_updates"
    assert [u.findtext("status") for u in root.findall("request_update")] == [
        "open",
        "investigating",
        "action_scheduled",
    ]
    assert get_json(Client(), url, "", expect=403)


def test_it_reports_closed_once_resolved(world, two_cases, key_a):
    a, _ = two_cases
    staff = world.user("community_a")
    vol = world.user("volunteer_a")
    do_transition(a, "accept", actor=staff)
    a = do_transition(Case.objects.get(pk=a.pk), "dispatch", actor=staff, data={"assignee": vol.pk})
    a = do_transition(a, "claim", actor=vol)
    a = do_transition(a, "resolve", actor=vol, note="已更换灯泡")
    assert a.status == Status.RESOLVED
    row = get_json(Client(), f"/open311/v2/requests/{a.pk}.json", "requests.json", api_key=key_a)[0]
    assert row["status"] == "closed" and row["status_notes"] == "已办结"


def test_it_lists_requests_in_a_fixed_number_of_queries(world, category, key_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            get_json(Client(), URL, "requests.json", api_key=key_a)
        return len(ctx.captured_queries)

    staff = world.user("community_a")
    do_create_case(actor=staff, category=category, place=world.household_a, title="一")
    count()  # the key is verified once, then cached
    one = count()
    for n in range(5):
        do_create_case(actor=staff, category=category, place=world.household_a, title=f"多{n}")
    assert count() == one
