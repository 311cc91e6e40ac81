"""The parts of the service the other files do not reach: the weekly report made by the
schedule (not only on demand), the one-time notice printed per stage, the Q&A and policy
records per project, the projects-by-stage figure, the stage templates configured by an
administrator (audited) and the land outline entered on the form or in the import."""

import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from apps.accounts.choices import Role
from apps.cases import actions as case_actions
from apps.cases.choices import Action
from apps.cases.models import Case
from apps.core.models import AuditEvent
from apps.core.tasks import capture_tasks, run_task
from apps.core.testing import client_as
from apps.core.testing.factories import make_user
from apps.projects import actions, reports
from apps.projects.choices import Lamp, NoteKind
from apps.projects.imports import PROJECTS, import_projects
from apps.projects.models import DispatchReport, Project, ProjectStage, StageTemplate
from apps.projects.selectors import with_stage_lamps
from apps.projects.workdays import workday_number
from apps.stats.indicators import Scope, get

from .conftest import register

D = dt.date
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[115.0, 29.2], [115.1, 29.2], [115.1, 29.3], [115.0, 29.3], [115.0, 29.2]]],
}


def test_the_schedule_makes_each_areas_report_on_friday_afternoon_once(clock, city, people, g105):
    official = people["city_official"]
    clock(dt.datetime(2025, 9, 8, 9, 0))
    actions.do_start_stage(
        actor=official, stage=g105.stages.get(template__code="survey"), on_date=D(2025, 9, 8)
    )
    with capture_tasks() as queued:
        assert actions.schedule_weekly() == 0  # Monday
        clock(dt.datetime(2025, 9, 11, 15, 0))
        assert actions.schedule_weekly() == 0  # Thursday afternoon
        clock(dt.datetime(2025, 9, 12, 11, 59))
        assert actions.schedule_weekly() == 0  # Friday morning: the meeting is after noon
        clock(dt.datetime(2025, 9, 12, 12, 0))
        assert actions.schedule_weekly() == 2  # 九江市 and 武宁县; 修水县 has no project
        clock(dt.datetime(2025, 9, 12, 13, 0))
        assert actions.schedule_weekly() == 0  # once a week per area
    reports = {r.place.name: r for r in DispatchReport.objects.select_related("place")}
    assert set(reports) == {"九江市", "武宁县"}
    assert all(r.week_start == D(2025, 9, 8) and r.requested_by is None for r in reports.values())
    assert sorted(args for _, args, _ in queued) == sorted((r.pk,) for r in reports.values())
    # the periodic job is registered with the task system under its name
    with capture_tasks():
        assert run_task("projects.weekly_schedule") == 0
    for report in reports.values():
        assert run_task("projects.weekly_report", (report.pk,)) == "done"
    county = DispatchReport.objects.get(pk=reports["武宁县"].pk)
    assert county.pdf.read(4) == b"%PDF"
    book = load_workbook(county.xlsx.open("rb"))
    changes = list(book["本周变动"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[3]) for r in changes] == [(g105.name, "需求摸排", "开始")]
    due = list(book["下周到期"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2]) for r in due] == [(g105.name, "需求摸排")]  # due Mon 15 Sep
    compare = {r[0]: r[1:] for r in book["周环比"].iter_rows(min_row=2, values_only=True)}
    assert compare["开始阶段"] == (1, 0, 1)


def test_each_stage_prints_its_one_time_notice_within_the_scope(g105, people):
    survey = g105.stages.select_related("template").get(template__code="survey")
    url = reverse("projects:stage_notice", args=[survey.pk])
    page = client_as(people["unit"]).get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "需求摸排阶段 一次性告知书" in html
    assert survey.template.material_list()  # the default templates list their materials
    for material in survey.template.material_list():
        assert f"<li>{material}</li>" in html
    assert "10个工作日（法定节假日不计，调休上班日计）" in html
    assert "2025年9月1日 — 2025年9月15日" in html and g105.owner_unit in html
    detail = client_as(people["city_official"]).get(reverse("projects:detail", args=[g105.pk]))
    assert url in detail.content.decode()
    assert client_as(people["xiushui_official"]).get(url).status_code == 404


