"""Reads of the key projects, scoped: the city sees every county's projects, the county its
own, a project unit's account only the projects it belongs to.

Lamps are computed in the database: a stage stores the working-day numbers of its planned and
actual end (`workdays.workday_number`); today's number is one query parameter, and each
template's thresholds are columns, so "days late" and the lamp are CASE/WHEN over integers.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.scoping import get_in_scope
from apps.cases.choices import OPEN_STATUSES
from apps.places.choices import PlaceKind
from apps.places.models import SEGMENT, Place, subtree_q

from .choices import LAMP_CSS, Lamp, ProjectStatus, StageStatus
from .models import Blocker, Project, ProjectNote, ProjectStage, StageEvent
from .workdays import workday_number

OPEN_STAGE = (StageStatus.PENDING, StageStatus.ACTIVE)
BOARD_ROWS = 50


def today_number(today: dt.date | None = None) -> int:
    return workday_number(today or timezone.localdate())


def visible_projects(user: Any) -> QuerySet[Project]:
    qs = Project.objects.visible_to(user)
    if getattr(user, "role", "") == Role.PROJECT_UNIT and not user.is_superuser:
        qs = qs.filter(unit_accounts=user)
    return qs


def visible_stages(user: Any) -> QuerySet[ProjectStage]:
    return ProjectStage.objects.filter(project__in=visible_projects(user).values("pk"))


def access_project_for_user(user: Any, pk: Any) -> Project:
    return get_in_scope(visible_projects(user).select_related("place"), pk=pk)


def access_stage_for_user(user: Any, pk: Any) -> ProjectStage:
    return get_in_scope(visible_stages(user).select_related("project__place", "template"), pk=pk)


def access_blocker_for_user(user: Any, pk: Any) -> Blocker:
    projects = visible_projects(user).values("pk")
    return get_in_scope(
        Blocker.objects.filter(project__in=projects).select_related("case", "project__place"),
        pk=pk,
    )


def stage_lamp(prefix: str, today: int) -> Case:
    """The lamp of a stage (`prefix` "" on ProjectStage, "stages__" from Project): days late
    are today's working-day number (or the completion's) minus the due one."""
    end = Coalesce(F(f"{prefix}done_workday"), Value(today))
    late = end - F(f"{prefix}due_workday")
    return Case(
        When(Q(**{f"{prefix}due_workday__gte": end}), then=Value(Lamp.GREEN)),
        When(Q(**{f"{prefix}template__yellow_days__gte": late}), then=Value(Lamp.YELLOW)),
        When(Q(**{f"{prefix}template__orange_days__gte": late}), then=Value(Lamp.ORANGE)),
        default=Value(Lamp.RED),
        output_field=IntegerField(),
    )


def with_stage_lamps(stages: QuerySet[ProjectStage], today: int) -> QuerySet[Any]:
    late = Coalesce(F("done_workday"), Value(today)) - F("due_workday")
    return stages.annotate(late=late, lamp=stage_lamp("", today))


def with_project_lamps(projects: QuerySet[Project], today: int) -> QuerySet[Any]:
    """Each project's lamp (its worst open stage) and how many working days its most overdue
    open stage is late (negative: days left), as correlated subqueries over its stages."""
    open_stages = ProjectStage.objects.filter(project=OuterRef("pk"), status__in=OPEN_STAGE)
    worst = open_stages.annotate(lamp=stage_lamp("", today)).order_by("-lamp").values("lamp")
    earliest = open_stages.order_by("due_workday").values("due_workday")
    return projects.annotate(
        lamp=Coalesce(Subquery(worst[:1], output_field=IntegerField()), Value(Lamp.GREEN)),
        late=Coalesce(Value(today) - Subquery(earliest[:1], output_field=IntegerField()), Value(0)),
    )


@dataclass
class Board:
    place: Place
    today: dt.date
    lamp_counts: list[dict[str, Any]]
    stage_matrix: list[dict[str, Any]]
    areas: list[dict[str, Any]]
    rows: list[Project]
    total: int
    blockers_open: int
    filters: dict[str, str] = field(default_factory=dict)


def _lamp_cells(counts: dict[int, int]) -> list[dict[str, Any]]:
    return [
        {"lamp": lamp, "label": lamp.label, "css": LAMP_CSS[lamp], "n": counts.get(lamp, 0)}
        for lamp in Lamp
    ]


def board(
    user: Any,
    place: Place,
    *,
    today: dt.date | None = None,
    lamp: str = "",
    level: str = "",
    limit: int = BOARD_ROWS,
    base: QuerySet[Project] | None = None,
) -> Board:
    """The lamp board of `place` (inside the user's scope): projects by lamp, open stages by
    template and lamp, areas below by lamp, and the worst projects first."""
    day = today or timezone.localdate()
    n = workday_number(day)
    visible = visible_projects(user) if base is None else base
    projects = visible.filter(subtree_q(place), status=ProjectStatus.ACTIVE)
    if level:
        projects = projects.filter(level=level)
    lamped = with_project_lamps(projects, n)
    counts = {
        int(k): v
        for k, v in lamped.values("lamp")
        .annotate(c=Count("id"))
        .values_list("lamp", "c")
        .order_by()
    }
    stages = with_stage_lamps(
        ProjectStage.objects.filter(project__in=projects.values("pk"), status__in=OPEN_STAGE), n
    )
    matrix: dict[tuple[int, str], dict[int, int]] = {}
    for row in (
        stages.values("template__position", "template__name", "lamp")
        .annotate(c=Count("id"))
        .order_by()
    ):
        key = (row["template__position"], row["template__name"])
        matrix.setdefault(key, {})[int(row["lamp"])] = row["c"]
    stage_matrix = [
        {"name": name, "cells": _lamp_cells(cells)} for (_, name), cells in sorted(matrix.items())
    ]
    areas = _areas(lamped, place)
    rows = lamped
    if lamp != "" and lamp.isdigit():
        rows = rows.filter(lamp=int(lamp))
    page = list(
        rows.select_related("place")
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=with_stage_lamps(
                    ProjectStage.objects.select_related("template").order_by("position"), n
                ),
            )
        )
        .order_by("-lamp", "-late", "code")[:limit]
    )
    blockers_open = Blocker.objects.filter(
        project__in=projects.values("pk"), case__status__in=OPEN_STATUSES
    ).count()
    return Board(
        place=place,
        today=day,
        lamp_counts=_lamp_cells(counts),
        stage_matrix=stage_matrix,
        areas=areas,
        rows=page,
        total=sum(counts.values()),
        blockers_open=blockers_open,
    )


def _areas(lamped: QuerySet[Any], place: Place) -> list[dict[str, Any]]:
    """Projects by lamp per area one level below `place` (per county for a city): the
    project's place path cut one segment below `place`."""
    if place.kind not in (PlaceKind.PROVINCE, PlaceKind.CITY, PlaceKind.COUNTY):
        return []
    width = len(place.path) + SEGMENT
    grouped: dict[str, dict[int, int]] = {}
    for row in (
        lamped.annotate(area=Substr("place__path", 1, width))
        .values("area", "lamp")
        .annotate(c=Count("id"))
        .order_by()
    ):
        if len(row["area"]) == width:
            grouped.setdefault(row["area"], {})[int(row["lamp"])] = row["c"]
    names = dict(Place.objects.filter(path__in=grouped).values_list("path", "name"))
    return [
        {"name": names.get(path, path), "cells": _lamp_cells(cells), "n": sum(cells.values())}
        for path, cells in sorted(grouped.items())
    ]


@dataclass
class ProjectPage:
    project: Project
    lamp: int
    stages: list[ProjectStage]
    events: list[StageEvent]
    blockers: list[Blocker]
    notes: list[ProjectNote]


def project_page(project: Project, *, today: dt.date | None = None) -> ProjectPage:
    n = today_number(today)
    stages = list(
        with_stage_lamps(project.stages.select_related("template", "owner").order_by("position"), n)
    )
    open_lamps = [s.lamp for s in stages if s.status in OPEN_STAGE]  # type: ignore[attr-defined]
    events = list(
        StageEvent.objects.filter(stage__project=project)
        .select_related("stage__template")
        .order_by("-at", "-id")[:100]
    )
    blockers = list(
        project.blockers.filter(case__status__in=OPEN_STATUSES)
        .select_related("case", "department", "stage__template", "escalated_to")
        .order_by("case__resolve_by")
    )
    notes = list(project.notes.select_related("recorded_by")[:50])
    return ProjectPage(
        project, max(open_lamps, default=Lamp.GREEN), stages, events, blockers, notes
    )


def summary(projects: QuerySet[Project], today: dt.date | None = None) -> dict[str, Any]:
    """The figures of the indicators: projects by lamp, stages on time, land supplied,
    blockers open / resolved / overdue."""
    n = today_number(today)
    now = timezone.now()
    stages = ProjectStage.objects.filter(project__in=projects.values("pk"))
    done = stages.filter(status=StageStatus.DONE)
    on_time = done.filter(done_workday__lte=F("due_workday")).count()
    done_count = done.count()
    blockers = Blocker.objects.filter(project__in=projects.values("pk"))
    counts = dict(
        with_project_lamps(projects.filter(status=ProjectStatus.ACTIVE), n)
        .values("lamp")
        .annotate(c=Count("id"))
        .values_list("lamp", "c")
        .order_by()
    )
    return {
        "projects": projects.count(),
        "lamps": {Lamp(int(k)).label: v for k, v in counts.items()},
        "stages_done": done_count,
        "stages_on_time": on_time,
        "land_supplied_mu": projects.aggregate(s=Sum("land_supplied_mu"))["s"] or 0,
        "blockers_open": blockers.filter(case__status__in=OPEN_STATUSES).count(),
        "blockers_overdue": blockers.filter(
            case__status__in=OPEN_STATUSES, case__resolve_by__lt=now
        ).count(),
        "blockers_resolved": blockers.exclude(case__status__in=OPEN_STATUSES).count(),
    }
