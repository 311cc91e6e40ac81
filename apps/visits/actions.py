"""Writes of visits: plans, cycle generation, visit records, needs found, and the monitor."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.constants import OnConflict
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.scoping import place_in_scope
from apps.cases.actions import do_create_case
from apps.cases.choices import CaseKind, CaseSource
from apps.cases.models import Case, Category
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.duties.models import Duty
from apps.people.models import CareTag, Person
from apps.places.models import SEGMENT, Place, subtree_q
from apps.places.selectors import ancestor_ids, count_subquery

from .choices import (
    OPEN_CASE_WEIGHT,
    OPEN_TASK_STATUSES,
    TASK_TRANSITIONS,
    TaskStatus,
)
from .models import VisitCycle, VisitPlan, VisitRecord, VisitTask, VisitTaskEvent
from .recurrence import is_occurrence, next_occurrence, window_end

# Staff who may record a visit for someone else inside their scope.
RECORDING_STAFF = {Role.ADMIN, Role.TOWN_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER}
BATCH = 2000
PG_ROWS = 1000  # 11 parameters a row: well below PostgreSQL's 65 535


@transaction.atomic
def do_create_plan(*, actor: Any, **fields: Any) -> VisitPlan:
    plan = VisitPlan(**fields)
    if actor is not None and not place_in_scope(actor, plan.scope):
        raise PermissionDenied("该范围不在您的管辖范围内")
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, verb=AuditVerb.CREATE, obj=plan, changes={"rule": plan.rule})
    return plan


def _priorities(plan: VisitPlan) -> list[tuple[int, str, int]]:
    """(id, path, priority) of every target of the plan: one query, where priority is the
    care-tag weight of the active residents plus OPEN_CASE_WEIGHT per open case."""
    tags = CareTag.objects.filter(people__place=OuterRef("pk"), people__active=True, active=True)
    care = Subquery(
        tags.order_by().values("people__place").annotate(s=Sum("weight")).values("s"),
        output_field=IntegerField(),
    )
    cases = count_subquery(Case.objects.open().filter(place=OuterRef("pk")))
    rows = (
        Place.objects.subtree(plan.scope)
        .filter(kind__in=plan.target_kinds())
        .annotate(care_weight=Coalesce(care, Value(0)), open_cases=cases)
        .values_list("pk", "path", "care_weight", "open_cases")
    )
    return [(pk, path, care + OPEN_CASE_WEIGHT * n) for pk, path, care, n in rows]


def _holders(plan: VisitPlan, on: dt.date) -> dict[int, list[tuple[int, int]]]:
    """place id → [(duty id, person id)] of the current duties of the plan's kinds held inside
    the scope or on a place above it (a grid worker of the whole grid)."""
    duties = (
        Duty.objects.current(on)
        .filter(kind__in=plan.duty_kinds)
        .filter(subtree_q(plan.scope) | Q(place_id__in=ancestor_ids(plan.scope)))
        .order_by("id")
        .values_list("pk", "person_id", "place_id")
    )
    holders: dict[int, list[tuple[int, int]]] = {}
    for duty_id, person_id, place_id in duties:
        holders.setdefault(place_id, []).append((duty_id, person_id))
    return holders


@transaction.atomic
def do_generate_cycle(
    plan: VisitPlan, occurrence: dt.date, *, actor: Any = None
) -> tuple[VisitCycle, int]:
    """Create the cycle of `occurrence` and its tasks: one per target per current duty holder
    (a person holding two duties over one household gets one task). Idempotent: a second run
    creates nothing new (unique plan+occurrence+place+assignee, ignore_conflicts)."""
    if not is_occurrence(plan.rule, plan.start_date, occurrence):
        raise ValidationError({"occurrence": f"{occurrence:%Y-%m-%d} 不是该计划的走访日"})
    cycle, _ = VisitCycle.objects.get_or_create(
        plan=plan,
        occurrence=occurrence,
        defaults={"window_end": window_end(occurrence, plan.window_days)},
    )
    cycle = VisitCycle.objects.select_for_update().get(pk=cycle.pk)
    before = cycle.task_count
    holders = _holders(plan, occurrence)
    rows = []
    for place_id, path, priority in _priorities(plan):
        seen: set[int] = set()
        for ancestor in ancestor_ids_of(path):
            for duty_id, person_id in holders.get(ancestor, ()):
                if person_id not in seen:
                    seen.add(person_id)
                    rows.append((place_id, person_id, duty_id, priority))
    _insert_tasks(cycle, rows)
    cycle.task_count = VisitTask.objects.filter(cycle=cycle).count()
    cycle.save(update_fields=["task_count"])
    created = cycle.task_count - before
    if created:
        audit.record(
            actor=actor or "系统",
            verb=AuditVerb.CREATE,
            obj=cycle,
            changes={"tasks": created, "occurrence": occurrence},
        )
    return cycle, created


TASK_COLUMNS = (
    "plan_id",
    "cycle_id",
    "occurrence",
    "window_end",
    "status",
    "created_at",
    "reason",
    "place_id",
    "assignee_id",
    "duty_id",
    "priority",
)


def _insert_tasks(cycle: VisitCycle, rows: list[tuple[int, int, int, int]]) -> None:
    """INSERT … ON CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite) of plain tuples: the unique
    constraint makes it idempotent, and it skips bulk_create's per-object work (10 000 tasks:
    0.5 s instead of 17 s on SQLite)."""
    ops = connection.ops
    table = ops.quote_name(VisitTask._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in TASK_COLUMNS)
    marks = "(" + ", ".join(["%s"] * len(TASK_COLUMNS)) + ")"
    suffix = ops.on_conflict_suffix_sql([], OnConflict.IGNORE, [], [])
    head = f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} ({columns}) VALUES"
    fixed = (
        cycle.plan_id,
        cycle.pk,
        ops.adapt_datefield_value(cycle.occurrence),
        ops.adapt_datefield_value(cycle.window_end),
        TaskStatus.PLANNED.value,
        ops.adapt_datetimefield_value(timezone.now()),
        "",
    )
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # SQLite: executemany of a prepared one-row insert
            cursor.executemany(f"{head} {marks} {suffix}", [fixed + row for row in rows])
            return
        for start in range(0, len(rows), PG_ROWS):  # PostgreSQL: multi-row VALUES
            chunk = rows[start : start + PG_ROWS]
            params = [value for row in chunk for value in fixed + row]
            cursor.execute(f"{head} {', '.join([marks] * len(chunk))} {suffix}", params)


def ancestor_ids_of(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT]) for i in range(0, len(path), SEGMENT)]


def generate_due_cycles(today: dt.date | None = None) -> int:
    """For every active plan, generate the next occurrence on or after today (only that one)."""
    today = today or timezone.localdate()
    created = 0
    for plan in VisitPlan.objects.filter(active=True, start_date__lte=today).select_related(
        "scope"
    ):
        occurrence = next_occurrence(plan.rule, plan.start_date, today)
        if occurrence is not None:
            created += do_generate_cycle(plan, occurrence)[1]
    return created


def _bulk_move(qs: Any, to: str, note: str) -> int:
    """Move every task of `qs` to `to` with a compare-and-set per source state, one event each."""
    moved = 0
    for source in {s for s, targets in TASK_TRANSITIONS.items() if to in targets}:
        ids = list(qs.filter(status=source).values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            with transaction.atomic():
                locked = list(
                    VisitTask.objects.select_for_update(skip_locked=True)
                    .filter(pk__in=chunk, status=source)
                    .values_list("pk", flat=True)
                )
                VisitTask.objects.filter(pk__in=locked, status=source).update(status=to)
                VisitTaskEvent.objects.bulk_create(
                    VisitTaskEvent(task_id=pk, from_status=source, to_status=to, note=note)
                    for pk in locked
                )
            moved += len(locked)
    return moved


def advance_tasks(today: dt.date | None = None) -> tuple[int, int]:
    """The monitor: open the window of planned tasks (→ due) and close it (→ missed) for
    every open task past its window. Returns (due, missed)."""
    today = today or timezone.localdate()
    due = _bulk_move(
        VisitTask.objects.filter(occurrence__lte=today, window_end__gte=today),
        TaskStatus.DUE,
        "走访日已到",
    )
    missed = _bulk_move(
        VisitTask.objects.filter(window_end__lt=today), TaskStatus.MISSED, "超过走访时限"
    )
    return due, missed


def _check_may_record(task: VisitTask, actor: Any) -> None:
    if actor.person_id is not None and actor.person_id == task.assignee_id:
        return
    if (actor.is_superuser or actor.role in RECORDING_STAFF) and place_in_scope(actor, task.place):
        return
    raise PermissionDenied("只有走访责任人或本辖区工作人员可以登记走访")


def _move(task: VisitTask, to: str, *, actor: Any, note: str = "") -> None:
    if to not in TASK_TRANSITIONS[task.status]:
        raise ValidationError(
            f"该任务当前状态为“{task.get_status_display()}”，不能登记为“{TaskStatus(to).label}”"
        )
    VisitTaskEvent.objects.create(
        task=task, from_status=task.status, to_status=to, actor=actor, note=note[:200]
    )
    task.status = to


def _lock(task: VisitTask) -> VisitTask:
    locked = VisitTask.objects.select_for_update().select_related("place").get(pk=task.pk)
    if locked.window_end < timezone.localdate() and locked.status in OPEN_TASK_STATUSES:
        raise ValidationError("该任务已超过走访时限，不能再登记")
    return locked


@transaction.atomic
def do_record_visit(
    task: VisitTask,
    *,
    actor: Any,
    answers: dict[str, bool] | None = None,
    notes: str = "",
    visited_at: dt.datetime | None = None,
    lng: float | None = None,
    lat: float | None = None,
) -> VisitRecord:
    """The visit happened: record it and mark the task done."""
    _check_may_record(task, actor)
    task = _lock(task)
    items = set(task.plan.checklist_items())
    answers = {k: bool(v) for k, v in (answers or {}).items()}
    unknown = set(answers) - items
    if unknown:
        raise ValidationError({"answers": f"清单中没有：{'、'.join(sorted(unknown))}"})
    if (lng is None) != (lat is None):
        raise ValidationError({"lng": "经纬度应同时填写"})
    now = timezone.now()
    _move(task, TaskStatus.DONE, actor=actor)
    record = VisitRecord.objects.create(
        task=task,
        visitor=actor,
        visited_at=visited_at or now,
        answers=answers,
        notes=notes,
        lng=lng,
        lat=lat,
    )
    task.done_at = record.visited_at
    task.save(update_fields=["status", "done_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=task,
        changes={"status": TaskStatus.DONE, "answers": answers},
    )
    return record


@transaction.atomic
def do_record_unreachable(task: VisitTask, *, actor: Any, reason: str) -> VisitRecord:
    """未能入户: recorded with its reason; the task stays open (not done) until a later visit
    or the end of the window."""
    _check_may_record(task, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写未能入户的原因"})
    task = _lock(task)
    _move(task, TaskStatus.UNREACHABLE, actor=actor, note=reason)
    record = VisitRecord.objects.create(
        task=task, visitor=actor, visited_at=timezone.now(), reached=False, reason=reason[:200]
    )
    task.reason = reason[:200]
    task.save(update_fields=["status", "reason"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=task,
        changes={"status": TaskStatus.UNREACHABLE, "reason": reason},
    )
    return record


def do_report_need(
    task: VisitTask,
    *,
    actor: Any,
    category: Category | None,
    title: str,
    description: str = "",
) -> Case:
    """登记诉求: a need found on the visit becomes a case (source = visit) on the household."""
    _check_may_record(task, actor)
    with transaction.atomic():
        case, _ = do_create_case(
            actor=actor,
            category=category,
            place=task.place,
            title=title,
            description=description,
            kind=CaseKind.NEED,
            source=CaseSource.VISIT,
            persons=Person.objects.filter(place=task.place, active=True),
            attributes={"visit_task": task.pk},
        )
        task.cases.add(case)
    return case
