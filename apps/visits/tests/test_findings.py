"""Patrols and inspections: a place-based checklist; 发现隐患 → a hazard case with a deadline
and a re-inspection (复查) task; the re-inspection closes it (resolving the case through the
engine when the inspector handles it) or sets a new deadline; 发现纠纷 → a dispute case."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.cases.actions import do_transition
from apps.cases.choices import Level, LimitUnit
from apps.cases.models import Case, Category
from apps.core.models import AuditEvent
from apps.visits.actions import (
    do_generate_cycle,
    do_record_reinspection,
    do_record_visit,
    do_report_dispute,
    do_report_hazard,
)
from apps.visits.models import Rectification, VisitTask
from apps.visits.selectors import cycle_coverage

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid_category():
    category, _ = Category.objects.update_or_create(
        code="fire-lanes",
        defaults={
            "name": "消防隐患",
            "default_level": Level.GRID,
            "resolve_amount": 3,
            "resolve_unit": LimitUnit.WORKDAYS,
        },
    )
    return category


@pytest.fixture
def inspection(patrol, world):
    cycle, _ = do_generate_cycle(patrol.plan, timezone.localdate())
    return cycle


def _task(cycle, place):
    return VisitTask.objects.get(cycle=cycle, place=place)


class TestInspectionTargets:
    def test_it_inspects_the_grid_its_compounds_and_buildings(self, patrol, inspection, world):
        places = set(
            VisitTask.objects.filter(cycle=inspection).values_list("place__name", flat=True)
        )
        assert places == {"红门第一网格", "幸福小区", "1栋"}
        cover = cycle_coverage(inspection, world.community_a)
        assert (cover.targets, cover.due, cover.visited) == (3, 3, 0)

    def test_it_records_the_place_checklist(self, patrol, inspection, world):
        task = _task(inspection, world.compound_a)
        record = do_record_visit(
            task, actor=patrol.inspector_user, answers={"消防通道": True, "燃气安全": True}
        )
        assert record.answers == {"消防通道": True, "燃气安全": True}
        with pytest.raises(ValidationError, match="清单中没有：政策宣传"):
            do_record_visit(
                _task(inspection, world.building_a),
                actor=patrol.inspector_user,
                answers={"政策宣传": True},
            )


class TestHazard:
    def test_it_makes_a_hazard_case_a_deadline_and_a_reinspection(
        self, patrol, inspection, world, grid_category
    ):
        task = _task(inspection, world.compound_a)
        deadline = timezone.localdate() + dt.timedelta(days=10)
        found = do_report_hazard(
            task,
            actor=patrol.inspector_user,
            category=grid_category,
            title="消防通道被电动车堵塞",
            deadline=deadline,
        )
        case = Case.objects.get()
        assert (case.kind, case.source, case.place_id) == ("hazard", "patrol", world.compound_a.pk)
        assert found.case == case and found.deadline == deadline and found.status == "open"
        reinspect = found.reinspections.get()
        assert (reinspect.kind, reinspect.place_id, reinspect.occurrence) == (
            "reinspect",
            world.compound_a.pk,
            deadline,
        )
        assert reinspect.assignee_id == patrol.inspector.pk and reinspect.cycle_id is None
        assert list(task.cases.all()) == [case]
        assert AuditEvent.objects.filter(object_type="visits.rectification").count() == 1
        # a re-inspection is not part of the cycle's coverage
        assert cycle_coverage(inspection, world.community_a).due == 3

    def test_the_deadline_defaults_to_the_categorys_limit(
        self, patrol, inspection, world, grid_category
    ):
        found = do_report_hazard(
            _task(inspection, world.building_a),
            actor=patrol.inspector_user,
            category=grid_category,
            title="楼道堆放杂物",
        )
        assert found.deadline == timezone.localdate(found.case.resolve_by)

    def test_it_refuses_a_deadline_in_the_past(self, patrol, inspection, world, grid_category):
        with pytest.raises(ValidationError, match="整改期限应晚于今天"):
            do_report_hazard(
                _task(inspection, world.building_a),
                actor=patrol.inspector_user,
                category=grid_category,
                title="楼道堆放杂物",
                deadline=timezone.localdate(),
            )
        assert not Case.objects.exists() and not Rectification.objects.exists()


def _hazard_due_today(patrol, inspection, world, category):
    found = do_report_hazard(
        _task(inspection, world.compound_a),
        actor=patrol.inspector_user,
        category=category,
        title="消防通道被堵",
        deadline=timezone.localdate() + dt.timedelta(days=1),
    )
    # the deadline came: the re-inspection is due today
    task = found.reinspections.get()
    VisitTask.objects.filter(pk=task.pk).update(occurrence=timezone.localdate())
    return found, VisitTask.objects.get(pk=task.pk)


class TestReinspection:
    def test_rectified_resolves_the_case_when_the_inspector_handles_it(
        self, patrol, inspection, world, grid_category
    ):
        found, task = _hazard_due_today(patrol, inspection, world, grid_category)
        case = found.case
        for action, data in (
            ("accept", None),
            ("dispatch", {"assignee": patrol.inspector_user.pk}),
        ):
            case = do_transition(case, action, actor=patrol.inspector_user, data=data)
        case = do_transition(case, "claim", actor=patrol.inspector_user)
        rectification, resolved = do_record_reinspection(
            task, actor=patrol.inspector_user, rectified=True, notes="已清理"
        )
        assert resolved and rectification.status == "rectified"
        case.refresh_from_db()
        assert case.status == "resolved"
        task.refresh_from_db()
        assert task.status == "done" and "复查：已整改" in task.records.get().notes

    def test_rectified_leaves_the_case_to_its_handler_otherwise(
        self, patrol, inspection, world, grid_category
    ):
        _found, task = _hazard_due_today(patrol, inspection, world, grid_category)
        rectification, resolved = do_record_reinspection(
            task, actor=patrol.inspector_user, rectified=True
        )
        assert not resolved and rectification.status == "rectified"
        assert Case.objects.get().status == "submitted"

    def test_not_rectified_sets_a_new_deadline_and_a_new_reinspection(
        self, patrol, inspection, world, grid_category
    ):
        found, task = _hazard_due_today(patrol, inspection, world, grid_category)
        with pytest.raises(ValidationError, match="未整改时请填写晚于今天的新整改期限"):
            do_record_reinspection(task, actor=patrol.inspector_user, rectified=False)
        later = timezone.localdate() + dt.timedelta(days=7)
        rectification, resolved = do_record_reinspection(
            task, actor=patrol.inspector_user, rectified=False, new_deadline=later
        )
        assert (rectification.status, rectification.deadline, resolved) == ("open", later, False)
        assert list(found.reinspections.order_by("id").values_list("occurrence", "status")) == [
            (timezone.localdate(), "done"),
            (later, "planned"),
        ]
        assert Case.objects.get().status == "submitted"

    def test_only_a_reinspection_task_records_a_reinspection(self, patrol, inspection, world):
        with pytest.raises(ValidationError, match="该任务不是隐患复查任务"):
            do_record_reinspection(
                _task(inspection, world.grid_a), actor=patrol.inspector_user, rectified=True
            )


class TestDispute:
    def test_it_makes_a_dispute_case(self, patrol, inspection, world, grid_category):
        case = do_report_dispute(
            _task(inspection, world.building_a),
            actor=patrol.inspector_user,
            category=grid_category,
            title="邻里噪音纠纷",
        )
        assert (case.kind, case.source, case.place_id) == ("dispute", "patrol", world.building_a.pk)


class TestFindingPages:
    def test_hazard_and_reinspection_through_http(
        self, client, patrol, inspection, world, grid_category
    ):
        client.force_login(patrol.inspector_user)
        task = _task(inspection, world.compound_a)
        body = client.get(f"/visits/tasks/{task.pk}/").content.decode()
        for text in ("检查清单", "检查情况", "消防通道", "发现隐患", "发现纠纷", "完成检查"):
            assert text in body
        deadline = timezone.localdate() + dt.timedelta(days=5)
        response = client.post(
            f"/visits/tasks/{task.pk}/hazard/",
            {
                "hazard-category": grid_category.pk,
                "hazard-title": "电动车楼道充电",
                "hazard-deadline": deadline,
            },
        )
        assert response.status_code == 302
        reinspect = Rectification.objects.get().reinspections.get()
        VisitTask.objects.filter(pk=reinspect.pk).update(occurrence=timezone.localdate())
        assert "隐患复查" in client.get("/visits/").content.decode()
        body = client.get(f"/visits/tasks/{reinspect.pk}/").content.decode()
        assert "隐患复查" in body and "复查结果" in body
        response = client.post(f"/visits/tasks/{reinspect.pk}/reinspect/", {"rectified": "no"})
        # The refusal is shown on the same page (422), the answer still chosen.
        assert response.status_code == 422
        assert "未整改时请填写" in response.content.decode()
        assert response.context["reinspect_form"]["rectified"].value() == "no"
        response = client.post(f"/visits/tasks/{reinspect.pk}/reinspect/", {"rectified": "yes"})
        assert response.status_code == 302
        assert Rectification.objects.get().status == "rectified"

    def test_dispute_through_the_api(self, client, patrol, inspection, world, grid_category):
        client.force_login(patrol.inspector_user)
        task = _task(inspection, world.building_a)
        response = client.post(
            f"/api/v1/visits/tasks/{task.pk}/findings/dispute",
            {"category": grid_category.pk, "title": "停车位纠纷"},
            content_type="application/json",
        )
        assert response.status_code == 201 and response.json()["kind"] == "dispute"
        response = client.post(
            f"/api/v1/visits/tasks/{task.pk}/findings/hazard",
            {"category": grid_category.pk, "title": "外墙脱落", "deadline": "2000-01-01"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "整改期限应晚于今天"

    def test_an_outsider_gets_404(self, client, patrol, inspection, world, grid_category):
        client.force_login(world.user("outsider_b"))
        task = _task(inspection, world.building_a)
        response = client.post(
            f"/visits/tasks/{task.pk}/hazard/",
            {"hazard-category": grid_category.pk, "hazard-title": "x"},
        )
        assert response.status_code == 404
        assert not Case.objects.exists()
