"""Reads of visits: my tasks, a household's screen, cycles and coverage (不漏一户)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apps.accounts.scoping import get_in_scope
from apps.cases.models import Case
from apps.people.choices import Relation
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q
from apps.places.selectors import ancestor_ids

from .choices import OPEN_TASK_STATUSES, TaskStatus
from .filters import VisitTaskFilter
from .models import Rectification, VisitCycle, VisitPlan, VisitTask, VisitTaskEvent


def visible_tasks(user: Any) -> QuerySet[VisitTask]:
    """Tasks on places inside the user's scope, and the user's own tasks."""
    qs = VisitTask.objects.visible_to(user)
    if getattr(user, "person_id", None):
        qs |= VisitTask.objects.filter(assignee_id=user.person_id)
    return qs


def access_task_for_user(user: Any, pk: Any) -> VisitTask:
    return get_in_scope(
        visible_tasks(user).select_related("plan", "cycle", "place", "assignee"), pk=pk
    )


def my_tasks(
    user: Any, filters: VisitTaskFilter | None = None, today: dt.date | None = None
) -> QuerySet[VisitTask]:
    """The signed-in person's tasks whose window has not closed, highest priority first."""
    if not getattr(user, "person_id", None):
        return VisitTask.objects.none()
    today = today or timezone.localdate()
    qs = VisitTask.objects.filter(assignee_id=user.person_id, window_end__gte=today)
    qs = filters.filter(qs) if filters else qs.filter(status__in=OPEN_TASK_STATUSES)
    return qs.select_related("plan", "place__parent__parent__parent").order_by(
        "occurrence", "-priority", "place__path"
    )


@dataclass
class BuildingGroup:
    place: Place | None
    tasks: list[VisitTask] = field(default_factory=list)

    @property
    def top_priority(self) -> int:
        return max(t.priority for t in self.tasks)


def building_of(place: Place) -> Place | None:
    """The building a household lies in (through its unit), else its parent."""
    for above in (place.parent, place.parent.parent if place.parent else None):
        if above is not None and above.kind == PlaceKind.BUILDING:
            return above
    return place.parent


def group_by_building(tasks: list[VisitTask]) -> list[BuildingGroup]:
    """Tasks grouped by building, the group with the most urgent household first."""
    groups: dict[int | None, BuildingGroup] = {}
    for task in tasks:
        building = building_of(task.place)
        key = building.pk if building else None
        groups.setdefault(key, BuildingGroup(building)).tasks.append(task)
    for group in groups.values():
        group.tasks.sort(key=lambda t: (-t.priority, t.place.path))
    return sorted(groups.values(), key=lambda g: -g.top_priority)


# Levels of the short address of a household, from the household up (小区 · 楼栋 · 单元 · 室).
ADDRESS_KINDS = (PlaceKind.UNIT, PlaceKind.BUILDING, PlaceKind.COMPOUND)


def short_address(place: Place) -> str:
    """ "幸福小区 · 1栋 · 1单元 · 201室": the place with its unit, building and compound (those
    present), so that two "201室" of two buildings never look alike. Needs the three parents
    loaded (`my_tasks` selects them)."""
    parts = [place.name]
    above = place.parent
    while above is not None and above.kind in ADDRESS_KINDS:
        parts.append(above.name)
        if above.kind == PlaceKind.COMPOUND:
            break  # the top of the address: its parent (a grid) is not loaded
        above = above.parent
    return " · ".join(reversed(parts))


@dataclass
class HouseholdRow:
    """One household (or place) on 今日任务: the task to open, its address, the head of the
    household and why it is 重点 (the residents' care tags, its open cases)."""

    task: VisitTask
    address: str
    head: str = ""
    care_tags: list[str] = field(default_factory=list)
    open_cases: int = 0

    @property
    def place(self) -> Place:
        return self.task.place

    @property
    def priority(self) -> int:
        return self.task.priority


