"""The weekly 调度 report of an area: stage changes this week, lamps, open blockers, next
week's deadlines and the week against the week before; as Excel (openpyxl) and PDF
(weasyprint, as the briefings)."""

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from apps.cases.choices import OPEN_STATUSES
from apps.core.cells import safe_row
from apps.places.models import Place, subtree_q

from . import selectors
from .choices import Lamp, StageEventKind, StageStatus
from .models import Blocker, Project, ProjectStage, StageEvent


@dataclass
class Weekly:
    place: Place
    week_start: dt.date
    week_end: dt.date
    lamps: dict[str, int]
    changes: list[list[Any]]
    lit: list[list[Any]]
    blockers: list[list[Any]]
    next_week: list[list[Any]]
    compare: list[list[Any]]


# The most projects one weekly report lists (a city of 2,500 projects lists all its lit ones).
REPORT_ROWS = 10_000


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def _projects(user: Any, place: Place) -> QuerySet[Project]:
    """The projects of the report: the requester's visible ones in `place`; every project in
    `place` for the scheduled report (no requester)."""
    base = Project.objects.all() if user is None else selectors.visible_projects(user)
    return base.filter(subtree_q(place))


def _week_counts(projects: QuerySet[Project], start: dt.date, end: dt.date) -> dict[str, int]:
    events = StageEvent.objects.filter(
        stage__project__in=projects.values("pk"), on_date__gte=start, on_date__lte=end
    )
    blockers = Blocker.objects.filter(project__in=projects.values("pk"))
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())
    finish = begin + dt.timedelta(days=7)
    return {
        "完成阶段": events.filter(kind=StageEventKind.COMPLETE).count(),
        "开始阶段": events.filter(kind=StageEventKind.START).count(),
        "新增卡点": blockers.filter(created_at__gte=begin, created_at__lt=finish).count(),
        "办结卡点": blockers.filter(
            case__resolved_at__gte=begin, case__resolved_at__lt=finish
        ).count(),
    }


def weekly(user: Any, place: Place, today: dt.date | None = None) -> Weekly:
    day = today or timezone.localdate()
    start, end = week_of(day)
    projects = _projects(user, place)
    # every lit project of the area (the board page shows the first BOARD_ROWS only)
    data = selectors.board(user, place, today=day, limit=REPORT_ROWS, base=projects)
    changes = [
        [
            e.on_date,
            e.stage.project.name,
            e.stage.template.name,
            StageEventKind(e.kind).label,
            e.actor_label,
            e.note,
        ]
        for e in StageEvent.objects.filter(
            stage__project__in=projects.values("pk"), on_date__gte=start, on_date__lte=end
        )
        .select_related("stage__project", "stage__template")
        .order_by("on_date", "id")
    ]
    lit = []
    for p in data.rows:
        if p.lamp == Lamp.GREEN:  # type: ignore[attr-defined]
            continue
        open_stages = [s for s in p.stages.all() if s.status != StageStatus.DONE]
        current = open_stages[0] if open_stages else None
        lit.append(
            [
                p.code,
                p.name,
                p.place.name,
                Lamp(p.lamp).label,  # type: ignore[attr-defined]
                p.late,  # type: ignore[attr-defined]
                current.template.name if current else "",
                current.owner_name if current else "",
            ]
        )
    blockers = [
        [
            b.project.name,
            b.stage.template.name,
            b.case.title,
            b.department.name,
            timezone.localtime(b.case.resolve_by).date() if b.case.resolve_by else "",
            "是" if b.case.supervised else "否",
            b.case.get_status_display(),
            f"已上报{b.escalated_to.name}" if b.escalated_to else "",
        ]
        for b in Blocker.objects.filter(
            project__in=projects.values("pk"), case__status__in=OPEN_STATUSES
        )
        .select_related("project", "stage__template", "case", "department", "escalated_to")
        .order_by("case__resolve_by")
    ]
    next_start, next_end = start + dt.timedelta(days=7), end + dt.timedelta(days=7)
    next_week = [
        [s.planned_end, s.project.name, s.template.name, s.owner_name, s.get_status_display()]
        for s in ProjectStage.objects.filter(
            project__in=projects.values("pk"),
            status__in=selectors.OPEN_STAGE,
            planned_end__gte=next_start,
            planned_end__lte=next_end,
        )
        .select_related("project", "template")
        .order_by("planned_end", "project__code")
    ]
    this = _week_counts(projects, start, end)
    last = _week_counts(projects, start - dt.timedelta(days=7), end - dt.timedelta(days=7))
    compare = [[k, this[k], last[k], this[k] - last[k]] for k in this]
    return Weekly(
        place=place,
        week_start=start,
        week_end=end,
        lamps={c["label"]: c["n"] for c in data.lamp_counts},
        changes=changes,
        lit=lit,
        blockers=blockers,
        next_week=next_week,
        compare=compare,
    )


SHEETS = (
    ("本周变动", ["日期", "项目", "阶段", "事件", "记录人", "说明"], "changes"),
    ("亮灯项目", ["编号", "项目", "区域", "灯色", "逾期工作日", "当前阶段", "责任人"], "lit"),
    (
        "卡点",
        ["项目", "阶段", "问题", "责任部门", "办结时限", "督办", "状态", "超期上报"],
        "blockers",
    ),
    ("下周到期", ["计划完成", "项目", "阶段", "责任人", "状态"], "next_week"),
    ("周环比", ["指标", "本周", "上周", "增减"], "compare"),
)


def workbook_bytes(w: Weekly) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    ws.append(safe_row([f"{w.place.name}重点项目调度周报（{w.week_start}至{w.week_end}）"]))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["灯色", "项目数"])
    for label, n in w.lamps.items():
        ws.append(safe_row([label, n]))
    for title, header, attr in SHEETS:
        sheet = wb.create_sheet(title)
        sheet.append(safe_row(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in getattr(w, attr):
            sheet.append(safe_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def weekly_workbook(user: Any, place: Place, today: dt.date | None = None) -> bytes:
    return workbook_bytes(weekly(user, place, today))


def pdf_bytes(w: Weekly) -> bytes:
    from weasyprint import HTML

    html = render_to_string("projects/weekly_pdf.html", {"w": w, "sheets": SHEETS})
    return bytes(HTML(string=html).write_pdf())
