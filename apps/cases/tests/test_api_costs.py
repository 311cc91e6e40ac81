"""The case lifecycle over HTTP with an API key, as an integrator runs it: what each answer
carries, how many queries each request costs (the lifecycle benchmark's path), and the
category's form fields checked at intake."""

import json
from typing import Any

import pytest
from django.test import Client

from apps.accounts.apikeys import do_create_api_key
from apps.cases.actions import do_create_case
from apps.cases.models import Case
from apps.core.models import AuditEvent

from .helpers import make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(world) -> dict[str, str]:
    _, dispatcher = do_create_api_key(name="派单", actor=None, user=world.user("community_a"))
    _, handler = do_create_api_key(name="志愿者", actor=None, user=world.user("volunteer_a"))
    return {"d": dispatcher, "h": handler}


def call(client: Client, key: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", HTTP_X_API_KEY=key)


def new_case(world: Any, **extra: Any) -> dict[str, Any]:
    return {
        "category": make_category().code,
        "place": world.household_a.pk,
        "title": "楼道灯坏了",
        "description": "三楼",
        **extra,
    }


def test_the_whole_lifecycle_answers_the_case_as_saved(world, keys):
    client = Client()
    created = call(client, keys["d"], "/api/v1/cases/", new_case(world))
    assert created.status_code == 201
    body = created.json()
    case = Case.objects.get(pk=body["id"])
    assert body["number"] == case.number and body["tracking_token"] == case.tracking_token
    assert body["category_name"] == "测试test-repairs" and body["place_name"] == "101室"
    assert body["handling_unit"] == world.community_a.pk and body["status"] == "submitted"
    moves = f"/api/v1/cases/{case.pk}/transitions"
    accepted = call(client, keys["d"], moves, {"action": "accept"}).json()
    assert accepted["status"] == "accepted" and accepted["responded_at"]
    assert [e["action"] for e in accepted["events"]] == ["submit", "accept"]
    assert "dispatch" in accepted["allowed_actions"]
    vol = world.user("volunteer_a")
    dispatched = call(
        client, keys["d"], moves, {"action": "dispatch", "data": {"assignee": vol.pk}}
    ).json()
    assert dispatched["assignee"] == vol.pk
    claimed = call(client, keys["h"], moves, {"action": "claim"}).json()
    assert claimed["status"] == "claimed" and claimed["allowed_actions"]
    resolved = call(client, keys["h"], moves, {"action": "resolve", "note": "已修好"}).json()
    assert resolved["status"] == "resolved"
    assert resolved["events"][-1] == {
        **resolved["events"][-1],
        "actor": vol.get_username(),
        "note": "已修好",
        "from_status": "claimed",
        "to_status": "resolved",
    }
    rated = call(
        client,
        "",
        f"/api/v1/cases/track/{body['tracking_token']}/rating",
        {"rating": "satisfied", "comment": "快"},
    ).json()
    assert rated["status"] == "evaluated" and rated["rating"] == "satisfied"
    case.refresh_from_db()
    assert case.status == "evaluated"
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).count() == 6


def test_a_handler_who_returns_a_case_outside_their_scope_no_longer_sees_it(world, keys):
    """The answer to a move is not a second read, but it keeps the read's rule: a case the
    actor can no longer see is a 404, not its details."""
    from apps.cases.choices import Level

    from .helpers import walk

    case, _ = do_create_case(
        actor=world.user("town_staff"),
        category=make_category("town-roads", level=Level.TOWN),
        place=world.household_b,  # community B: outside the volunteer's scope
        title="将军路路灯",
    )
    vol = world.user("volunteer_a")
    walk(
        case,
        world,
        ("accept", "town_staff", None),
        ("dispatch", "town_staff", {"assignee": vol.pk}),
    )
    client = Client()
    moves = f"/api/v1/cases/{case.pk}/transitions"
    claimed = call(client, keys["h"], moves, {"action": "claim"})
    assert claimed.status_code == 200 and claimed.json()["assignee"] == vol.pk
    returned = call(client, keys["h"], moves, {"action": "return", "note": "不归我片区"})
    assert returned.status_code == 404
    case.refresh_from_db()
    assert case.status == "returned" and case.assignee is None  # the move itself happened


def test_lifecycle_requests_stay_within_their_query_budget(
    world, keys, django_assert_max_num_queries
):
    """The benchmark's path: a create is at most 15 queries (key and its used-mark,
    category, place, unit, insert, event, audit, rollups, duplicates; the test's savepoint),
    a transition at most 13 (key and mark, the case seen, the locked row, update, event,
    audit, rollups, timeline; savepoint) — it was 26 and 21 before."""
    client = Client()
    body = new_case(world)
    call(client, keys["d"], "/api/v1/cases/", body)  # marks the key used
    with django_assert_max_num_queries(15):
        created = call(client, keys["d"], "/api/v1/cases/", body).json()
    moves = f"/api/v1/cases/{created['id']}/transitions"
    with django_assert_max_num_queries(13):
        assert call(client, keys["d"], moves, {"action": "accept"}).status_code == 200
    with django_assert_max_num_queries(13):
        response = call(
            client,
            keys["d"],
            moves,
            {"action": "dispatch", "data": {"assignee": world.user("volunteer_a").pk}},
        )
        assert response.status_code == 200


