"""Public read mode (GONGZHI_OPEN311_PUBLIC_READ=1): standard GeoReport clients, which send no
key, read services and requests — public-space cases only, without personal data (no names,
phones, household or room); keys stay required for writes, tokens and updates. Off by default:
without a key, reading requests is refused."""

import json

import pytest
from django.test import Client

from apps.cases.actions import do_create_case
from apps.cases.choices import CaseKind
from apps.cases.models import Case
from apps.core.testing.factories import PersonFactory

from .conftest import get_json, get_xml, validate
from .test_requests import file

pytestmark = pytest.mark.django_db

DESCRIPTION = "楼下路灯一直不亮，晚上很危险。张桂英 13812345678，1栋1单元101室，zhang@example.cn"
PERSONAL = ("张桂英", "桂英", "13812345678", "138****5678", "101室", "1栋", "zhang@example.cn")


@pytest.fixture
def public(settings):
    settings.GONGZHI_OPEN311_PUBLIC_READ = True


@pytest.fixture
def filed(world, category, key_a):
    answer = file(Client(), key_a, world, description=DESCRIPTION)
    case = Case.objects.get(pk=answer[0]["service_request_id"])
    neighbour = PersonFactory(name="王建国", place=world.household_a)
    case.persons.add(neighbour)
    case.description = f"{DESCRIPTION}（邻居王建国反映）"
    case.save(update_fields=["description"])
    return case


def test_off_by_default_reading_without_a_key_is_refused(world, filed, settings):
    assert settings.GONGZHI_OPEN311_PUBLIC_READ is False
    client = Client()
    get_json(client, "/open311/v2/requests.json", "requests.json", expect=403)
    get_json(client, f"/open311/v2/requests/{filed.pk}.json", "request.json", expect=403)
    get_xml(client, "/open311/v2/requests.xml", expect=403)


def test_anyone_reads_requests_without_personal_data(world, filed, public):
    client = Client()
    rows = get_json(client, "/open311/v2/requests.json", "requests.json")
    assert [row["service_request_id"] for row in rows] == [str(filed.pk)]
    row = rows[0]
    assert row["service_code"] == "streetlight" and row["service_name"] == "路灯报修"
    assert (row["status"], row["status_notes"]) == ("open", "待受理")
    assert row["requested_datetime"] and row["updated_datetime"]
    # the area, not the home
    assert (row["address"], row["address_id"]) == ("幸福小区", world.compound_a.code)
    assert row["description"].startswith("楼下路灯一直不亮，晚上很危险。某某 ***")
    assert row["media_url"] is None
    text = json.dumps(rows, ensure_ascii=False)
    for secret in (*PERSONAL, "王建国", world.household_a.code, filed.tracking_token):
        assert secret not in text, secret
    one = get_json(client, f"/open311/v2/requests/{filed.pk}.json", "requests.json")
    assert one == rows
    validate(one[0], "request.json")


def test_the_xml_answer_carries_no_personal_data_either(world, filed, public):
    response = Client().get("/open311/v2/requests.xml")
    assert response.status_code == 200
    body = response.content.decode()
    for secret in (*PERSONAL, "王建国", world.household_a.code):
        assert secret not in body, secret
    root = get_xml(Client(), f"/open311/v2/requests/{filed.pk}.xml")
    assert root.findtext("request/address") == "幸福小区"
    assert root.findtext("request/status") == "open"


def test_disputes_and_other_personal_matters_are_not_public(world, filed, public, category):
    dispute, _ = do_create_case(
        actor=world.user("outsider_b"),
        category=category,
        place=world.household_b,
        title="邻里纠纷",
        description="两户因漏水争吵",
        kind=CaseKind.DISPUTE,
    )
    hazard, _ = do_create_case(
        actor=world.user("outsider_b"),
        category=category,
        place=world.household_b,
        title="井盖缺失",
        description="将军路口井盖缺失",
        kind=CaseKind.HAZARD,
    )
    rows = get_json(Client(), "/open311/v2/requests.json", "requests.json")
    assert {row["service_request_id"] for row in rows} == {str(filed.pk), str(hazard.pk)}
    get_json(Client(), f"/open311/v2/requests/{dispute.pk}.json", "errors.json", expect=404)
    # a home in a village grid shows as its grid
    (row,) = [r for r in rows if r["service_request_id"] == str(hazard.pk)]
    assert row["address"] == world.grid_b.name


def test_keys_stay_required_for_writes_tokens_and_updates(world, filed, public, category):
    client = Client()
    data = {"service_code": "streetlight", "address_id": world.household_a.code}
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 403 and Case.objects.count() == 1
    validate(response.json(), "errors.json")
    url = f"/open311/v2/tokens/{filed.tracking_token}.json"
    assert client.get(url).status_code == 403
    assert client.get("/open311/v2/servicerequestupdates.json").status_code == 403
    # a wrong key is refused, not read as "no key"
    get_json(client, "/open311/v2/requests.json", "requests.json", expect=403, api_key="wrong")


def test_a_key_still_reads_its_full_scope_in_public_mode(world, filed, public, key_a, key_b):
    rows = get_json(Client(), "/open311/v2/requests.json", "requests.json", api_key=key_a)
    assert rows[0]["address_id"] == world.household_a.code  # the key's own scope, in full
    assert get_json(Client(), "/open311/v2/requests.json", "requests.json", api_key=key_b) == []


def test_services_are_read_without_a_key_in_both_modes(world, category, settings):
    for mode in (False, True):
        settings.GONGZHI_OPEN311_PUBLIC_READ = mode
        rows = get_json(Client(), "/open311/v2/services.json", "services.json")
        assert "streetlight" in {row["service_code"] for row in rows}
        assert get_xml(Client(), "/open311/v2/services.xml").find("service") is not None