@dataclass
class RowGroup:
    """The households of one building (or of one place above them), most urgent first."""

    place: Place | None
    rows: list[HouseholdRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return short_address(self.place) if self.place is not None else "其他"

    @property
    def top_priority(self) -> int:
        return max(r.priority for r in self.rows)


@dataclass
class TodayTasks:
    """今日任务: the households of the cycles open today (one row each) and, under their own
    heading, those of the next cycles whose window is already announced."""

    current: list[RowGroup]
    upcoming: list[RowGroup]

    @staticmethod
    def _count(groups: list[RowGroup]) -> int:
        return len({r.task.place_id for g in groups for r in g.rows})

    @property
    def households(self) -> int:
        return self._count(self.current)

    @property
    def upcoming_households(self) -> int:
        return self._count(self.upcoming)


def _rows(tasks: list[VisitTask]) -> list[HouseholdRow]:
    """One row per (place, kind of task): the earliest open task of it; the residents' care
    tags and the head of the household in one query, the open cases in a second."""
    first: dict[tuple[int, str], VisitTask] = {}
    for task in tasks:
        first.setdefault((task.place_id, task.kind), task)
    place_ids = {key[0] for key in first}
    heads: dict[int, str] = {}
    tags: dict[int, list[str]] = {}
    for person in household_people(place_ids):
        if person.relation == Relation.HEAD and person.place_id not in heads:
            heads[person.place_id] = person.name
        for tag in person.care_tags.all():
            if tag.active and tag.name not in tags.setdefault(person.place_id, []):
                tags[person.place_id].append(tag.name)
    cases = dict(
        Case.objects.open()
        .filter(place_id__in=place_ids)
        .values("place_id")
        .annotate(n=Count("pk"))
        .values_list("place_id", "n")
    )
    return [
        HouseholdRow(
            task,
            short_address(task.place),
            heads.get(task.place_id, ""),
            tags.get(task.place_id, []),
            cases.get(task.place_id, 0),
        )
        for task in first.values()
    ]


def household_people(place_ids: set[int]) -> QuerySet[Person]:
    return (
        Person.objects.filter(place_id__in=place_ids, active=True)
        .prefetch_related("care_tags")
        .order_by("place_id", "id")
    )


def _group(rows: list[HouseholdRow]) -> list[RowGroup]:
    groups: dict[int | None, RowGroup] = {}
    for row in rows:
        building = building_of(row.place) if row.place.kind == PlaceKind.HOUSEHOLD else None
        key = building.pk if building else None
        groups.setdefault(key, RowGroup(building)).rows.append(row)
    for group in groups.values():
        group.rows.sort(key=lambda r: (-r.priority, r.place.path))
    return sorted(groups.values(), key=lambda g: (-g.top_priority, g.title))


def today_tasks(user: Any, today: dt.date | None = None) -> TodayTasks:
    """The signed-in person's open tasks: the cycles whose window is open today, one row per
    household, then the cycles still to come under their own heading (a household of this
    week's round and of next week's appears once in each part, never twice in one)."""
    today = today or timezone.localdate()
    tasks = list(my_tasks(user, today=today))
    now = [t for t in tasks if t.occurrence <= today]
    later = [t for t in tasks if t.occurrence > today]
    return TodayTasks(_group(_rows(now)), _group(_rows(later)))


def household_members(place: Place) -> QuerySet[Person]:
    return Person.objects.filter(place=place, active=True).prefetch_related("care_tags")


def open_cases(place: Place) -> QuerySet[Case]:
    return Case.objects.open().filter(place=place).select_related("category").order_by("-id")


def visible_plans(user: Any) -> QuerySet[VisitPlan]:
    """Plans whose scope lies inside the user's scope or above it (a town plan is seen, for
    its own area, by a community)."""
    qs = VisitPlan.objects.visible_to(user)
    if getattr(user, "scope", None) is not None:
        qs |= VisitPlan.objects.filter(scope_id__in=ancestor_ids(user.scope))
    return qs.select_related("scope")


def access_cycle_for_user(user: Any, pk: Any) -> VisitCycle:
    plans = visible_plans(user)
    return get_in_scope(
        VisitCycle.objects.filter(plan__in=plans).select_related("plan__scope"), pk=pk
    )


def cycles_of(plan: VisitPlan, limit: int = 24) -> QuerySet[VisitCycle]:
    return plan.cycles.order_by("-occurrence")[:limit]


@dataclass
class AssigneeRow:
    assignee_id: int
    name: str
    due: int
    done: int
    unreachable: int
    missed: int
    target: int

    @property
    def percent(self) -> float:
        return round(100 * self.done / self.due, 1) if self.due else 100.0

    @property
    def below_target(self) -> bool:
        return self.percent < self.target


@dataclass
class CycleCoverage:
    cycle: VisitCycle
    area: Place
    targets: int
    due: int
    visited: int
    assignees: list[AssigneeRow]

    @property
    def no_holder(self) -> int:
        return self.targets - self.due

    @property
    def not_visited(self) -> int:
        return self.due - self.visited

    @property
    def percent(self) -> float | None:
        return round(100 * self.visited / self.due, 1) if self.due else None


def _targets(cycle: VisitCycle, area: Place) -> QuerySet[Place]:
    return Place.objects.subtree(area).filter(kind__in=cycle.plan.target_kinds())


def _tasks_on_outer(cycle: VisitCycle) -> QuerySet[VisitTask]:
    return VisitTask.objects.filter(cycle=cycle, place=OuterRef("pk"))


def cycle_coverage(cycle: VisitCycle, area: Place) -> CycleCoverage:
    """Households (or places) of `area`: in all, due this cycle (someone holds them) and
    visited (a task done): one aggregate query; per assignee: a second one."""
    tasks = _tasks_on_outer(cycle)
    figures = _targets(cycle, area).aggregate(
        targets=Count("pk"),
        due=Count("pk", filter=Q(Exists(tasks))),
        visited=Count("pk", filter=Q(Exists(tasks.filter(status=TaskStatus.DONE)))),
    )
    rows = (
        VisitTask.objects.filter(cycle=cycle)
        .filter(subtree_q(area))
        .values("assignee_id", "assignee__name", "assignee__name_initials")
        .annotate(
            due=Count("pk"),
            done=Count("pk", filter=Q(status=TaskStatus.DONE)),
            unreachable=Count("pk", filter=Q(status=TaskStatus.UNREACHABLE)),
            missed=Count("pk", filter=Q(status=TaskStatus.MISSED)),
        )
        .order_by("assignee__name_initials", "assignee_id")
    )
    target = cycle.plan.target_percent
    assignees = [
        AssigneeRow(
            r["assignee_id"],
            r["assignee__name"],
            r["due"],
            r["done"],
            r["unreachable"],
            r["missed"],
            target,
        )
        for r in rows
    ]
    return CycleCoverage(
        cycle, area, figures["targets"], figures["due"], figures["visited"], assignees
    )


def not_visited(cycle: VisitCycle, area: Place) -> QuerySet[Place]:
    """Held this cycle, but no task of it done (unreachable and missed included)."""
    tasks = _tasks_on_outer(cycle)
    return (
        _targets(cycle, area)
        .filter(Exists(tasks), ~Exists(tasks.filter(status=TaskStatus.DONE)))
        .select_related("parent__parent")
        .order_by("path")
    )


def without_holder(cycle: VisitCycle, area: Place) -> QuerySet[Place]:
    """Nobody holds them this cycle: no task at all (NOT EXISTS)."""
    return (
        _targets(cycle, area)
        .filter(~Exists(_tasks_on_outer(cycle)))
        .select_related("parent__parent")
        .order_by("path")
    )


def tasks_in_area(user: Any, cycle: VisitCycle, area: Place) -> QuerySet[VisitTask]:
    return VisitTask.objects.visible_to(user).filter(cycle=cycle).filter(subtree_q(area))


# --- timeliness, comparison of cycles, export ---------------------------------------------


@dataclass
class Timeliness:
    on_time: int
    closed: int

    @property
    def rate(self) -> float | None:
        return round(self.on_time / self.closed, 4) if self.closed else None


def timeliness(tasks: QuerySet[VisitTask], today: dt.date | None = None) -> Timeliness:
    """按时走访率 from the task state history: of the tasks that are settled (done, missed, or
    whose window has closed), the share with a move to `done` dated no later than the window's last
    day. One query."""
    today = today or timezone.localdate()
    on_time_event = VisitTaskEvent.objects.filter(
        task=OuterRef("pk"), to_status=TaskStatus.DONE, at__date__lte=OuterRef("window_end")
    )
    figures = tasks.aggregate(
        closed=Count(
            "pk",
            filter=Q(status__in=(TaskStatus.DONE, TaskStatus.MISSED)) | Q(window_end__lt=today),
        ),
        on_time=Count("pk", filter=Q(Exists(on_time_event))),
    )
    return Timeliness(figures["on_time"], figures["closed"])


@dataclass
class CycleRow:
    cycle: VisitCycle
    due: int
    visited: int
    unreachable: int
    missed: int

    @property
    def not_visited(self) -> int:
        return self.due - self.visited

    @property
    def percent(self) -> float | None:
        return round(100 * self.visited / self.due, 1) if self.due else None


def cycle_comparison(plan: VisitPlan, area: Place, last: int = 8) -> list[CycleRow]:
    """The last `last` cycles of a plan for an area, oldest first: households (or places) due,
    visited (a task done), and tasks unreachable / missed. One grouped query over the tasks of
    those cycles."""
    cycles = list(plan.cycles.order_by("-occurrence")[:last])
    in_area = subtree_q(area)
    rows: dict[int, Any] = {
        r["cycle_id"]: r
        for r in VisitTask.objects.filter(cycle__in=cycles)
        .filter(in_area)
        .values("cycle_id")
        .annotate(
            due=Count("place_id", distinct=True),
            visited=Count("place_id", distinct=True, filter=Q(status=TaskStatus.DONE)),
            unreachable=Count("pk", filter=Q(status=TaskStatus.UNREACHABLE)),
            missed=Count("pk", filter=Q(status=TaskStatus.MISSED)),
        )
        .order_by()
    }
    out = []
    for cycle in reversed(cycles):
        r = rows.get(cycle.pk, {})
        out.append(
            CycleRow(
                cycle,
                r.get("due", 0),
                r.get("visited", 0),
                r.get("unreachable", 0),
                r.get("missed", 0),
            )
        )
    return out


def place_label(place: Place) -> str:
    """楼栋 单元 户 (the two levels above a household, as on the coverage page)."""
    parts = [p.name for p in (place.parent.parent if place.parent else None, place.parent) if p]
    return " ".join([*parts, place.name])


def tasks_by_place(cycle: VisitCycle, places: list[Place]) -> dict[int, list[VisitTask]]:
    found: dict[int, list[VisitTask]] = {}
    for task in (
        VisitTask.objects.filter(cycle=cycle, place__in=places)
        .select_related("assignee")
        .order_by("place_id", "assignee_id")
    ):
        found.setdefault(task.place_id, []).append(task)
    return found


def rectifications_in(user: Any, area: Place) -> QuerySet[Rectification]:
    return (
        Rectification.objects.visible_to(user)
        .filter(subtree_q(area))
        .select_related("case", "place")
    )


def plans_with_last_cycle(user: Any) -> QuerySet[VisitPlan]:
    last = VisitCycle.objects.filter(plan=OuterRef("pk")).order_by("-occurrence")
    return (
        visible_plans(user)
        .annotate(
            last_occurrence=Subquery(last.values("occurrence")[:1]),
            last_tasks=Subquery(last.values("task_count")[:1]),
        )
        .order_by("scope__path", "name")
    )
