"""Key-project figures for the overview, map and briefings: projects by lamp and by stage,
stages done on time, mean working days per stage, land supplied (亩), blockers open /
resolved / overdue — registered with the stats registry like every app's indicators."""

from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse

from apps.accounts.permissions import Cap, has_role_for
from apps.cases.choices import OPEN_STATUSES
from apps.places.models import subtree_q
from apps.stats.indicators import Indicator, Scope, register

from .choices import Lamp, ProjectStatus, StageStatus
from .models import Blocker, Project, ProjectStage, StageTemplate
from .selectors import today_number, with_project_lamps
from .workdays import workday_number


def _projects(s: Scope) -> QuerySet[Project]:
    return Project.objects.filter(subtree_q(s.place))


def _done(s: Scope) -> QuerySet[ProjectStage]:
    return ProjectStage.objects.filter(
        subtree_q(s.place, "project__place"),
        status=StageStatus.DONE,
        actual_end__gte=s.date_from,
        actual_end__lte=s.date_to,
    )


def _by_lamp(s: Scope) -> list[dict[str, Any]]:
    counts = dict(
        with_project_lamps(
            _projects(s).filter(status=ProjectStatus.ACTIVE), today_number(s.now.date())
        )
        .values("lamp")
        .annotate(n=Count("id"))
        .values_list("lamp", "n")
        .order_by()
    )
    return [
        {"code": str(lamp.value), "name": lamp.label, "n": counts.get(lamp, 0)} for lamp in Lamp
    ]


def _by_stage(s: Scope) -> list[dict[str, Any]]:
    """Projects in progress by their current stage: the first (by position) not yet done —
    one GROUP BY over a subquery, not a loop over the projects."""
    current = (
        ProjectStage.objects.filter(project=OuterRef("pk"))
        .exclude(status=StageStatus.DONE)
        .order_by("position")
        .values("template_id")[:1]
    )
    counts = dict(
        _projects(s)
        .filter(status=ProjectStatus.ACTIVE)
        .annotate(stage=Subquery(current))
        .values("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
        .order_by()
    )
    templates = StageTemplate.objects.filter(Q(active=True) | Q(pk__in=list(counts)))
    return [
        {"code": t.code, "name": t.name, "n": counts.get(t.pk, 0)}
        for t in templates.order_by("position")
    ]


def _on_time(s: Scope) -> float | None:
    done = _done(s)
    total = done.count()
    return done.filter(done_workday__lte=F("due_workday")).count() / total if total else None


def _mean_workdays(s: Scope) -> float | None:
    rows: list[tuple[Any, Any]] = list(
        _done(s)
        .filter(actual_start__isnull=False, done_workday__isnull=False)
        .values_list("actual_start", "done_workday")
    )
    if not rows:
        return None
    return round(sum(done - workday_number(start) for start, done in rows) / len(rows), 1)


def _blockers(s: Scope) -> QuerySet[Blocker]:
    return Blocker.objects.filter(subtree_q(s.place, "project__place"))


def _board(s: Scope) -> str:
    """The lamp board, for those who may open it (a grid worker's overview shows the figure
    without a link to a page that would refuse them)."""
    if not has_role_for(s.user, Cap.PROJECTS_VIEW):
        return ""
    return f"{reverse('projects:board')}?place={s.place.pk}"


PROJECT = "projects.Project"
register(
    Indicator(
        "projects_by_lamp",
        "重点项目亮灯",
        "区域内推进中的重点项目按最差在办阶段的灯色计数（逾期工作日：黄灯至模板黄灯上限，橙灯至橙灯上限，超出为红灯）。",
        "个",
        PROJECT,
        _by_lamp,
        periodic=False,
        link=_board,
        shape="breakdown",
    ),
    Indicator(
        "projects_by_stage",
        "重点项目所处阶段",
        "区域内推进中的重点项目按当前阶段（按顺序第一个未完成的阶段）计数。",
        "个",
        PROJECT,
        _by_stage,
        periodic=False,
        link=_board,
        shape="breakdown",
    ),
    Indicator(
        "projects_stages_on_time",
        "项目阶段按期完成率",
        "统计期内完成的项目阶段中，在计划完成日（工作日）当天或之前完成的比例。",
        "%",
        "projects.ProjectStage",
        _on_time,
        link=_board,
        shape="rate",
    ),
    Indicator(
        "projects_stage_mean_workdays",
        "项目阶段平均用时",
        "统计期内完成的项目阶段，从实际开始到实际完成的平均工作日数（节假日不计，调休上班日计）。",
        "工作日",
        "projects.ProjectStage",
        _mean_workdays,
        link=_board,
        higher_is_better=False,
    ),
    Indicator(
        "projects_land_supplied_mu",
        "重点项目已供地面积",
        "区域内重点项目登记的已供应土地面积合计。",
        "亩",
        PROJECT,
        lambda s: float(_projects(s).aggregate(t=Sum("land_supplied_mu"))["t"] or 0),
        periodic=False,
        link=_board,
    ),
    Indicator(
        "projects_blockers_open",
        "未解决的项目卡点",
        "区域内重点项目登记的卡点中，对应事项尚未办结的件数。",
        "件",
        "projects.Blocker",
        lambda s: _blockers(s).filter(case__status__in=OPEN_STATUSES).count(),
        periodic=False,
        link=_board,
        higher_is_better=False,
    ),
    Indicator(
        "projects_blockers_overdue",
        "超期未解决的项目卡点",
        "未办结且已过办结时限的卡点件数。",
        "件",
        "projects.Blocker",
        lambda s: (
            _blockers(s).filter(case__status__in=OPEN_STATUSES, case__resolve_by__lt=s.now).count()
        ),
        periodic=False,
        link=_board,
        higher_is_better=False,
    ),
    Indicator(
        "projects_blockers_resolved",
        "已解决的项目卡点",
        "统计期内办结的项目卡点件数（按事项办结日期）。",
        "件",
        "projects.Blocker",
        lambda s: (
            _blockers(s)
            .filter(
                case__resolved_at__date__gte=s.date_from, case__resolved_at__date__lte=s.date_to
            )
            .count()
        ),
        link=_board,
    ),
    programme="重点项目",
)
