"""The register, the stage pipeline with its history, blockers through the case engine, scope,
the import and the weekly report — through the actions and through HTTP."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from apps.cases import actions as case_actions
from apps.cases.choices import Action, Status
from apps.core.tasks import capture_tasks, run_task
from apps.core.testing import client_as
from apps.projects import actions, reports, selectors
from apps.projects.choices import Lamp, ProjectStatus, StageStatus
from apps.projects.imports import PROJECTS, import_projects
from apps.projects.models import DispatchReport, Project, StageEvent

from .conftest import register

D = dt.date


def stage(project, code):
    return project.stages.select_related("template", "project__place").get(template__code=code)


def test_registering_lays_out_the_stages_on_working_days(g105):
    stages = list(g105.stages.select_related("template").order_by("position"))
    assert [s.template.name for s in stages] == [
        "需求摸排",
        "用地预审/报批",
        "征地拆迁/征收",
        "权属调查",
        "土地供应",
        "落地跟踪",
    ]
    survey, approval, acquisition, ownership = stages[:4]
    assert survey.planned_start == D(2025, 9, 1)
    assert survey.planned_end == D(2025, 9, 15)  # 10 working days after 1 Sep
    assert approval.planned_start == D(2025, 9, 16)
    assert ownership.planned_start == acquisition.planned_start  # parallel with acquisition
    assert all(s.status == StageStatus.PENDING for s in stages)


def test_stages_move_in_order_with_an_append_only_history(clock, g105, people):
    official = people["city_official"]
    survey, approval = stage(g105, "survey"), stage(g105, "approval")
    with pytest.raises(ValidationError, match="请先完成前序阶段：需求摸排"):
        actions.do_start_stage(actor=official, stage=approval)
    actions.do_start_stage(actor=official, stage=survey, on_date=D(2025, 9, 1))
    clock(dt.datetime(2025, 9, 12, 10, 0))
    actions.do_assign_stage(actor=official, stage=survey, owner_name="李明", team="用地保障专班")
    actions.do_complete_stage(actor=official, stage=survey, on_date=D(2025, 9, 12), note="摸排完毕")
    survey.refresh_from_db()
    assert (survey.status, survey.actual_end, survey.owner_name) == ("done", D(2025, 9, 12), "李明")
    kinds = list(StageEvent.objects.filter(stage=survey).values_list("kind", "to_status"))
    assert kinds == [("start", "active"), ("assign", "active"), ("complete", "done")]
    event = StageEvent.objects.filter(stage=survey).first()
    with pytest.raises(ValidationError, match="只能追加"):
        event.note = "改写"
        event.save()
    with pytest.raises(ValidationError, match="只能追加"):
        event.delete()
    with pytest.raises(ValidationError, match="日期不能晚于今天"):
        actions.do_start_stage(actor=official, stage=approval, on_date=D(2025, 9, 20))


def test_a_parallel_stage_starts_once_the_one_before_has_started(clock, g105, people):
    official = people["city_official"]
    for code in ("survey", "approval"):
        actions.do_start_stage(actor=official, stage=stage(g105, code), on_date=D(2025, 9, 1))
        actions.do_complete_stage(actor=official, stage=stage(g105, code), on_date=D(2025, 9, 1))
    with pytest.raises(ValidationError, match="征地拆迁/征收"):
        actions.do_start_stage(actor=official, stage=stage(g105, "ownership"))
    actions.do_start_stage(actor=official, stage=stage(g105, "acquisition"))
    actions.do_start_stage(actor=official, stage=stage(g105, "ownership"))
    assert stage(g105, "ownership").status == StageStatus.ACTIVE


def test_only_the_official_in_scope_moves_a_stage(g105, people):
    survey = stage(g105, "survey")
    with pytest.raises(PermissionDenied, match="只有重点项目专班可以推进项目阶段"):
        actions.do_start_stage(actor=people["unit"], stage=survey)
    with pytest.raises(PermissionDenied, match="该项目不在您的管辖范围内"):
        actions.do_start_stage(actor=people["xiushui_official"], stage=survey)
    actions.do_start_stage(actor=people["wuning_official"], stage=survey)


def test_scope_city_sees_all_counties_county_its_own_unit_its_project(city, g105, people):
    other = register(people["city_official"], city["xiushui"], "G7021-XS", name="G7021修水段")
    visible = {
        who: set(selectors.visible_projects(people[who]).values_list("code", flat=True))
        for who in ("city_official", "wuning_official", "xiushui_official", "unit", "handler")
    }
    assert visible["city_official"] == {"G105-WN", "G7021-XS"}
    assert visible["wuning_official"] == {"G105-WN"}
    assert visible["xiushui_official"] == {"G7021-XS"}
    assert visible["unit"] == {"G105-WN"}
    register(people["city_official"], city["wuning"], "WN-2", name="武宁另一项目")
    assert set(selectors.visible_projects(people["unit"]).values_list("code", flat=True)) == {
        "G105-WN"
    }
    assert (
        client_as(people["xiushui_official"])
        .get(reverse("projects:detail", args=[g105.pk]))
        .status_code
        == 404
    )
    assert (
        client_as(people["unit"]).get(reverse("projects:detail", args=[other.pk])).status_code
        == 404
    )


def test_a_blocker_is_a_case_the_department_resolves_and_the_lamp_follows(
    clock, g105, people, dept
):
    official, handler = people["city_official"], people["handler"]
    survey = stage(g105, "survey")
    actions.do_start_stage(actor=official, stage=survey, on_date=D(2025, 9, 1))
    clock(dt.datetime(2025, 9, 22, 9, 0))  # 5 working days past 15 Sep: yellow
    assert selectors.project_page(g105).lamp == Lamp.YELLOW
    blocker = actions.do_raise_blocker(
        actor=official, stage=survey, department=dept, title="红线内林地未完成调整"
    )
    case = blocker.case
    assert (case.status, case.department_id) == (Status.DISPATCHED, dept.pk)
    assert case.resolve_by is not None
    with pytest.raises(ValidationError, match="还有未解决的卡点"):
        actions.do_complete_stage(actor=official, stage=survey)
    actions.do_supervise_blocker(actor=official, blocker=blocker)
    case.refresh_from_db()
    assert case.supervised
    page = selectors.project_page(g105)
    assert [b.pk for b in page.blockers] == [blocker.pk]
    for action in (Action.CLAIM, Action.START):
        case_actions.do_transition(case, action, actor=handler)
        case.refresh_from_db()
    case_actions.do_transition(case, Action.RESOLVE, actor=handler, note="林地调整已批复")
    assert selectors.project_page(g105).blockers == []
    actions.do_complete_stage(actor=official, stage=survey)
    page = selectors.project_page(g105)
    assert page.lamp == Lamp.GREEN  # the late stage is done; the next one is not yet due
    assert page.stages[0].lamp == Lamp.YELLOW and page.stages[0].late == 5


def test_the_board_counts_lamps_in_the_database(clock, city, people):
    official = people["city_official"]
    register(official, city["wuning"], "A", name="甲", start=D(2025, 6, 2))
    register(official, city["xiushui"], "B", name="乙", start=D(2025, 8, 1))
    register(official, city["xiushui"], "C", name="丙", start=D(2025, 9, 1))
    clock(dt.datetime(2025, 9, 2, 9, 0))
    data = selectors.board(official, city["city"], today=D(2025, 9, 2))
    counts = {c["lamp"]: c["n"] for c in data.lamp_counts}
    # 甲's survey was due 16 Jun: red; 乙's due 15 Aug: 11 working days late, orange; 丙 green
    assert counts == {Lamp.GREEN: 1, Lamp.YELLOW: 0, Lamp.ORANGE: 1, Lamp.RED: 1}
    assert [p.code for p in data.rows] == ["A", "B", "C"]
    assert {a["name"]: a["n"] for a in data.areas} == {"武宁县": 1, "修水县": 2}
    county = selectors.board(people["xiushui_official"], city["xiushui"], today=D(2025, 9, 2))
    assert county.total == 2


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(PROJECTS.headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(code, place="360423000000", **over):
    values = {
        "code": code,
        "name": f"项目{code}",
        "level": "市重点",
        "type": "产业",
        "investment_wan": 5000,
        "owner_unit": "某公司",
        "bureau": "九江市自然资源局",
        "place": place,
        "departments": "武宁县自然资源局",
        "lng": 115.1,
        "lat": 29.2,
        "land_agricultural_mu": 10,
        "land_farmland_mu": 5,
        "land_construction_mu": 2,
        "land_unused_mu": 0,
        "start_date": "2025-09-01",
        "finish_date": "2026-12-31",
        "geometry": None,
    }
    values.update(over)
    return [values[c.field] for c in PROJECTS.columns]


def test_the_import_checks_every_row_and_writes_all_or_nothing(tmp_path, clock, people, dept):
    official = people["wuning_official"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        _xlsx(
            [
                _row("N1"),
                _row("N1", level="国家级"),
                _row("N3", place="360424000000"),
                _row("N4", land_farmland_mu=50),
            ]
        )
    )
    result = import_projects(actor=official, path=bad, name="bad.xlsx", commit=True)
    messages = [str(e) for e in result.errors]
    assert not result.committed and Project.objects.count() == 0
    assert any(m.startswith("第3行 A列（项目编号）：与第2行的项目编号重复") for m in messages)
    assert any("第3行 C列（项目级别）：未知的项目级别“国家级”" in m for m in messages)
    assert any("第4行 H列（所在区域编码）：地点不在您的管辖范围内" in m for m in messages)
    assert any("第5行 M列（其中耕地（亩））：耕地面积不能大于农用地面积" in m for m in messages)
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx([_row("N1"), _row("N2")]))
    dry = import_projects(actor=official, path=good, name="good.xlsx")
    assert (dry.rows, dry.errors, dry.committed, Project.objects.count()) == (2, [], False, 0)
    done = import_projects(actor=official, path=good, name="good.xlsx", commit=True)
    assert done.created == 2 and Project.objects.count() == 2
    assert list(Project.objects.get(code="N2").departments.all()) == [dept]
    assert Project.objects.get(code="N1").stages.count() == 6


def test_the_weekly_report_shows_changes_lamps_blockers_and_next_week(
    clock, g105, people, dept, django_capture_on_commit_callbacks
):
    official = people["city_official"]
    clock(dt.datetime(2025, 9, 17, 9, 0))  # Wednesday; survey (due 15 Sep) is late
    survey = stage(g105, "survey")
    actions.do_start_stage(actor=official, stage=survey, on_date=D(2025, 9, 15))
    actions.do_raise_blocker(actor=official, stage=survey, department=dept, title="林地调整")
    with capture_tasks() as queued, django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(PermissionDenied):
            actions.do_request_weekly(actor=people["xiushui_official"], place=g105.place)
        report = actions.do_request_weekly(actor=official, place=g105.place.parent)
    assert ("projects.weekly_report", (report.pk,), {}) in queued
    run_task("projects.weekly_report", (report.pk,))
    report = DispatchReport.objects.get(pk=report.pk)
    assert report.status == "done", report.error
    assert report.pdf.read(4) == b"%PDF"
    book = load_workbook(report.xlsx.open("rb"))
    assert [r[1] for r in book["本周变动"].iter_rows(min_row=2, values_only=True)] == [
        g105.name,
        g105.name,
    ]
    lit = list(book["亮灯项目"].iter_rows(min_row=2, values_only=True))
    assert lit[0][3] == "黄灯" and lit[0][4] == 2
    blockers = list(book["卡点"].iter_rows(min_row=2, values_only=True))
    assert blockers[0][3] == dept.name
    compare = {r[0]: r[1:] for r in book["周环比"].iter_rows(min_row=2, values_only=True)}
    assert compare["开始阶段"] == (1, 0, 1) and compare["新增卡点"] == (1, 0, 1)
    weekly = reports.weekly(official, g105.place, D(2025, 9, 10))
    assert [row[2] for row in weekly.next_week] == ["需求摸排"]  # due Mon 15 Sep


def test_over_http_the_official_moves_a_stage_and_raises_a_blocker(clock, g105, people, dept):
    client = client_as(people["city_official"])
    survey = stage(g105, "survey")
    page = client.get(reverse("projects:detail", args=[g105.pk]))
    assert page.status_code == 200 and "一次性告知材料" in page.content.decode()
    response = client.post(reverse("projects:stage_start", args=[survey.pk]), {"on_date": ""})
    assert response.status_code == 302
    refused = client.post(reverse("projects:stage_start", args=[survey.pk]), {})
    assert refused.status_code == 422 and "不能开始" in refused.content.decode()
    response = client.post(
        reverse("projects:stage_blocker", args=[survey.pk]),
        {"department": dept.pk, "title": "征地补偿款未到位"},
    )
    assert response.status_code == 302
    page = client.get(reverse("projects:detail", args=[g105.pk])).content.decode()
    assert "征地补偿款未到位" in page and dept.name in page
    board = client.get(reverse("projects:board")).content.decode()
    assert g105.name in board
    unit = client_as(people["unit"])
    assert unit.post(reverse("projects:stage_complete", args=[survey.pk])).status_code == 422
    assert unit.get(reverse("projects:detail", args=[g105.pk])).status_code == 200
    note = unit.post(
        reverse("projects:note", args=[g105.pk]),
        {"kind": "qa", "question": "补偿标准依据？", "answer": "按省定区片综合地价"},
    )
    assert note.status_code == 302 and g105.notes.count() == 1
    assert client_as(people["handler"]).get(reverse("projects:board")).status_code == 200


def test_the_last_stage_done_lands_the_project_and_records_land_supplied(clock, g105, people):
    official = people["city_official"]
    for s in g105.stages.order_by("position"):
        actions.do_start_stage(actor=official, stage=s, on_date=D(2025, 9, 1))
        actions.do_complete_stage(
            actor=official,
            stage=s,
            on_date=D(2025, 9, 1),
            land_supplied_mu=Decimal("88.5") if s.template.code == "supply" else None,
        )
    g105.refresh_from_db()
    assert (g105.status, g105.land_supplied_mu) == (ProjectStatus.LANDED, Decimal("88.50"))
    assert selectors.summary(Project.objects.all())["land_supplied_mu"] == Decimal("88.50")


def test_the_pages_follow_each_stage_and_report_state(clock, g105, people, dept):
    """The project, board and weekly pages compare statuses with the enums (issue 13): each
    state shows its own form, mark and words."""
    official = people["city_official"]
    client = client_as(official)
    url = reverse("projects:detail", args=[g105.pk])
    survey = stage(g105, "survey")
    page = client.get(url).content.decode()
    assert reverse("projects:stage_start", args=[survey.pk]) in page and "开始本阶段" in page
    assert 'name="land_supplied_mu"' not in page
    supply = None
    for s in g105.stages.select_related("template").order_by("position"):
        actions.do_start_stage(actor=official, stage=s, on_date=D(2025, 9, 1))
        if s.template.code == "supply":
            supply = s
            break
        actions.do_complete_stage(actor=official, stage=s, on_date=D(2025, 9, 1))
    assert supply is not None
    page = client.get(url).content.decode()
    assert reverse("projects:stage_complete", args=[supply.pk]) in page and "完成本阶段" in page
    assert page.count('name="land_supplied_mu"') == 1  # the active supply stage only
    assert reverse("projects:stage_start", args=[survey.pk]) not in page  # done: no form
    board = client.get(reverse("projects:board")).content.decode()
    assert board.count(' done"') == supply.position - 1
    blocker = actions.do_raise_blocker(actor=official, stage=supply, department=dept, title="林地")
    assert 'lamp-green">正常' in client.get(url).content.decode()
    clock(blocker.case.resolve_by + dt.timedelta(days=1))
    client = client_as(official)  # a new session under the moved clock (sessions last 8 h)
    assert 'lamp-red">超期' in client.get(url).content.decode()
    done = DispatchReport.objects.create(place=g105.place, week_start=D(2025, 9, 1), status="done")
    DispatchReport.objects.create(
        place=g105.place, week_start=D(2025, 9, 8), status="failed", error="磁盘已满"
    )
    DispatchReport.objects.create(place=g105.place, week_start=D(2025, 9, 15))
    weekly = client.get(f"{reverse('projects:weekly')}?place={g105.place.pk}").content.decode()
    assert "已生成" in weekly and "生成失败 磁盘已满" in weekly and "生成中" in weekly
    assert reverse("projects:weekly_file", args=[done.pk, "pdf"]) in weekly
    assert weekly.count(">PDF</a>") == 1
