"""Every change to a key project: atomic, role and scope checked, audited; stage moves append
to the stage's history; blockers become cases through the case engine."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.cases import actions as case_actions
from apps.cases.choices import OPEN_STATUSES, Action, CaseKind, CaseSource
from apps.cases.models import Category
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.tasks import enqueue
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import DispatchReportStatus, NoteKind, ProjectStatus, StageEventKind, StageStatus
from .models import (
    Blocker,
    DispatchReport,
    Project,
    ProjectNote,
    ProjectStage,
    StageEvent,
    StageTemplate,
)
from .workdays import due_date, workday_number

BLOCKER_CATEGORY = "project-blocker"
PROJECT_PLACE_KINDS = (PlaceKind.PROVINCE, PlaceKind.CITY, PlaceKind.COUNTY, PlaceKind.TOWN)
PROJECT_FIELDS = (
    "code",
    "name",
    "level",
    "type",
    "investment_wan",
    "owner_unit",
    "bureau",
    "lng",
    "lat",
    "geometry",
    "land_agricultural_mu",
    "land_farmland_mu",
    "land_construction_mu",
    "land_unused_mu",
    "start_date",
    "finish_date",
)


# The actor of what a periodic job records (the history's and the audit's label).
SYSTEM = "系统"


def _label(actor: User | str) -> str:
    if isinstance(actor, str):
        return actor
    return getattr(actor, "display_name", "") or getattr(actor, "username", "") or "系统"


def plan_stages(
    start: dt.date, templates: Sequence[StageTemplate]
) -> list[tuple[StageTemplate, dt.date, dt.date]]:
    """The planned (start, end) of each template's stage from the project's start: a stage
    starts the working day after the one before it ends, or with it when `parallel`."""
    plan: list[tuple[StageTemplate, dt.date, dt.date]] = []
    previous: tuple[dt.date, dt.date] | None = None
    for template in templates:
        if previous is None:
            begin = due_date(start, 0)
        elif template.parallel:
            begin = previous[0]
        else:
            begin = due_date(previous[1], 1)
        end = due_date(begin, template.sla_workdays)
        plan.append((template, begin, end))
        previous = (begin, end)
    return plan


def stage_rows(project: Project, templates: Sequence[StageTemplate]) -> list[ProjectStage]:
    return [
        ProjectStage(
            project=project,
            template=template,
            position=template.position,
            planned_start=begin,
            planned_end=end,
            due_workday=workday_number(end),
        )
        for template, begin, end in plan_stages(project.start_date, templates)
    ]


def _check_place(place: Place | None) -> None:
    if place is None or place.kind not in PROJECT_PLACE_KINDS:
        raise ValidationError({"place": "项目所在区域应为省、市、县区或乡镇街道"})


def _departments(ids: Iterable[Any]) -> list[Organisation]:
    wanted = {int(i) for i in ids}
    found = list(Organisation.objects.filter(pk__in=wanted, kind=OrgKind.DEPARTMENT))
    if len(found) != len(wanted):
        raise ValidationError({"departments": "责任部门不存在或不是职能部门"})
    return found


@transaction.atomic
def do_register_project(
    *, actor: User, place: Place, departments: Iterable[Any] = (), **fields: Any
) -> Project:
    """Register a project and lay out its stages from the active templates."""
    _check_place(place)
    require(actor, Cap.PROJECTS_MANAGE, place, what="登记重点项目")
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError(f"不能填写字段：{', '.join(sorted(unknown))}")
    project = Project(place=place, **fields)
    project.full_clean(exclude=["departments", "unit_accounts"])
    project.save()
    project.departments.set(_departments(departments))
    templates = list(StageTemplate.objects.filter(active=True).order_by("position"))
    ProjectStage.objects.bulk_create(stage_rows(project, templates))
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=project,
        changes={"code": project.code, "name": project.name, "stages": len(templates)},
    )
    return project


def _locked_stage(stage: ProjectStage, actor: User, cap: Cap, what: str) -> ProjectStage:
    locked = (
        ProjectStage.objects.select_for_update(of=("self",))
        .select_related("project__place", "template")
        .get(pk=stage.pk)
    )
    require(actor, cap, locked.project.place, what=what)
    return locked


def _event(
    stage: ProjectStage,
    kind: str,
    *,
    actor: User | str,
    on_date: dt.date,
    from_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> StageEvent:
    event = StageEvent(
        stage=stage,
        kind=kind,
        on_date=on_date,
        at=timezone.now(),
        actor=actor if isinstance(actor, User) and actor.is_authenticated else None,
        actor_label=_label(actor),
        from_status=from_status,
        to_status=stage.status,
        data=data or {},
        note=note[:500],
    )
    event.save(force_insert=True)
    return event


def _audit_stage(actor: User, stage: ProjectStage, changes: dict[str, Any]) -> None:
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=stage,
        object_repr=str(stage),
        scope_path=stage.project.place.path,
        changes=changes,
    )


def _not_future(on_date: dt.date) -> None:
    if on_date > timezone.localdate():
        raise ValidationError({"on_date": "日期不能晚于今天"})


def start_error(stage: ProjectStage) -> str | None:
    """Why the stage cannot start yet: the stages before it must be done, except that a
    parallel stage may start as soon as the one before it has started."""
    if stage.status != StageStatus.PENDING:
        return f"该阶段当前为“{StageStatus(stage.status).label}”，不能开始"
    before = list(
        ProjectStage.objects.filter(project_id=stage.project_id, position__lt=stage.position)
        .order_by("position")
        .values_list("status", "template__name")
    )
    if not before:
        return None
    *earlier, (last_status, last_name) = before
    waiting = [name for status, name in earlier if status != StageStatus.DONE]
    if stage.template.parallel:
        if last_status == StageStatus.PENDING:
            waiting.append(last_name)
    elif last_status != StageStatus.DONE:
        waiting.append(last_name)
    if waiting:
        return f"请先完成前序阶段：{'、'.join(waiting)}"
    return None


@transaction.atomic
def do_start_stage(
    *, actor: User, stage: ProjectStage, on_date: dt.date | None = None, note: str = ""
) -> ProjectStage:
    stage = _locked_stage(stage, actor, Cap.PROJECTS_ADVANCE, "开始项目阶段")
    on_date = on_date or timezone.localdate()
    _not_future(on_date)
    reason = start_error(stage)
    if reason:
        raise ValidationError(reason)
    before = stage.status
    stage.status, stage.actual_start = StageStatus.ACTIVE, on_date
    stage.save(update_fields=["status", "actual_start", "updated_at"])
    _event(stage, StageEventKind.START, actor=actor, on_date=on_date, from_status=before, note=note)
    _audit_stage(actor, stage, {"status": [before, stage.status], "actual_start": str(on_date)})
    return stage


@transaction.atomic
def do_complete_stage(
    *,
    actor: User,
    stage: ProjectStage,
    on_date: dt.date | None = None,
    note: str = "",
    land_supplied_mu: Decimal | None = None,
) -> ProjectStage:
    """Finish a stage on `on_date`; the land supplied is recorded when the supply stage ends;
    the project has landed when its last stage is done."""
    stage = _locked_stage(stage, actor, Cap.PROJECTS_ADVANCE, "完成项目阶段")
    on_date = on_date or timezone.localdate()
    _not_future(on_date)
    if stage.status != StageStatus.ACTIVE:
        raise ValidationError(f"该阶段当前为“{StageStatus(stage.status).label}”，不能完成")
    if stage.actual_start and on_date < stage.actual_start:
        raise ValidationError({"on_date": "完成日期不能早于开始日期"})
    if Blocker.objects.filter(stage=stage, case__status__in=OPEN_STATUSES).exists():
        raise ValidationError("该阶段还有未解决的卡点，不能完成")
    before = stage.status
    stage.status, stage.actual_end = StageStatus.DONE, on_date
    stage.done_workday = workday_number(on_date)
    stage.save(update_fields=["status", "actual_end", "done_workday", "updated_at"])
    data: dict[str, Any] = {"late_workdays": stage.done_workday - stage.due_workday}
    project = Project.objects.select_for_update().get(pk=stage.project_id)
    if land_supplied_mu is not None:
        if land_supplied_mu < 0:
            raise ValidationError({"land_supplied_mu": "供地面积不能为负数"})
        project.land_supplied_mu = land_supplied_mu
        project.save(update_fields=["land_supplied_mu", "updated_at"])
        data["land_supplied_mu"] = str(land_supplied_mu)
    _event(
        stage,
        StageEventKind.COMPLETE,
        actor=actor,
        on_date=on_date,
        from_status=before,
        note=note,
        data=data,
    )
    if not project.stages.exclude(status=StageStatus.DONE).exists():
        project.status = ProjectStatus.LANDED
        project.save(update_fields=["status", "updated_at"])
    _audit_stage(actor, stage, {"status": [before, stage.status], **data})
    return stage


@transaction.atomic
def do_assign_stage(
    *, actor: User, stage: ProjectStage, owner_name: str, team: str = "", owner: Any = None
) -> ProjectStage:
    """Name the stage's owner (专人) and team (专班)."""
    stage = _locked_stage(stage, actor, Cap.PROJECTS_ADVANCE, "指定阶段责任人")
    owner_name = owner_name.strip()
    if not owner_name:
        raise ValidationError({"owner_name": "请填写责任人"})
    changes = {"owner_name": [stage.owner_name, owner_name], "team": [stage.team, team.strip()]}
    stage.owner_name, stage.team, stage.owner = owner_name[:40], team.strip()[:200], owner
    stage.save(update_fields=["owner_name", "team", "owner", "updated_at"])
    _event(
        stage,
        StageEventKind.ASSIGN,
        actor=actor,
        on_date=timezone.localdate(),
        data={"owner_name": stage.owner_name, "team": stage.team},
    )
    _audit_stage(actor, stage, changes)
    return stage


