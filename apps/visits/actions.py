"""Writes of visits: plans, cycle generation, visit records and photos, needs, hazards and
disputes found (hazards with their rectification and re-inspection), and the monitor."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.constants import OnConflict
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.permissions import Cap, has_role_for, refusal, require
from apps.cases import images
from apps.cases.actions import do_create_case, do_transition
from apps.cases.choices import HANDLING, Action, CaseKind, CaseSource
from apps.cases.errors import CaseError
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
    RectificationStatus,
    TaskKind,
    TaskStatus,
    VisitKind,
)
from .models import (
    Rectification,
    VisitCycle,
    VisitPhoto,
    VisitPlan,
    VisitRecord,
    VisitTask,
    VisitTaskEvent,
)
from .recurrence import is_occurrence, next_occurrence, window_end

PLAN_FIELDS = (
    "name",
    "kind",
    "scope",
    "rule",
    "start_date",
    "duty_kinds",
    "checklist",
    "window_days",
    "target_percent",
    "active",
)
MAX_PHOTOS = 6
BATCH = 2000
PG_ROWS = 1000  # 12 parameters a row: well below PostgreSQL's 65 535


def _check_plan_actor(actor: Any, scope: Any) -> None:
    if actor is None:
        return
    if scope is None:
        raise PermissionDenied(refusal(Cap.VISITS_PLAN, scope=has_role_for(actor, Cap.VISITS_PLAN)))
    require(actor, Cap.VISITS_PLAN, scope)


@transaction.atomic
def do_create_plan(*, actor: Any, **fields: Any) -> VisitPlan:
    plan = VisitPlan(**fields)
    _check_plan_actor(actor, plan.scope if plan.scope_id else None)
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, verb=AuditVerb.CREATE, obj=plan, changes={"rule": plan.rule})
    return plan


@transaction.atomic
def do_update_plan(plan: VisitPlan, *, actor: Any, **fields: Any) -> VisitPlan:
    """Change a plan (kind, recurrence, scope, duty kinds, checklist, window, target, active).
    Cycles already generated keep their tasks; the next cycle follows the new plan."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改：{'、'.join(sorted(unknown))}")
    plan = VisitPlan.objects.select_for_update().select_related("scope").get(pk=plan.pk)
    _check_plan_actor(actor, plan.scope)
    changes = {}
    for name, value in fields.items():
        old = getattr(plan, name)
        if old != value:
            setattr(plan, name, value)
            changes[name] = [str(old), str(value)] if name == "scope" else [old, value]
    if "scope" in changes:
        _check_plan_actor(actor, plan.scope)
    plan.full_clean()
    if changes:
        plan.save()
        audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=plan, changes=changes)
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
    "kind",
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
        TaskKind.ROUND.value,
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
    def assignee() -> bool:
        return actor.person_id is not None and actor.person_id == task.assignee_id

    require(actor, Cap.VISITS_RECORD, task.place, unless=assignee)


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
    photos: list[UploadedFile] | None = None,
) -> VisitRecord:
    """The visit happened: record it (with its photos) and mark the task done."""
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
    for upload in photos or ():
        _add_photo(record, upload, actor=actor)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=task,
        changes={"status": TaskStatus.DONE, "answers": answers, "photos": len(photos or ())},
    )
    return record


def _add_photo(record: VisitRecord, upload: UploadedFile, *, actor: Any) -> VisitPhoto:
    """Check the image with the case engine's helpers (type, size, pixels) and store it with
    its JPEG thumbnail."""
    if record.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"photos": f"每次走访最多上传 {MAX_PHOTOS} 张照片"})
    try:
        content_type, width, height = images.check_image(upload)
    except CaseError as exc:
        raise ValidationError({"photos": exc.message}) from exc
    photo = VisitPhoto(
        record=record,
        content_type=content_type,
        size=upload.size or 0,
        width=width,
        height=height,
        uploaded_by=actor,
    )
    stem = f"{timezone.now():%Y%m%d%H%M%S}-{record.pk}-{record.photos.count() + 1}"
    ext = content_type.split("/")[1].replace("jpeg", "jpg")
    photo.file.save(f"{stem}.{ext}", upload, save=False)
    photo.thumbnail.save(f"{stem}-thumb.jpg", images.thumbnail(upload), save=False)
    photo.save()
    return photo


@transaction.atomic
def do_add_visit_photo(record: VisitRecord, upload: UploadedFile, *, actor: Any) -> VisitPhoto:
    """A photo added to a visit record afterwards (by whoever may record the task)."""
    record = VisitRecord.objects.select_for_update().select_related("task__place").get(pk=record.pk)
    _check_may_record(record.task, actor)
    photo = _add_photo(record, upload, actor=actor)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=photo,
        object_repr=f"{record.task.place} 走访照片",
        changes={"size": photo.size, "type": photo.content_type},
    )
    return photo


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


def _finding_source(task: VisitTask) -> str:
    return CaseSource.VISIT if task.plan.kind == VisitKind.HOUSEHOLD else CaseSource.PATROL