def test_qa_and_policy_records_per_project(clock, city, people, g105):
    other = register(people["city_official"], city["wuning"], "WN-2", name="武宁工业园道路")
    unit, handler = client_as(people["unit"]), client_as(people["handler"])
    url = reverse("projects:note", args=[g105.pk])
    assert (
        unit.post(url, {"kind": "qa", "question": "补偿标准？", "answer": "按区片综合地价"})
    ).status_code == 302
    assert (
        handler.post(
            url,
            {"kind": "policy", "question": "临时用地政策", "answer": "复垦后归还，期限两年"},
        ).status_code
        == 302
    )
    kinds = list(g105.notes.order_by("id").values_list("kind", "recorded_by__username"))
    assert kinds == [(NoteKind.QA, "unit_g105"), (NoteKind.POLICY, "dept_h")]
    page = client_as(people["city_official"]).get(reverse("projects:detail", args=[g105.pk]))
    html = page.content.decode()
    assert "现场答疑</strong>" in html and "政策解读</strong>" in html and "复垦后归还" in html
    refused = unit.post(
        reverse("projects:note", args=[other.pk]), {"kind": "qa", "question": "问", "answer": "答"}
    )
    assert refused.status_code == 404 and other.notes.count() == 0  # not the unit's project
    assert AuditEvent.objects.filter(object_type="projects.projectnote").count() == 2


def test_projects_by_stage_counts_each_project_at_its_first_open_stage(clock, city, people, g105):
    official = people["city_official"]
    register(official, city["xiushui"], "XS-1", name="修水工业园道路")
    for code in ("survey", "approval"):
        stage = g105.stages.get(template__code=code)
        actions.do_start_stage(actor=official, stage=stage, on_date=D(2025, 9, 1))
        actions.do_complete_stage(actor=official, stage=stage, on_date=D(2025, 9, 1))
    actions.do_start_stage(
        actor=official, stage=g105.stages.get(template__code="acquisition"), on_date=D(2025, 9, 1)
    )
    scope = Scope(None, city["city"], D(2025, 9, 1), D(2025, 9, 30))
    rows = get("projects_by_stage").compute(scope)
    assert [r["name"] for r in rows] == list(
        StageTemplate.objects.filter(active=True)
        .order_by("position")
        .values_list("name", flat=True)
    )
    counts = {r["name"]: r["n"] for r in rows}
    assert counts["需求摸排"] == 1 and counts["征地拆迁/征收"] == 1 and sum(counts.values()) == 2
    county = Scope(None, city["xiushui"], D(2025, 9, 1), D(2025, 9, 30))
    assert {r["name"]: r["n"] for r in get("projects_by_stage").compute(county)}["需求摸排"] == 1


def test_an_administrator_configures_a_stage_template_and_the_lamps_follow(g105, city):
    survey = g105.stages.select_related("template").get(template__code="survey")
    due = D(2025, 9, 15)
    ProjectStage.objects.filter(pk=survey.pk).update(
        planned_end=due, due_workday=workday_number(due)
    )
    today = workday_number(D(2025, 9, 19))  # 4 working days late: yellow by default (≤ 7)
    lamp = lambda: with_stage_lamps(ProjectStage.objects.filter(pk=survey.pk), today).get().lamp  # noqa: E731
    assert lamp() == Lamp.YELLOW
    admin = Client()
    admin.force_login(make_user("admin_po", Role.ADMIN, city["city"], is_staff=True))
    template = survey.template
    url = reverse("admin:projects_stagetemplate_change", args=[template.pk])
    assert admin.get(url).status_code == 200
    form = {
        "code": template.code,
        "name": template.name,
        "position": template.position,
        "sla_workdays": template.sla_workdays,
        "materials": template.materials + "\n项目红线图（新增）",
        "owner_role": template.owner_role,
        "yellow_days": 1,
        "orange_days": 3,
        "active": "on",
    }
    refused = admin.post(url, {**form, "yellow_days": 5, "orange_days": 2})
    assert refused.status_code == 200 and "橙灯上限不能小于黄灯上限" in refused.content.decode()
    assert admin.post(url, form).status_code == 302
    assert lamp() == Lamp.RED  # 4 > 3: red under the new thresholds, at once
    template.refresh_from_db()
    assert template.material_list()[-1] == "项目红线图（新增）"
    event = AuditEvent.objects.get(object_type="projects.stagetemplate", object_id=str(template.pk))
    assert event.changes["orange_days"] == "3"
    clerk = Client()
    clerk.force_login(make_user("po_staff", Role.PROJECT_OFFICIAL, city["city"], is_staff=True))
    assert clerk.get(url).status_code == 403