@transaction.atomic
def do_replan_stage(
    *, actor: User, stage: ProjectStage, planned_end: dt.date, note: str
) -> ProjectStage:
    """Move a stage's planned end (a decision of the 调度 meeting); the reason is required and
    the old date stays in the history."""
    stage = _locked_stage(stage, actor, Cap.PROJECTS_ADVANCE, "调整阶段计划")
    if stage.status == StageStatus.DONE:
        raise ValidationError("已完成的阶段不能调整计划")
    if not note.strip():
        raise ValidationError({"note": "请说明调整原因"})
    if planned_end < stage.planned_start:
        raise ValidationError({"planned_end": "计划完成日期不能早于计划开始日期"})
    old = stage.planned_end
    stage.planned_end, stage.due_workday = planned_end, workday_number(planned_end)
    stage.save(update_fields=["planned_end", "due_workday", "updated_at"])
    _event(
        stage,
        StageEventKind.PLAN,
        actor=actor,
        on_date=timezone.localdate(),
        note=note,
        data={"planned_end": [str(old), str(planned_end)]},
    )
    _audit_stage(actor, stage, {"planned_end": [str(old), str(planned_end)]})
    return stage


def blocker_category() -> Category:
    category = Category.objects.filter(code=BLOCKER_CATEGORY).first()
    if category is None:
        raise ValidationError("事项目录中没有“重点项目卡点”类别，请先运行数据库迁移")
    return category