# --- the category's form fields --------------------------------------------------------------


@pytest.fixture
def streetlight(db):
    category = make_category("streetlight")
    category.form_fields = [
        {"code": "pole", "label": "灯杆编号", "datatype": "string", "required": True},
        {
            "code": "kind",
            "label": "故障类型",
            "datatype": "singlevaluelist",
            "values": [{"key": "off", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}],
        },
        {"code": "floors", "label": "楼层数", "datatype": "number"},
        {"code": "since", "label": "发现时间", "datatype": "datetime"},
        {
            "code": "parts",
            "label": "损坏部件",
            "datatype": "multivaluelist",
            "values": ["灯泡", "灯罩"],
        },
    ]
    category.save()
    return category


def test_a_case_without_a_required_form_field_is_refused_naming_the_field(world, keys, streetlight):
    client = Client()
    body = new_case(world, category="streetlight", attributes={"kind": "off"})
    refused = call(client, keys["d"], "/api/v1/cases/", body)
    assert refused.status_code == 422
    assert refused.json() == {"code": "invalid", "message": "请填写“灯杆编号”"}
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"pole": 12}, "“灯杆编号”应为文字"),
        ({"pole": "A-12", "floors": "三"}, "“楼层数”应为数字"),
        ({"pole": "A-12", "floors": True}, "“楼层数”应为数字"),
        ({"pole": "A-12", "kind": "broken"}, "“故障类型”的取值不在可选范围内"),
        ({"pole": "A-12", "since": "昨天"}, "“发现时间”应为日期时间（如 2026-05-01T09:30）"),
        ({"pole": "A-12", "parts": ["灯泡", "电线"]}, "“损坏部件”的取值不在可选范围内"),
        ({"pole": "", "floors": "x"}, "请填写“灯杆编号”；“楼层数”应为数字"),
    ],
)
def test_a_form_field_of_the_wrong_type_is_refused_in_plain_chinese(
    world, streetlight, attributes, message
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        do_create_case(
            actor=world.user("community_a"),
            category=streetlight,
            place=world.household_a,
            title="路灯不亮",
            attributes=attributes,
            require_form_fields=True,
        )
    assert raised.value.message_dict == {"attributes": [message]}


def test_staff_intake_without_the_form_still_has_its_values_checked(world, streetlight):
    """The staff page does not collect the category's form: a case registered there may lack
    the required fields, but a value it does give must fit."""
    from django.core.exceptions import ValidationError

    _case, created = do_create_case(
        actor=world.user("community_a"),
        category=streetlight,
        place=world.household_a,
        title="路灯不亮",
    )
    assert created
    with pytest.raises(ValidationError, match="楼层数"):
        do_create_case(
            actor=world.user("community_a"),
            category=streetlight,
            place=world.household_a,
            title="路灯不亮",
            attributes={"floors": "六"},
        )


def test_well_formed_form_fields_are_kept_with_the_case(world, streetlight):
    values = {
        "pole": "A-12",
        "kind": "flicker",
        "floors": 6,
        "since": "2026-05-01T09:30",
        "parts": ["灯罩"],
        "note": "不在目录里的字段照样保存",
    }
    case, created = do_create_case(
        actor=world.user("community_a"),
        category=streetlight,
        place=world.household_a,
        title="路灯闪烁",
        attributes=values,
        require_form_fields=True,
    )
    assert created and Case.objects.get(pk=case.pk).attributes == values


def test_a_case_outside_the_scope_or_an_unknown_token_is_a_404(world, keys):
    """The scope is checked on the locked row: a case of community B is a 404 for community
    A's dispatcher (never a 403 that confirms it exists) and stays as it was; a rating with a
    token nobody was given is a 404 too."""
    case, _ = do_create_case(
        actor=world.user("outsider_b"),
        category=make_category(),
        place=world.household_b,
        title="别的社区的事",
    )
    client = Client()
    moved = call(client, keys["d"], f"/api/v1/cases/{case.pk}/transitions", {"action": "accept"})
    assert moved.status_code == 404
    assert moved.json() == {"detail": "未找到，或不在您的管辖范围内"}
    assert client.get(f"/api/v1/cases/{case.pk}", HTTP_X_API_KEY=keys["d"]).status_code == 404
    case.refresh_from_db()
    assert case.status == "submitted" and case.events.count() == 1
    rated = call(client, "", "/api/v1/cases/track/no-such-token/rating", {"rating": "satisfied"})
    assert rated.status_code == 404 and rated.json() == {"detail": "查询码无效"}
