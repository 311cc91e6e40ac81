"""Every path through the state machine, end to end over HTTP (the API), with the events,
the audit trail and the notifications each step leaves behind."""

import json
from typing import Any

import pytest
from django.test import Client

from apps.cases.models import Case, CaseEvent
from apps.core.models import AuditEvent
from apps.core.tasks import capture_tasks

from .helpers import make_case

pytestmark = pytest.mark.django_db


def post(client: Client, user: Any, pk: int, action: str, note: str = "说明", **data: Any) -> Any:
    client.force_login(user)
    return client.post(
        f"/api/v1/cases/{pk}/transitions",
        data=json.dumps({"action": action, "note": note, "data": data}),
        content_type="application/json",
    )


def run(client: Client, world: Any, case: Case, *steps: tuple) -> Case:
    for user, action, data in steps:
        response = post(client, world.user(user), case.pk, action, **data)
        assert response.status_code == 200, (action, response.json())
    return Case.objects.get(pk=case.pk)


def rate(client: Client, case: Case, rating: str, token: str | None = None) -> Case:
    from apps.cases.actions import do_transition

    do_transition(
        case,
        "rate",
        actor=None,
        token=token or case.tracking_token,
        data={"rating": rating, "comment": "谢谢"},
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def case(world):
    return make_case(world)


@pytest.fixture
def client():
    return Client()


def to_resolved(client, world, case):
    vol = world.user("volunteer_a")
    return run(
        client,
        world,
        case,
        ("community_a", "accept", {}),
        ("community_a", "dispatch", {"assignee": vol.pk}),
        ("volunteer_a", "claim", {}),
        ("volunteer_a", "start", {}),
        ("volunteer_a", "resolve", {}),
    )


class TestMainPath:
    def test_it_walks_submitted_to_closed(self, client, world, case):
        case = to_resolved(client, world, case)
        assert case.status == "resolved" and case.resolved_at and case.responded_at
        case = rate(client, case, "satisfied")
        assert case.status == "evaluated" and case.rating == "satisfied"
        assert case.rating_source == "resident"
        case = run(client, world, case, ("community_a", "close", {}))
        assert case.status == "closed" and case.closed_at
        steps = list(case.events.values_list("action", "from_status", "to_status"))
        assert steps == [
            ("submit", "", "submitted"),
            ("accept", "submitted", "accepted"),
            ("dispatch", "accepted", "dispatched"),
            ("claim", "dispatched", "claimed"),
            ("start", "claimed", "in_progress"),
            ("resolve", "in_progress", "resolved"),
            ("rate", "resolved", "evaluated"),
            ("close", "evaluated", "closed"),
        ]

    def test_it_writes_one_audit_event_per_step(self, client, world, case):
        before = AuditEvent.objects.filter(object_type="cases.case").count()
        run(client, world, case, ("community_a", "accept", {}))
        audit = AuditEvent.objects.filter(object_type="cases.case").order_by("-id")
        assert audit.count() == before + 1
        assert audit[0].changes["action"] == "accept"
        assert audit[0].changes["status"] == ["submitted", "accepted"]
        assert audit[0].actor == world.user("community_a")

    def test_it_returns_the_timeline_and_buttons(self, client, world, case):
        client.force_login(world.user("community_a"))
        body = client.get(f"/api/v1/cases/{case.pk}").json()
        assert body["status"] == "submitted"
        assert body["allowed_actions"] == ["accept", "escalate", "merge", "cancel"]
        assert [e["action"] for e in body["events"]] == ["submit"]

    def test_it_queues_a_notification_to_the_assignee_on_commit(
        self, world, case, django_capture_on_commit_callbacks
    ):
        from apps.cases.actions import do_transition

        vol = world.user("volunteer_a")
        do_transition(case, "accept", actor=world.user("community_a"))
        case.refresh_from_db()
        with capture_tasks() as calls, django_capture_on_commit_callbacks(execute=True):
            do_transition(
                case, "dispatch", actor=world.user("community_a"), data={"assignee": vol.pk}
            )
        assert len(calls) == 1
        name, args, kwargs = calls[0]
        assert name == "notifications.send"
        assert args[0] == [vol.pk] and args[4:] == ("cases.case", case.pk)
        assert kwargs == {"kind": "case.assigned"}  # so the volunteer's channel choice applies
        assert args[3] == f"/cases/{case.pk}/"


class TestSidePaths:
    def test_it_returns_with_a_reason_and_redispatches(self, client, world, case):
        vol = world.user("volunteer_a")
        case = run(
            client,
            world,
            case,
            ("community_a", "accept", {}),
            ("community_a", "dispatch", {"assignee": vol.pk}),
            ("volunteer_a", "claim", {}),
        )
        response = post(client, vol, case.pk, "return", note="")
        assert response.status_code == 422
        assert response.json()["message"] == "请填写退单的说明或理由"
        case = run(client, world, case, ("volunteer_a", "return", {}))
        assert case.status == "returned" and case.assignee is None
        case = run(
            client,
            world,
            case,
            ("community_a", "dispatch", {"assignee": world.user("grid_worker_a").pk}),
        )
        assert case.status == "dispatched" and case.assignee == world.user("grid_worker_a")

    def test_it_escalates_to_the_town(self, client, world, case):
        case = run(client, world, case, ("community_a", "escalate", {}))
        assert case.status == "escalated" and case.level == "town"
        assert case.handling_unit == world.town
        response = post(client, world.user("community_a"), case.pk, "accept")
        assert response.status_code == 403
        assert response.json() == {
            "code": "not_allowed",
            "message": "您不能执行“受理”：只有承办单位（潋江镇）的派单人员可以操作",
        }
        case = run(
            client, world, case, ("town_staff", "accept", {}), ("town_staff", "escalate", {})
        )
        assert case.level == "county" and case.handling_unit == world.county
        response = post(client, world.user("county_leader"), case.pk, "escalate")
        assert response.json()["message"] == "该事项已在县级办理，不能再上报"

    def test_it_asks_and_approves_an_extension(self, client, world, case):
        vol = world.user("volunteer_a")
        case = run(
            client,
            world,
            case,
            ("community_a", "accept", {}),
            ("community_a", "dispatch", {"assignee": vol.pk}),
            ("volunteer_a", "claim", {}),
            ("volunteer_a", "request_extension", {"amount": 3, "unit": "workdays"}),
        )
        assert case.extension_state == "asked" and case.extension_amount == 3
        old = case.resolve_by
        response = post(client, vol, case.pk, "request_extension", amount=2)
        assert response.json()["message"] == "已有延期申请在审批中"
        case = run(client, world, case, ("community_a", "approve_extension", {}))
        assert case.extension_state == "approved" and case.resolve_by > old
        assert case.status == "claimed"

    def test_it_refuses_an_extension(self, client, world, case):
        vol = world.user("volunteer_a")
        case = run(
            client,
            world,
            case,
            ("community_a", "accept", {}),
            ("community_a", "dispatch", {"assignee": vol.pk}),
            ("volunteer_a", "claim", {}),
            ("volunteer_a", "request_extension", {"amount": 1}),
            ("town_staff", "refuse_extension", {}),
        )
        assert case.extension_state == "refused"

    def test_it_supervises_once(self, client, world, case):
        case = run(client, world, case, ("county_leader", "supervise", {}))
        assert case.supervised and case.status == "submitted"
        response = post(client, world.user("town_staff"), case.pk, "supervise")
        assert response.json()["message"] == "该事项已在督办中"

    def test_it_reopens_after_unsatisfied_to_the_same_handler(self, client, world, case):
        case = to_resolved(client, world, case)
        case = rate(client, case, "unsatisfied")
        assert case.status == "dispatched" and case.reopen_count == 1
        assert case.assignee == world.user("volunteer_a") and case.resolved_at is None
        assert case.events.last().action == "reopen"
        case = run(
            client, world, case, ("volunteer_a", "claim", {}), ("volunteer_a", "resolve", {})
        )
        case = rate(client, case, "basic")
        assert case.status == "evaluated" and case.rating == "basic"

    def test_it_merges_into_another_open_case(self, client, world, case):
        other = make_case(world, title="楼道灯不亮")
        case = run(client, world, case, ("community_a", "merge", {"into": other.pk}))
        assert case.status == "merged" and case.merged_into == other
        response = post(client, world.user("community_a"), other.pk, "merge", into=other.pk)
        assert response.json()["message"] == "只能合并到另一个未办结的事项"

    def test_it_cancels_with_a_reason(self, client, world, case):
        case = run(client, world, case, ("community_a", "cancel", {}))
        assert case.status == "cancelled"
        response = post(client, world.user("community_a"), case.pk, "accept")
        assert response.status_code == 400
        assert response.json() == {
            "code": "illegal_transition",
            "message": "该事项当前状态为“已撤销”，不能执行“受理”",
        }

    def test_it_lets_anyone_in_scope_claim_an_open_order(self, client, world, case):
        case = run(
            client,
            world,
            case,
            ("community_a", "accept", {}),
            ("community_a", "dispatch", {}),
            ("grid_worker_a", "claim", {}),
        )
        assert case.assignee == world.user("grid_worker_a")
        response = post(client, world.user("volunteer_a"), case.pk, "claim")
        assert response.status_code == 409
        assert response.json() == {
            "code": "conflict",
            "message": "该事项刚被他人处理，当前状态为“已接单”，请刷新后再试",
        }


class TestResident:
    def test_it_refuses_a_wrong_token(self, client, world, case):
        from apps.cases.actions import do_transition
        from apps.cases.errors import NotAllowed

        case = to_resolved(client, world, case)
        with pytest.raises(NotAllowed):
            do_transition(case, "rate", actor=None, token="wrong", data={"rating": "satisfied"})

    def test_it_keeps_events_append_only(self, world, case):
        from apps.cases.models.history import AppendOnly

        event = CaseEvent.objects.filter(case=case).first()
        event.note = "改写"
        with pytest.raises(AppendOnly):
            event.save()
        with pytest.raises(AppendOnly):
            event.delete()
