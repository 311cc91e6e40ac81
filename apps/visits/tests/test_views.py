"""Pages and API end to end through HTTP, and the scope matrix (community B sees nothing of A)."""

import pytest
from django.utils import timezone

from apps.cases.models import Case, Category
from apps.visits.actions import do_generate_cycle
from apps.visits.models import VisitTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(visit_round):
    plan = visit_round.plan
    plan.rule = "FREQ=DAILY"
    plan.save()
    return do_generate_cycle(plan, timezone.localdate())[0]


@pytest.fixture
def task(cycle, world):
    return VisitTask.objects.get(cycle=cycle, place=world.household_a)


@pytest.fixture
def member_client(client, visit_round):
    client.force_login(visit_round.member_user)
    return client


class TestTodayPage:
    def test_it_groups_my_tasks_by_building(self, member_client, cycle, visit_round, world):
        response = member_client.get("/visits/")
        assert response.status_code == 200
        body = response.content.decode()
        assert "今日任务" in body and "待走访 2 户" in body
        assert body.index("1栋") < body.index("101室") and "2栋" in body
        groups = response.context["groups"]
        assert [g.place for g in groups] and {g.place.name for g in groups} == {"1栋", "2栋"}

    def test_it_tells_an_account_without_a_person(self, client, world, cycle):
        client.force_login(world.user("community_a"))
        assert "未关联人员信息" in client.get("/visits/").content.decode()


class TestHouseholdPage:
    def test_it_shows_members_holders_and_the_checklist(self, member_client, task):
        body = member_client.get(f"/visits/tasks/{task.pk}/").content.decode()
        for text in ("刘党员", "包联", "政策宣传", "民意记录", "未能入户", "登记诉求"):
            assert text in body

    def test_it_records_a_visit(self, member_client, task):
        response = member_client.post(
            f"/visits/tasks/{task.pk}/record/", {"item_0": "on", "notes": "一切正常"}
        )
        assert response.status_code == 302 and response.url == "/visits/"
        task.refresh_from_db()
        assert task.status == "done"
        assert task.records.get().answers == {"政策宣传": True, "民意记录": False}

    def test_it_records_unreachable_with_a_reason(self, member_client, task):
        response = member_client.post(f"/visits/tasks/{task.pk}/unreachable/", {"reason": ""})
        assert response.status_code == 422
        member_client.post(f"/visits/tasks/{task.pk}/unreachable/", {"reason": "外出务工"})
        task.refresh_from_db()
        assert (task.status, task.reason) == ("unreachable", "外出务工")

    def test_it_registers_a_need_in_one_tap(self, member_client, task, world):
        category = Category.objects.filter(active=True).first()
        response = member_client.post(
            f"/visits/tasks/{task.pk}/need/", {"category": category.pk, "title": "门前路灯坏了"}
        )
        assert response.status_code == 302
        case = Case.objects.get()
        assert (case.source, case.place_id) == ("visit", world.household_a.pk)


class TestScope:
    def test_it_hides_a_tasks_from_community_b(self, client, task, cycle, world):
        client.force_login(world.user("outsider_b"))
        assert client.get(f"/visits/tasks/{task.pk}/").status_code == 404
        assert client.post(f"/visits/tasks/{task.pk}/record/", {}).status_code == 404
        assert client.get(f"/api/v1/visits/tasks/{task.pk}").status_code == 404
        assert client.get(f"/api/v1/visits/coverage?cycle={cycle.pk}").status_code == 404
        assert client.get(f"/visits/coverage/?place={world.community_a.pk}").status_code == 404

    def test_it_lets_community_a_staff_see_and_record(self, client, task, world):
        client.force_login(world.user("community_a"))
        assert client.get(f"/visits/tasks/{task.pk}/").status_code == 200


class TestCoveragePage:
    def test_it_marks_assignees_below_target_in_red(self, client, cycle, world):
        client.force_login(world.user("community_a"))
        response = client.get("/visits/coverage/")
        body = response.content.decode()
        assert response.status_code == 200
        assert 'class="below-target"' in body and "未达标" in body and "刘党员" in body
        assert response.context["cover"].due == 2

    def test_it_picks_a_previous_cycle(self, client, cycle, visit_round, world):
        import datetime as dt

        old, _ = do_generate_cycle(visit_round.plan, cycle.occurrence - dt.timedelta(days=7))
        client.force_login(world.user("community_a"))
        response = client.get(f"/visits/coverage/?plan={visit_round.plan.pk}&cycle={old.pk}")
        assert response.context["cycle"] == old
        assert len(response.context["cycles"]) == 2


class TestApi:
    def test_it_lists_my_tasks(self, member_client, cycle):
        body = member_client.get("/api/v1/visits/tasks/mine").json()
        assert body["count"] == 2
        assert {t["place_name"] for t in body["items"]} == {"101室"}

    def test_it_records_a_visit_and_an_unreachable_one(self, member_client, cycle, world):
        first, second = VisitTask.objects.filter(cycle=cycle).order_by("pk")
        response = member_client.post(
            f"/api/v1/visits/tasks/{first.pk}/record",
            {"answers": {"政策宣传": True}, "notes": "好"},
            content_type="application/json",
        )
        assert response.status_code == 201 and response.json()["status"] == "done"
        response = member_client.post(
            f"/api/v1/visits/tasks/{second.pk}/record",
            {"reached": False},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "请填写未能入户的原因"

    def test_it_reports_coverage(self, client, cycle, world):
        client.force_login(world.user("community_a"))
        body = client.get(f"/api/v1/visits/coverage?cycle={cycle.pk}").json()
        assert (body["due"], body["visited"], body["no_holder"]) == (2, 0, 1)
        assert body["assignees"][0]["below_target"] is True
