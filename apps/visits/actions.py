"""Writes of visits: plans, cycle generation, visit records and photos, needs, hazards and
disputes found (hazards with their rectification and re-inspection), and the monitor."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Length
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, has_role_for, refusal, require
from apps.cases import images
from apps.cases.actions import do_create_case, do_transition
from apps.cases.choices import HANDLING, Action, CaseKind, CaseSource
from apps.cases.errors import CaseError
from apps.cases.models import Case, Category
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.duties.models import Duty
from apps.people.models import Person
from apps.places.models import SEGMENT, Place, subtree_q
from apps.places.selectors import ancestor_ids

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


def _check_plan_actor(actor: User | None, scope: Any) -> None:
    if actor is None:
        return
    if scope is None:
        raise PermissionDenied(refusal(Cap.VISITS_PLAN, scope=has_role_for(actor, Cap.VISITS_PLAN)))
    require(actor, Cap.VISITS_PLAN, scope)


@transaction.atomic
def do_create_plan(*, actor: User, **fields: Any) -> VisitPlan:
    plan = VisitPlan(**fields)
    _check_plan_actor(actor, plan.scope if plan.scope_id else None)
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, verb=AuditVerb.CREATE, obj=plan, changes={"rule": plan.rule})
    return plan


@transaction.atomic
def do_update_plan(plan: VisitPlan, *, actor: User, **fields: Any) -> VisitPlan:
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


def _targets(plan: VisitPlan) -> Any:
    """(id, path) of the plan's targets."""
    return (
        Place.objects.subtree(plan.scope)
        .filter(kind__in=plan.target_kinds())
        .order_by()
        .values_list("pk", "path")
    )


def _care_weights(plan: VisitPlan) -> Any:
    """(place id, weight) for the targets with active residents holding active care tags: the
    sum of the tags' weights, one GROUP BY (a join the planner hashes, whatever its row
    estimates: correlated subqueries per household took 500 s on a freshly loaded county)."""
    through = Person.care_tags.through
    return (
        through.objects.filter(
            person__active=True,
            caretag__active=True,
            person__place__kind__in=plan.target_kinds(),
        )
        .filter(subtree_q(plan.scope, "person__place"))
        .values("person__place_id")
        .annotate(w=Sum("caretag__weight"))
        .order_by()
        .values_list("person__place_id", "w")  # type: ignore[misc]  # the plugin misses `w`
    )