def do_report_dispute(
    task: VisitTask,
    *,
    actor: Any,
    category: Category | None,
    title: str,
    description: str = "",
) -> Case:
    """发现纠纷: a dispute found on a patrol (or visit) becomes a case of kind dispute, for the
    mediation side to take up."""
    _check_may_record(task, actor)
    with transaction.atomic():
        case, _ = do_create_case(
            actor=actor,
            category=category,
            place=task.place,
            title=title,
            description=description,
            kind=CaseKind.DISPUTE,
            source=_finding_source(task),
            persons=Person.objects.filter(place=task.place, active=True),
            attributes={"visit_task": task.pk},
        )
        task.cases.add(case)
    return case


def _reinspection_task(
    rectification: Rectification, task: VisitTask, deadline: dt.date, actor: Any
) -> VisitTask:
    reinspect = VisitTask.objects.create(
        plan=task.plan,
        cycle=None,
        kind=TaskKind.REINSPECT,
        rectification=rectification,
        occurrence=deadline,
        window_end=window_end(deadline, task.plan.window_days),
        place=rectification.place,
        assignee=task.assignee,
        duty=task.duty,
        priority=task.priority + OPEN_CASE_WEIGHT,
    )
    VisitTaskEvent.objects.create(
        task=reinspect,
        from_status="",
        to_status=TaskStatus.PLANNED,
        actor=actor,
        note=f"隐患复查，整改期限 {deadline:%Y-%m-%d}",
    )
    return reinspect


@transaction.atomic
def do_report_hazard(
    task: VisitTask,
    *,
    actor: Any,
    category: Category | None,
    title: str,
    description: str = "",
    deadline: dt.date | None = None,
) -> Rectification:
    """发现隐患: a hazard case (kind hazard, source patrol) on the place, a rectification with
    its deadline (the date given, else the category's resolve limit) and a re-inspection (复查)
    task on the same place, for the same person, due on that deadline."""
    _check_may_record(task, actor)
    today = timezone.localdate()
    if deadline is not None and deadline <= today:
        raise ValidationError({"deadline": "整改期限应晚于今天"})
    case, _ = do_create_case(
        actor=actor,
        category=category,
        place=task.place,
        title=title,
        description=description,
        kind=CaseKind.HAZARD,
        source=_finding_source(task),
        persons=Person.objects.filter(place=task.place, active=True),
        attributes={"visit_task": task.pk},
    )
    if deadline is None:
        deadline = max(timezone.localdate(case.resolve_by), today + dt.timedelta(days=1))
    rectification = Rectification.objects.create(
        case=case, place=task.place, found_on=task, deadline=deadline
    )
    task.cases.add(case)
    reinspect = _reinspection_task(rectification, task, deadline, actor)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=rectification,
        changes={"case": case.number, "deadline": deadline, "reinspection": reinspect.pk},
    )
    return rectification


@transaction.atomic
def do_record_reinspection(
    task: VisitTask,
    *,
    actor: Any,
    rectified: bool,
    notes: str = "",
    answers: dict[str, bool] | None = None,
    new_deadline: dt.date | None = None,
    photos: list[UploadedFile] | None = None,
) -> tuple[Rectification, bool]:
    """复查: the re-inspection is recorded like a visit (the task becomes done). 已整改: the
    rectification is closed and the hazard case is resolved through the case engine when the
    inspector is its handler (else its handler resolves it). 未整改: a new deadline (required)
    and a new re-inspection task on it; the case stays open. Returns (rectification, whether
    the case was resolved here)."""
    if task.kind != TaskKind.REINSPECT or task.rectification_id is None:
        raise ValidationError("该任务不是隐患复查任务")
    today = timezone.localdate()
    if not rectified and (new_deadline is None or new_deadline <= today):
        raise ValidationError({"new_deadline": "未整改时请填写晚于今天的新整改期限"})
    outcome = "已整改" if rectified else f"未整改，新期限 {new_deadline:%Y-%m-%d}"
    note = f"复查：{outcome}" + (f"。{notes.strip()}" if notes.strip() else "")
    do_record_visit(task, actor=actor, answers=answers, notes=note, photos=photos)
    rectification = Rectification.objects.select_for_update().get(pk=task.rectification_id)
    if rectification.status != RectificationStatus.OPEN:
        raise ValidationError("该隐患已确认整改")
    resolved = False
    if rectified:
        rectification.status = RectificationStatus.RECTIFIED
        rectification.rectified_at = timezone.now()
        rectification.save(update_fields=["status", "rectified_at", "updated_at"])
        case = Case.objects.get(pk=rectification.case_id)
        if case.status in HANDLING and case.assignee_id == actor.pk:
            try:
                with transaction.atomic():
                    do_transition(case, Action.RESOLVE, actor=actor, note=note)
                resolved = True
            except CaseError:
                resolved = False
    else:
        assert new_deadline is not None
        rectification.deadline = new_deadline
        rectification.save(update_fields=["deadline", "updated_at"])
        _reinspection_task(rectification, task, new_deadline, actor)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=rectification,
        changes={"rectified": rectified, "deadline": rectification.deadline, "resolved": resolved},
    )
    return rectification, resolved


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