@transaction.atomic
def do_raise_blocker(
    *,
    actor: User,
    stage: ProjectStage,
    department: Organisation,
    title: str,
    description: str = "",
) -> Blocker:
    """A 卡点 on a stage: a case registered, accepted and dispatched to the department through
    the case engine (its deadline, escalation and 督办 are the engine's)."""
    stage = _locked_stage(stage, actor, Cap.PROJECTS_RAISE_BLOCKER, "登记卡点")
    if stage.status == StageStatus.DONE:
        raise ValidationError("已完成的阶段不能登记卡点")
    if department is None or department.kind != OrgKind.DEPARTMENT:
        raise ValidationError({"department": "请选择责任部门"})
    if not title.strip():
        raise ValidationError({"title": "请填写卡点问题"})
    project = stage.project
    case, _ = case_actions.do_create_case(
        actor=actor,
        category=blocker_category(),
        place=project.place,
        title=f"【{project.name}·{stage.template.name}】{title.strip()}"[:100],
        description=description,
        kind=CaseKind.EVENT,
        source=CaseSource.MEETING,
        lng=project.lng,
        lat=project.lat,
        attributes={},
    )
    case = case_actions.do_transition(case, Action.ACCEPT, actor=actor)
    case = case_actions.do_transition(
        case, Action.DISPATCH, actor=actor, data={"department": department.pk}, note=title
    )
    blocker = Blocker.objects.create(
        stage=stage, project=project, case=case, department=department, raised_by=actor
    )
    _event(
        stage,
        StageEventKind.BLOCKER,
        actor=actor,
        on_date=timezone.localdate(),
        note=title,
        data={"case": case.number, "department": department.name},
    )
    _audit_stage(actor, stage, {"blocker": case.number, "department": department.name})
    return blocker