def test_the_land_outline_is_entered_on_the_form_or_in_the_import(
    tmp_path, clock, city, people, dept
):
    official = people["wuning_official"]
    client = client_as(official)
    form = {
        "code": "WN-LAND",
        "name": "武宁产业园用地",
        "level": "county",
        "type": "industry",
        "investment_wan": "8000",
        "owner_unit": "武宁县城投",
        "bureau": "武宁县自然资源局",
        "place": city["wuning"].pk,
        "land_agricultural_mu": "30",
        "land_farmland_mu": "10",
        "land_construction_mu": "5",
        "land_unused_mu": "0",
        "start_date": "2025-09-01",
        "departments": [dept.pk],
    }
    bad = client.post(reverse("projects:new"), {**form, "geometry": '{"type": "Point"}'})
    assert bad.status_code == 422 and "用地范围须为有效的 GeoJSON 面" in bad.content.decode()
    response = client.post(reverse("projects:new"), {**form, "geometry": json.dumps(SQUARE)})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Project.objects.get(code="WN-LAND").geometry == SQUARE

    def book(outline):
        wb = Workbook()
        ws = wb.active
        ws.append(PROJECTS.headers)
        values = {c.field: c.example for c in PROJECTS.columns}
        values.update(code="WN-X", place="360423000000", departments="", geometry=outline)
        ws.append([values[c.field] for c in PROJECTS.columns])
        out = io.BytesIO()
        wb.save(out)
        path = tmp_path / "p.xlsx"
        path.write_bytes(out.getvalue())
        return path

    column = "R"  # the 18th column
    result = import_projects(actor=official, path=book("不是坐标"), commit=True)
    assert [str(e) for e in result.errors] == [
        f"第2行 {column}列（用地范围（GeoJSON））：不是有效的 GeoJSON 文本"
    ]
    done = import_projects(actor=official, path=book(json.dumps(SQUARE)), commit=True)
    assert done.committed and Project.objects.get(code="WN-X").geometry == SQUARE


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_an_overdue_blocker_is_reported_to_the_city_once(
    clock, city, people, g105, dept, django_capture_on_commit_callbacks
):
    official = people["city_official"]
    survey = g105.stages.get(template__code="survey")
    actions.do_start_stage(actor=official, stage=survey, on_date=D(2025, 9, 1))
    late = actions.do_raise_blocker(actor=official, stage=survey, department=dept, title="林地")
    other = actions.do_raise_blocker(actor=official, stage=survey, department=dept, title="补偿")
    handler = people["handler"]
    for action in (Action.CLAIM, Action.START, Action.RESOLVE):
        case = Case.objects.get(pk=other.case_id)
        case_actions.do_transition(case, action, actor=handler, note="已补偿到位")
    resolve_by = late.case.resolve_by
    assert actions.escalation_target(g105.place) == city["city"]
    with capture_tasks() as queued, django_capture_on_commit_callbacks(execute=True):
        assert actions.escalate_overdue_blockers(resolve_by - dt.timedelta(minutes=1)) == 0
        assert actions.escalate_overdue_blockers(resolve_by + dt.timedelta(minutes=1)) == 1
        assert actions.escalate_overdue_blockers(resolve_by + dt.timedelta(days=3)) == 0
    late.refresh_from_db()
    other.refresh_from_db()
    assert (late.escalated_to, other.escalated_at) == (city["city"], None)  # resolved: not
    [(_name, args, _)] = [q for q in queued if q[0].startswith("notifications")]
    assert args[0] == [official.pk] and "G105国道武宁段改建工程" in args[1]
    event = survey.events.order_by("-id").first()
    assert (event.kind, event.actor_label) == ("escalate", "系统")
    assert "已上报九江市重点项目专班" in event.note
    assert AuditEvent.objects.filter(object_type="projects.blocker", actor_label="系统").exists()
    clock(resolve_by + dt.timedelta(hours=1))
    page = client_as(official).get(reverse("projects:detail", args=[g105.pk])).content.decode()
    assert "超期已上报九江市专班" in page
    weekly = reports.weekly(official, city["city"], timezone.localdate())
    assert [(row[2][-2:], row[-1]) for row in weekly.blockers] == [("林地", "已上报九江市")]
