"""Plans: created and changed on a page and through the API, by staff inside their scope,
audited; an outsider gets 404 and a party member may not plan."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.models import AuditEvent
from apps.visits.actions import do_update_plan
from apps.visits.models import VisitPlan

pytestmark = pytest.mark.django_db

FORM = {
    "name": "周五入户",
    "kind": "household",
    "preset": "FREQ=WEEKLY;BYDAY=FR",
    "start_date": "2025-01-03",
    "duty_kinds": ["baolian", "grid_worker"],
    "checklist": "政策宣传\n民意记录\n\n安全提醒",
    "window_days": "2",
    "target_percent": "95",
    "active": "on",
}


class TestPlanPages:
    def test_staff_create_a_plan_with_a_preset(self, client, world):
        client.force_login(world.user("community_a"))
        response = client.post("/visits/plans/new/", {**FORM, "scope": world.community_a.pk})
        assert response.status_code == 302 and response.url == "/visits/plans/"
        plan = VisitPlan.objects.get()
        assert (plan.rule, plan.duty_kinds, plan.checklist, plan.target_percent) == (
            "FREQ=WEEKLY;BYDAY=FR",
            ["baolian", "grid_worker"],
            ["政策宣传", "民意记录", "安全提醒"],
            95,
        )
        assert AuditEvent.objects.filter(object_type="visits.visitplan", verb="create").exists()
        body = client.get("/visits/plans/").content.decode()
        assert "周五入户" in body and "修改" in body

    def test_a_plan_of_the_town_is_listed_without_a_link_to_change_it(self, client, world):
        """The community's list shows the town's plan (it reaches the community's households)
        but offers 修改 only on its own: the town's edit page answers 404 to community staff."""
        client.force_login(world.user("town_staff"))
        client.post("/visits/plans/new/", {**FORM, "name": "镇里的走访", "scope": world.town.pk})
        client.force_login(world.user("community_a"))
        client.post("/visits/plans/new/", {**FORM, "scope": world.community_a.pk})
        town_plan = VisitPlan.objects.get(name="镇里的走访")
        own = VisitPlan.objects.get(name="周五入户")
        body = client.get("/visits/plans/").content.decode()
        assert "镇里的走访" in body
        assert f"/visits/plans/{town_plan.pk}/edit/" not in body
        assert f"/visits/plans/{own.pk}/edit/" in body
        assert client.get(f"/visits/plans/{town_plan.pk}/edit/").status_code == 404

    def test_a_custom_rrule_is_checked(self, client, world):
        client.force_login(world.user("community_a"))
        data = {**FORM, "scope": world.community_a.pk, "preset": "custom", "custom_rule": "每周五"}
        response = client.post("/visits/plans/new/", data)
        assert response.status_code == 422
        assert "重复规则无效，请使用 RRULE 写法" in response.content.decode()
        data["custom_rule"] = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
        assert client.post("/visits/plans/new/", data).status_code == 302
        assert VisitPlan.objects.get().rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"

    def test_the_scope_must_be_in_the_accounts_area(self, client, world):
        client.force_login(world.user("community_a"))
        response = client.post("/visits/plans/new/", {**FORM, "scope": world.community_b.pk})
        assert response.status_code == 422 and not VisitPlan.objects.exists()

    def test_staff_edit_a_plan_and_the_change_is_audited(self, client, world, visit_round):
        client.force_login(world.user("community_a"))
        plan = visit_round.plan
        body = client.get(f"/visits/plans/{plan.pk}/edit/").content.decode()
        assert "政策宣传\n民意记录" in body
        data = {**FORM, "scope": world.community_a.pk, "preset": "FREQ=MONTHLY;BYMONTHDAY=1,16"}
        assert client.post(f"/visits/plans/{plan.pk}/edit/", data).status_code == 302
        plan.refresh_from_db()
        assert plan.rule == "FREQ=MONTHLY;BYMONTHDAY=1,16" and plan.window_days == 2
        event = AuditEvent.objects.filter(object_type="visits.visitplan", verb="update").get()
        assert event.changes["rule"] == ["FREQ=WEEKLY;BYDAY=FR", "FREQ=MONTHLY;BYMONTHDAY=1,16"]

    def test_an_outsider_gets_404_and_a_party_member_403(self, client, world, visit_round):
        client.force_login(world.user("outsider_b"))
        assert client.get(f"/visits/plans/{visit_round.plan.pk}/edit/").status_code == 404
        assert "周五入户" not in client.get("/visits/plans/").content.decode()
        client.force_login(visit_round.member_user)
        assert client.get("/visits/plans/new/").status_code == 403
        with pytest.raises(PermissionDenied, match="只有乡镇、社区工作人员可以制定走访计划"):
            do_update_plan(visit_round.plan, actor=visit_round.member_user, window_days=3)


class TestPlanApi:
    def test_create_and_patch(self, client, world):
        client.force_login(world.user("community_a"))
        payload = {
            "name": "网格巡查",
            "kind": "grid_patrol",
            "scope": world.community_a.pk,
            "rule": "FREQ=WEEKLY;BYDAY=MO",
            "start_date": "2025-01-06",
            "duty_kinds": ["grid_worker"],
            "checklist": ["环境卫生", "消防通道"],
        }
        response = client.post("/api/v1/visits/plans", payload, content_type="application/json")
        assert response.status_code == 201, response.content
        plan_id = response.json()["id"]
        response = client.patch(
            f"/api/v1/visits/plans/{plan_id}",
            {"window_days": 3, "duty_kinds": ["nobody"]},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert "请选择走访责任人类型" in response.json()["detail"][0]["msg"]
        response = client.patch(
            f"/api/v1/visits/plans/{plan_id}", {"window_days": 3}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["window_days"] == 3
        assert VisitPlan.objects.get().start_date == dt.date(2025, 1, 6)

    def test_an_outsider_cannot_see_or_change_a_plan(self, client, world, visit_round):
        client.force_login(world.user("outsider_b"))
        url = f"/api/v1/visits/plans/{visit_round.plan.pk}"
        assert client.get(url).status_code == 404
        response = client.patch(url, {"window_days": 9}, content_type="application/json")
        assert response.status_code == 404


def test_the_plan_list_takes_the_same_queries_for_one_plan_or_five(client, world, visit_round):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.visits.actions import do_create_plan

    client.force_login(world.user("community_a"))
    with CaptureQueriesContext(connection) as one:
        assert client.get("/visits/plans/").status_code == 200
    for n in range(4):
        do_create_plan(
            actor=world.user("community_a"),
            name=f"巡查{n}",
            kind="grid_patrol",
            scope=world.grid_a,
            start_date=dt.date(2025, 1, 6),
            duty_kinds=["grid_worker"],
        )
    with CaptureQueriesContext(connection) as five:
        body = client.get("/visits/plans/").content.decode()
    assert body.count("巡查") >= 4 and len(five) == len(one)