def do_supervise_blocker(*, actor: User, blocker: Blocker, note: str = "") -> Blocker:
    """督办 through the engine (the official holds cases.supervise in the project's area)."""
    case_actions.do_transition(blocker.case, Action.SUPERVISE, actor=actor, note=note)
    return blocker


@transaction.atomic
def do_record_note(
    *,
    actor: User,
    project: Project,
    kind: str,
    question: str,
    answer: str,
    on_date: dt.date | None = None,
) -> ProjectNote:
    require(actor, Cap.PROJECTS_RECORD_NOTE, project.place, what="登记答疑记录")
    if kind not in NoteKind.values:
        raise ValidationError({"kind": "请选择记录类型"})
    if not question.strip() or not answer.strip():
        raise ValidationError({"answer": "问题和答复都要填写"})
    note = ProjectNote.objects.create(
        project=project,
        kind=kind,
        question=question.strip()[:300],
        answer=answer.strip(),
        on_date=on_date or timezone.localdate(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=note,
        object_repr=f"{project.name}·{note.get_kind_display()}",
        scope_path=project.place.path,
        changes={"kind": kind, "question": note.question},
    )
    return note


def escalation_target(place: Place) -> Place:
    """Where an overdue blocker of a project at `place` is reported: the level above the
    project's county (its city, or province); a county at the root of its tree itself."""
    base = place.ancestor_of_kind(PlaceKind.COUNTY) or place
    parent = base.parent
    return parent if parent is not None else base


def escalate_overdue_blockers(now: dt.datetime | None = None) -> int:
    """Open blockers past their case's time limit are reported, once, to the 专班 of the level
    above the project's county: an event in the stage's history, a notice to that level's
    project officials, an audit record. The case engine's levels end at the county (its
    monitor moves town cases up to it), so a department's overdue 卡点 climbs here instead.
    Returns how many were reported."""
    from apps.accounts.choices import Role
    from apps.notifications.choices import NotificationKind
    from apps.notifications.services import notify

    now = now or timezone.now()
    due = list(
        Blocker.objects.filter(
            escalated_at__isnull=True,
            case__status__in=OPEN_STATUSES,
            case__resolve_by__lt=now,
        )
        .order_by("id")
        .values_list("pk", flat=True)[:500]
    )
    reported = 0
    for pk in due:
        with transaction.atomic():
            blocker = (
                Blocker.objects.select_for_update(of=("self",))
                .select_related("case", "stage__template", "project__place", "department")
                .get(pk=pk)
            )
            if blocker.escalated_at is not None:
                continue  # another worker reported it
            target = escalation_target(blocker.project.place)
            blocker.escalated_at, blocker.escalated_to = now, target
            blocker.save(update_fields=["escalated_at", "escalated_to", "updated_at"])
            case, stage = blocker.case, blocker.stage
            note = (
                f"{case.number}超过办结时限未解决（{blocker.department.name}），"
                f"已上报{target.name}重点项目专班"
            )
            _event(
                stage,
                StageEventKind.ESCALATE,
                actor=SYSTEM,
                on_date=timezone.localdate(now),
                note=note,
                data={"case": case.number, "to": target.code or target.name},
            )
            officials = User.objects.filter(
                role=Role.PROJECT_OFFICIAL, scope=target, is_active=True
            ).values_list("pk", flat=True)
            notify(
                list(officials),
                f"重点项目卡点超期：{blocker.project.name}",
                f"{stage.template.name}阶段的卡点{note}，请督办",
                kind=NotificationKind.CASE_ESCALATED,
                url=f"/projects/{blocker.project_id}/",
                obj=case,
            )
            audit.record(
                actor=SYSTEM,
                verb=AuditVerb.UPDATE,
                obj=blocker,
                changes={"escalated_to": target.name, "case": case.number},
            )
        reported += 1
    return reported


@transaction.atomic
def do_update_template(*, actor: User, template: StageTemplate, **data: Any) -> StageTemplate:
    """Change a stage template (SLA, thresholds, materials, owner role, parallel flag). The
    SLA applies to projects registered afterwards; the thresholds to every lamp at once."""
    require(actor, Cap.PROJECTS_MANAGE, what="修改阶段模板")
    allowed = {"sla_workdays", "yellow_days", "orange_days", "materials", "owner_role", "parallel"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(f"不能修改字段：{', '.join(sorted(unknown))}")
    template = StageTemplate.objects.select_for_update().get(pk=template.pk)
    changes = audit.changed_fields(template, data)
    for name, value in data.items():
        setattr(template, name, value)
    if template.orange_days < template.yellow_days:
        raise ValidationError({"orange_days": "橙灯上限不能小于黄灯上限"})
    template.full_clean()
    template.save()
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=template, changes=changes)
    return template


@transaction.atomic
def do_request_weekly(*, actor: User, place: Place) -> DispatchReport:
    """Ask for this week's 调度 report of `place`; a task generates it after the commit."""
    require(actor, Cap.PROJECTS_VIEW, place, what="生成调度周报")
    today = timezone.localdate()
    report = DispatchReport.objects.create(
        place=place, week_start=today - dt.timedelta(days=today.weekday()), requested_by=actor
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.EXPORT,
        obj=report,
        object_repr=f"{place.name}调度周报 {report.week_start}",
        changes={"week_start": str(report.week_start)},
    )
    transaction.on_commit(lambda: enqueue("projects.weekly_report", report.pk))
    return report


def generate_weekly(report_id: int) -> DispatchReport:
    """Build the report's files (as its requester sees the projects; all of the area's for a
    scheduled one). A failure is recorded on the row, not raised into the worker."""
    from django.core.files.base import ContentFile

    from . import reports

    report = DispatchReport.objects.select_related("place", "requested_by").get(pk=report_id)
    try:
        day = min(timezone.localdate(), report.week_start + dt.timedelta(days=6))
        weekly = reports.weekly(report.requested_by, report.place, day)
        name = f"{report.place.code}-{report.week_start:%Y%m%d}"
        report.xlsx.save(f"{name}.xlsx", ContentFile(reports.workbook_bytes(weekly)), save=False)
        report.pdf.save(f"{name}.pdf", ContentFile(reports.pdf_bytes(weekly)), save=False)
        report.status, report.generated_at = DispatchReportStatus.DONE, timezone.now()
    except Exception as exc:  # recorded for the requester; the worker goes on
        report.status, report.error = DispatchReportStatus.FAILED, str(exc)[:300]
    report.save()
    return report


def schedule_weekly(now: dt.datetime | None = None) -> int:
    """On Fridays (the week's 调度 meeting) from noon: this week's report of every city and
    county with projects, once (an area that has one is skipped)."""
    local = timezone.localtime(now or timezone.now())
    if local.weekday() != 4 or local.hour < 12:
        return 0
    week_start = local.date() - dt.timedelta(days=4)
    made = 0
    areas = Place.objects.filter(kind__in=(PlaceKind.CITY, PlaceKind.COUNTY)).order_by("path")
    for area in areas:
        if not Project.objects.filter(place__path__startswith=area.path).exists():
            continue
        if DispatchReport.objects.filter(
            place=area, week_start=week_start, requested_by=None
        ).exists():
            continue
        report = DispatchReport.objects.create(place=area, week_start=week_start)
        enqueue("projects.weekly_report", report.pk)
        made += 1
    return made
