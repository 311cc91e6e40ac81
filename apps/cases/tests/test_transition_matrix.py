"""The role and scope matrix: for every action, the right person succeeds, a person of the
wrong role gets the Chinese error, and an outsider from community B gets a 404."""

import json
from typing import Any

import pytest
from django.test import Client

from apps.cases.actions import do_transition
from apps.cases.models import Case

from .helpers import make_case

pytestmark = pytest.mark.django_db

# action: (steps to reach its source state, the allowed user, a user of a wrong role, data)
SETUP = {
    "accept": ([], "community_a", "volunteer_a", {}),
    "dispatch": (["accept"], "community_a", "volunteer_a", {}),
    "claim": (["accept", "dispatch"], "volunteer_a", "county_leader", {}),
    "start": (["accept", "dispatch", "claim"], "volunteer_a", "community_a", {}),
    "resolve": (["accept", "dispatch", "claim"], "volunteer_a", "community_a", {}),
    "return": (["accept", "dispatch", "claim"], "volunteer_a", "town_staff", {}),
    "escalate": ([], "community_a", "grid_worker_a", {}),
    "request_extension": (
        ["accept", "dispatch", "claim"],
        "volunteer_a",
        "community_a",
        {"amount": 2},
    ),
    "approve_extension": (
        ["accept", "dispatch", "claim", "request_extension"],
        "town_staff",
        "volunteer_a",
        {},
    ),
    "refuse_extension": (
        ["accept", "dispatch", "claim", "request_extension"],
        "community_a",
        "grid_worker_a",
        {},
    ),
    "supervise": ([], "town_staff", "community_a", {}),
    "close": (["accept", "dispatch", "claim", "resolve", "rate"], "community_a", "volunteer_a", {}),
    "merge": ([], "community_a", "volunteer_a", {"into": "other"}),
    "cancel": (["accept"], "community_a", "grid_worker_a", {}),
}
WRONG_ROLE = {
    "accept": "您不能执行“受理”：只有承办单位（红门社区）的派单人员可以操作",
    "claim": "您不能执行“接单”：只有承办人可以操作",
    "start": "您不能执行“开始办理”：只有承办人可以操作",
    "supervise": "您不能执行“督办”：只有乡镇街道或县级督办人员可以操作",
    "approve_extension": (
        "您不能执行“批准延期”：只有承办单位（红门社区）的派单人员或乡镇街道或县级督办人员可以操作"
    ),
}


def reach(case: Case, world: Any, steps: list[str]) -> Case:
    vol = world.user("volunteer_a")
    who = {
        "accept": "community_a",
        "dispatch": "community_a",
        "claim": "volunteer_a",
        "resolve": "volunteer_a",
        "request_extension": "volunteer_a",
    }
    data = {"dispatch": {"assignee": vol.pk}, "request_extension": {"amount": 2}}
    for step in steps:
        if step == "rate":
            case = do_transition(
                case, "rate", actor=None, token=case.tracking_token, data={"rating": "satisfied"}
            )
            continue
        case = do_transition(
            case, step, actor=world.user(who[step]), note="说明", data=data.get(step)
        )
    return Case.objects.get(pk=case.pk)


def call(user: Any, case: Case, action: str, data: dict[str, Any]) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(
        f"/api/v1/cases/{case.pk}/transitions",
        content_type="application/json",
        data=json.dumps({"action": action, "note": "理由", "data": data}),
    )


@pytest.mark.parametrize("action", sorted(SETUP))
def test_it_allows_the_right_person(world, action):
    steps, allowed, _, data = SETUP[action]
    case = reach(make_case(world), world, steps)
    if data.get("into"):
        data = {"into": make_case(world, title="另一件").pk}
    response = call(world.user(allowed), case, action, data)
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("action", sorted(SETUP))
def test_it_refuses_a_wrong_role_in_chinese(world, action):
    steps, _, wrong, _ = SETUP[action]
    case = reach(make_case(world), world, steps)
    response = call(world.user(wrong), case, action, {})
    assert response.status_code == 403, response.json()
    body = response.json()
    assert body["code"] == "not_allowed"
    assert body["message"].startswith("您不能执行“")
    if action in WRONG_ROLE:
        assert body["message"] == WRONG_ROLE[action]
    assert Case.objects.get(pk=case.pk).status == case.status


@pytest.mark.parametrize("action", sorted(SETUP))
def test_it_hides_the_case_from_an_outsider(world, action):
    steps, _, _, _ = SETUP[action]
    case = reach(make_case(world), world, steps)
    response = call(world.user("outsider_b"), case, action, {})
    assert response.status_code == 404
    client = Client()
    client.force_login(world.user("outsider_b"))
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert client.get(f"/cases/{case.pk}/").status_code == 404