def _open_cases(plan: VisitPlan) -> Any:
    """(place id, open cases) for the targets with open cases."""
    return (
        Case.objects.open()
        .filter(subtree_q(plan.scope))
        .values("place_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("place_id", "n")
    )


def _duties(plan: VisitPlan, on: dt.date) -> Any:
    """(id, person id, place id) of the current duties of the plan's kinds held inside the
    scope or on a place above it (a grid worker of the whole grid)."""
    return (
        Duty.objects.current(on)
        .filter(kind__in=plan.duty_kinds)
        .filter(subtree_q(plan.scope) | Q(place_id__in=ancestor_ids(plan.scope)))
        .order_by()
        .values_list("pk", "person_id", "place_id")
    )


def _depth(plan: VisitPlan) -> int:
    """Levels of the deepest target's path (0 when the plan has no target)."""
    longest = (
        Place.objects.subtree(plan.scope)
        .filter(kind__in=plan.target_kinds())
        .aggregate(n=Max(Length("path")))["n"]
    )
    return (longest or 0) // SEGMENT


@transaction.atomic
def do_generate_cycle(
    plan: VisitPlan, occurrence: dt.date, *, actor: User | None = None
) -> tuple[VisitCycle, int]:
    """Create the cycle of `occurrence` and its tasks: one per target per current duty holder
    (a person holding two duties over one household gets one task, on the duty held highest
    up the tree, the oldest of them on one place). Idempotent: a second run creates nothing
    new (unique plan+occurrence+place+assignee, ON CONFLICT DO NOTHING). `actor` None is the
    scheduler; a person needs visits.plan over the plan's scope."""
    _check_plan_actor(actor, plan.scope)
    if not is_occurrence(plan.rule, plan.start_date, occurrence):
        raise ValidationError({"occurrence": f"{occurrence:%Y-%m-%d} 不是该计划的走访日"})
    cycle, _ = VisitCycle.objects.get_or_create(
        plan=plan,
        occurrence=occurrence,
        defaults={"window_end": window_end(occurrence, plan.window_days)},
    )
    cycle = VisitCycle.objects.select_for_update().get(pk=cycle.pk)
    before = cycle.task_count
    _insert_tasks(plan, cycle)
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


def _insert_tasks(plan: VisitPlan, cycle: VisitCycle) -> int:
    """One INSERT … SELECT … ON CONFLICT DO NOTHING writes every task of the cycle; no row
    passes through Python (docs/performance.md).

    `a` lists each target's ancestors-or-self, one UNION ALL branch per level of the
    fixed-width path (the id is the level's segment: an equality join the planner hashes);
    the current duties `d` held on them give the (target, person) pairs, and ROW_NUMBER keeps
    for each pair the duty held highest up, the lowest id among several on one place — the
    choice the per-row generator made. The unique constraint on plan+occurrence+place+assignee
    makes a rerun insert only the new holders' tasks. Returns the rows inserted."""
    depth = _depth(plan)
    if not depth:
        return 0
    sql, params = _insert_sql(plan, cycle, depth)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _insert_sql(plan: VisitPlan, cycle: VisitCycle, depth: int) -> tuple[str, list[Any]]:
    ops = connection.ops
    quote = ops.quote_name
    parts = [
        _targets(plan),
        _care_weights(plan),
        _open_cases(plan),
        _duties(plan, cycle.occurrence),
    ]
    compiled = [qs.query.sql_with_params() for qs in parts]
    (x_sql, c_sql, o_sql, d_sql) = (sql for sql, _params in compiled)
    levels = " UNION ALL ".join(
        f"SELECT id, {n} AS lvl, CAST(SUBSTR(path, {(n - 1) * SEGMENT + 1}, {SEGMENT}) AS BIGINT)"
        f" AS anc FROM t WHERE LENGTH(path) >= {n * SEGMENT}"
        for n in range(1, depth + 1)
    )
    table = quote(VisitTask._meta.db_table)
    columns = ", ".join(quote(c) for c in TASK_COLUMNS)
    sql = (
        f"WITH x (id, path) AS ({x_sql}), "
        f"c (place_id, w) AS ({c_sql}), "
        f"o (place_id, n) AS ({o_sql}), "
        # One GROUP BY over the three, no join: a join of the grouped rows was planned as a
        # nested loop on SQLite (no index on `c`) and on unanalysed PostgreSQL tables.
        "t (id, path, priority) AS (SELECT id, MAX(path), SUM(w) FROM ("
        "SELECT id, path, 0 AS w FROM x "
        "UNION ALL SELECT place_id, NULL, w FROM c "
        f"UNION ALL SELECT place_id, NULL, {int(OPEN_CASE_WEIGHT)} * n FROM o"
        ") u GROUP BY id HAVING MAX(path) IS NOT NULL), "
        f"d (id, person_id, place_id) AS ({d_sql}), "
        f"a (id, lvl, anc) AS ({levels}), "
        "r (id, person_id, duty_id, lvl, rn) AS ("
        "SELECT a.id, d.person_id, d.id, a.lvl, ROW_NUMBER() OVER "
        "(PARTITION BY a.id, d.person_id ORDER BY a.lvl, d.id) "
        "FROM a INNER JOIN d ON d.place_id = a.anc) "
        f"INSERT INTO {table} ({columns}) "
        "SELECT %s, %s, %s, %s, %s, %s, %s, %s, t.id, r.person_id, r.duty_id, t.priority "
        "FROM r INNER JOIN t ON t.id = r.id WHERE r.rn = 1 "
        "ORDER BY t.path, r.lvl, r.duty_id "
        "ON CONFLICT DO NOTHING"
    )
    fixed = [
        cycle.plan_id,
        cycle.pk,
        ops.adapt_datefield_value(cycle.occurrence),
        ops.adapt_datefield_value(cycle.window_end),
        TaskStatus.PLANNED.value,
        TaskKind.ROUND.value,
        ops.adapt_datetimefield_value(timezone.now()),
        "",
    ]
    return sql, [*(p for _sql, params in compiled for p in params), *fixed]


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


def _check_may_record(task: VisitTask, actor: User) -> None:
    def assignee() -> bool:
        return actor.person_id is not None and actor.person_id == task.assignee_id

    require(actor, Cap.VISITS_RECORD, task.place, unless=assignee)


def _move(task: VisitTask, to: str, *, actor: User, note: str = "") -> None:
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
    actor: User,
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


def _add_photo(record: VisitRecord, upload: UploadedFile, *, actor: User) -> VisitPhoto:
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
def do_add_visit_photo(record: VisitRecord, upload: UploadedFile, *, actor: User) -> VisitPhoto:
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
def do_record_unreachable(
    task: VisitTask, *, actor: User, reason: str, visited_at: dt.datetime | None = None
) -> VisitRecord:
    """未能入户: recorded with its reason; the task stays open (not done) until a later visit
    or the end of the window. `visited_at`: the attempt's time when recorded offline (the
    outbox); the task shows the reason of its latest attempt, so an older attempt arriving
    late does not replace a newer one's reason."""
    _check_may_record(task, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写未能入户的原因"})
    task = _lock(task)
    _move(task, TaskStatus.UNREACHABLE, actor=actor, note=reason)
    at = visited_at or timezone.now()
    newer = VisitRecord.objects.filter(task=task, visited_at__gt=at).exists()
    record = VisitRecord.objects.create(
        task=task, visitor=actor, visited_at=at, reached=False, reason=reason[:200]
    )
    if not newer:
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
    actor: User,
    category: Category | None,
    title: str,
    description: str = "",
) -> Case:
    """发现纠纷: a dispute found on a patrol (or visit) becomes a case of kind dispute, for the
    mediation side to take up."""
    _check_may_record(task, actor)
    with transaction.atomic():
        return _task_case(
            task, actor, CaseKind.DISPUTE, _finding_source(task), category, title, description
        )


def _task_case(
    task: VisitTask,
    actor: User,
    kind: str,
    source: str,
    category: Category | None,
    title: str,
    description: str,
) -> Case:
    """A case found on the task (a need, dispute or hazard): on the task's place, naming the
    place's residents, linked to the task both ways (attributes and task.cases)."""
    case, _ = do_create_case(
        actor=actor,
        category=category,
        place=task.place,
        title=title,
        description=description,
        kind=kind,
        source=source,
        persons=Person.objects.filter(place=task.place, active=True),
        attributes={"visit_task": task.pk},
    )
    task.cases.add(case)
    return case


def _reinspection_task(
    rectification: Rectification, task: VisitTask, deadline: dt.date, actor: User
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
    actor: User,
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
    case = _task_case(
        task, actor, CaseKind.HAZARD, _finding_source(task), category, title, description
    )
    if deadline is None:
        deadline = max(timezone.localdate(case.resolve_by), today + dt.timedelta(days=1))
    rectification = Rectification.objects.create(
        case=case, place=task.place, found_on=task, deadline=deadline
    )
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
    actor: User,
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
    actor: User,
    category: Category | None,
    title: str,
    description: str = "",
) -> Case:
    """登记诉求: a need found on the visit becomes a case (source = visit) on the household."""
    _check_may_record(task, actor)
    with transaction.atomic():
        return _task_case(
            task, actor, CaseKind.NEED, CaseSource.VISIT, category, title, description
        )
