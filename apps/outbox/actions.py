"""Accepting a record queued on a phone (issue 18, item 3; ADR 0022).

`do_accept_entry` runs the same action the online form runs (`do_record_visit`,
`do_create_case`), inside one transaction with the receipt of the entry's client UUID: the
first request with a UUID creates the record and keeps its answer; every later request with
that UUID gets the kept answer (a replay), never a second record. Refusals (a form error, a
refused permission, a conflict) roll the receipt back with the record, so a corrected entry can
be sent again under the same UUID.
"""

import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.modules import opens, refusal
from apps.cases.forms import CaseForm
from apps.cases.images import do_create_case_with_photos
from apps.visits.choices import OPEN_TASK_STATUSES
from apps.visits.forms import (
    DisputeForm,
    HazardForm,
    NeedForm,
    ReinspectionForm,
    UnreachableForm,
    VisitRecordForm,
)
from apps.visits.selectors import access_task_for_user

from .choices import EntryKind
from .models import Receipt
from .uploads import mark_attached, photos_for

# A case's capture time is believed up to this far back (a phone offline for a week).
MAX_CASE_AGE = dt.timedelta(days=7)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool = False


class Conflict(Exception):
    """The record changed on the server since the phone saw it: both versions, in Chinese."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("error", ""))
        self.body = body


class WrongUser(Exception):
    pass


def do_accept_entry(
    *,
    actor: User,
    uuid: uuidlib.UUID,
    kind: str,
    captured_at: dt.datetime,
    data: Any,
    files: Any = None,
) -> Answer:
    """Accept one queued entry once. Raises ValidationError, PermissionDenied, Http404,
    Conflict (409) or WrongUser (the UUID was sent by another account)."""
    if kind not in EntryKind.values:
        raise ValidationError({"kind": f"未知的记录类型：{kind}"})
    module = MODULES[EntryKind(kind)]
    if not opens(actor, module):  # the outbox is open to all: the record's own module is not
        raise PermissionDenied(refusal(actor, module))
    # A phone's clock may run ahead; a record is never dated after it reached the server.
    captured_at = min(captured_at, timezone.now())
    kept = Receipt.objects.filter(uuid=uuid).first()
    if kept is not None:
        return _replay(kept, actor)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    receipt = Receipt.objects.create(
                        uuid=uuid,
                        user=actor,
                        kind=kind,
                        status=0,
                        captured_at=captured_at,
                    )
            except IntegrityError:  # the same UUID arrived at the same moment and won
                raise _AlreadyKept from None
            handler = HANDLERS[EntryKind(kind)]
            status, body = handler(actor, uuid, captured_at, data, files)
            receipt.status, receipt.answer = status, body
            receipt.save(update_fields=["status", "answer"])
            return Answer(status, body)
    except _AlreadyKept:
        return _replay(Receipt.objects.get(uuid=uuid), actor)


class _AlreadyKept(Exception):
    pass


def _replay(receipt: Receipt, actor: User) -> Answer:
    if receipt.user_id != actor.pk:
        raise WrongUser
    return Answer(receipt.status, receipt.answer, replayed=True)


def _visit(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    from apps.visits.actions import do_record_visit

    task = access_task_for_user(actor, _int(data.get("outbox_target")))
    if task.status not in OPEN_TASK_STATUSES:
        theirs = task.records.select_related("visitor").order_by("-visited_at").first()
        raise Conflict(
            {
                "error": f"{task.place.name}的走访任务已是“{task.get_status_display()}”"
                "（您离线期间已有人登记），本条未保存",
                "conflict": True,
                "mine": {
                    "visited_at": timezone.localtime(captured_at).isoformat(),
                    "notes": data.get("notes", ""),
                    "base": data.get("outbox_base", ""),
                },
                "theirs": {
                    "status": task.get_status_display(),
                    "visited_at": timezone.localtime(theirs.visited_at).isoformat()
                    if theirs
                    else None,
                    "visitor": str(theirs.visitor) if theirs else "",
                    "notes": theirs.notes if theirs else "",
                },
                "url": reverse("visits:task", args=[task.pk]),
            }
        )
    form = VisitRecordForm(data, files, checklist=task.plan.checklist_items())
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    photos, uploaded = _photos(actor, uuid, data, form.cleaned_data["photos"])
    record = do_record_visit(
        task,
        actor=actor,
        answers=form.answers(),
        notes=form.cleaned_data["notes"],
        visited_at=captured_at,
        lng=form.cleaned_data["lng"],
        lat=form.cleaned_data["lat"],
        photos=photos,
    )
    mark_attached(uuid, uploaded)
    return 201, {
        "message": f"已登记走访：{task.place.name}",
        "id": record.pk,
        "url": reverse("visits:today"),
    }


def _case(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    form = CaseForm(data, files, user=actor)
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    direct = form.cleaned_data.get("photo")
    photos, uploaded = _photos(actor, uuid, data, [direct] if direct else [])
    fields = {**form.action_kwargs(), "idempotency_key": f"outbox:{uuid}"}
    case, created = do_create_case_with_photos(actor, fields, photos)
    if created:
        date_case(case, captured_at)
    mark_attached(uuid, uploaded)
    return 201, {
        "message": f"已登记 {case.number}",
        "id": case.pk,
        "url": reverse("cases:detail", args=[case.pk]),
    }


def _need(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    """登记诉求 on a visit's page (the household's need), dated by the phone's time."""
    from apps.visits.actions import do_report_need

    task = access_task_for_user(actor, _int(data.get("outbox_target")))
    form = NeedForm(data)
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    case = do_report_need(task, actor=actor, **form.cleaned_data)
    date_case(case, captured_at)
    return 201, {
        "message": f"诉求已登记：{case.number}",
        "id": case.pk,
        "url": reverse("visits:task", args=[task.pk]),
    }


def _hazard(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    """发现隐患 on a patrol/inspection (or visit) task: the hazard case dated by the phone."""
    from apps.visits.actions import do_report_hazard

    task = access_task_for_user(actor, _int(data.get("outbox_target")))
    form = HazardForm(data, prefix="hazard")
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    found = do_report_hazard(task, actor=actor, **form.cleaned_data)
    date_case(found.case, captured_at)
    return 201, {
        "message": f"隐患已登记：{found.case.number}，整改期限 {found.deadline:%m月%d日}，届时复查",
        "id": found.case.pk,
        "url": reverse("visits:task", args=[task.pk]),
    }


def _reinspect(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    """复查 recorded offline: the re-inspection (a visit record of the task) keeps the time the
    phone recorded it, and its photos arrive with it."""
    from apps.visits.actions import do_record_reinspection
    from apps.visits.models import VisitRecord

    task = access_task_for_user(actor, _int(data.get("outbox_target")))
    if task.status not in OPEN_TASK_STATUSES:
        raise Conflict(
            {
                "error": f"{task.place.name}的复查任务已是“{task.get_status_display()}”"
                "（您离线期间已有人登记），本条未保存",
                "conflict": True,
                "mine": {
                    "visited_at": timezone.localtime(captured_at).isoformat(),
                    "notes": data.get("notes", ""),
                    "base": data.get("outbox_base", ""),
                },
                "theirs": {"status": task.get_status_display()},
                "url": reverse("visits:task", args=[task.pk]),
            }
        )
    form = ReinspectionForm(data, files)
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    fields = dict(form.cleaned_data)
    photos, uploaded = _photos(actor, uuid, data, fields.pop("photos", []) or [])
    rectification, resolved = do_record_reinspection(task, actor=actor, photos=photos, **fields)
    record = VisitRecord.objects.filter(task=task, visitor=actor).order_by("-pk").first()
    if record is not None:
        VisitRecord.objects.filter(pk=record.pk).update(visited_at=captured_at)
        type(task).objects.filter(pk=task.pk).update(done_at=captured_at)
    mark_attached(uuid, uploaded)
    return 201, {
        "message": (
            f"复查：已整改{'，事项已办结' if resolved else '，请承办人办结事项'}"
            if fields["rectified"]
            else f"复查：未整改，新期限 {rectification.deadline:%m月%d日}"
        ),
        "id": record.pk if record else None,
        "url": reverse("visits:today"),
    }


def _unreachable(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    """未能入户 recorded offline: the attempt keeps the phone's time (within `MAX_CASE_AGE`,
    as an errand step; an older time is a wrong clock and the server's time is kept). A task
    visited or closed (逾期未访) meanwhile is a conflict (409) with both versions; another
    未能入户 meanwhile is not (both attempts happened; online a second one is allowed too)."""
    from apps.visits.actions import do_record_unreachable
    from apps.visits.models import VisitTask

    task = access_task_for_user(actor, _int(data.get("outbox_target")))
    # the task as it is now, held until the end (a visit arriving at the same moment waits)
    task = VisitTask.objects.select_for_update().get(pk=task.pk)
    if task.status not in OPEN_TASK_STATUSES:
        theirs = task.records.select_related("visitor").order_by("-visited_at", "-pk").first()
        raise Conflict(
            {
                "error": f"{task.place.name}的走访任务已是“{task.get_status_display()}”"
                "（您离线期间），未能入户未保存",
                "conflict": True,
                "mine": {
                    "visited_at": timezone.localtime(captured_at).isoformat(),
                    "notes": data.get("reason", ""),
                    "base": data.get("outbox_base", ""),
                },
                "theirs": {
                    "status": task.get_status_display(),
                    "visited_at": timezone.localtime(theirs.visited_at).isoformat()
                    if theirs
                    else None,
                    "visitor": str(theirs.visitor) if theirs else "",
                    "notes": (theirs.notes or theirs.reason) if theirs else "",
                },
                "url": reverse("visits:task", args=[task.pk]),
            }
        )
    form = UnreachableForm(data)
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    believed = timezone.now() - captured_at <= MAX_CASE_AGE
    record = do_record_unreachable(
        task,
        actor=actor,
        reason=form.cleaned_data["reason"],
        visited_at=captured_at if believed else None,
    )
    return 201, {
        "message": f"已记录未能入户：{task.place.name}（不计为已走访）",
        "id": record.pk,
        "url": reverse("visits:today"),
    }


def _dispute(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    """发现纠纷 on a visit (or patrol) recorded offline: the dispute case, for mediation, dated
    by the phone like every case from the outbox. As 登记诉求 and 发现隐患, whatever the task's
    status (a dispute found is registered even if the task was visited meanwhile)."""
    from apps.visits.actions import do_report_dispute

    task = access_task_for_user(actor, _int(data.get("outbox_target")))
    form = DisputeForm(data, prefix="dispute")
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    case = do_report_dispute(task, actor=actor, **form.cleaned_data)
    date_case(case, captured_at)
    return 201, {
        "message": f"纠纷已登记：{case.number}",
        "id": case.pk,
        "url": reverse("visits:task", args=[task.pk]),
    }


def _care(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    """登记联系 of a care pairing (关爱联系); a need with a title becomes a case, dated by the
    phone like every case from the outbox."""
    from apps.care.actions import do_record_contact
    from apps.care.forms import ContactForm
    from apps.care.selectors import access_pairing_for_user

    pairing = access_pairing_for_user(actor, _int(data.get("outbox_target")))
    form = ContactForm(data)
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    contact = do_record_contact(pairing, actor=actor, **form.cleaned_data)
    text = f"已登记{contact.get_kind_display()}：{pairing.person.name}"
    for case in contact.cases.all():
        date_case(case, captured_at)
        text += f"，需求已登记为事项 {case.number}"
    return 201, {
        "message": text,
        "id": contact.pk,
        "url": reverse("care:pairing", args=[pairing.pk]),
    }


def _errand(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    """办完 an errand step (陪办帮办) recorded offline: the step is done at the phone's time
    (within `MAX_CASE_AGE`, like a case). A step marked done meanwhile, or an errand closed
    meanwhile, is a conflict (409) with both versions."""
    from apps.cases.choices import OPEN_STATUSES
    from apps.errands.actions import do_complete_step
    from apps.errands.choices import StepStatus
    from apps.errands.forms import CompleteStepForm
    from apps.errands.selectors import access_step_for_user

    step = access_step_for_user(actor, _int(data.get("outbox_target")))
    case = step.case
    url = reverse("errands:detail", args=[case.pk])
    mine = {
        "visited_at": timezone.localtime(captured_at).isoformat(),
        "notes": data.get("note", ""),
        "base": data.get("outbox_base", ""),
    }
    if step.status == StepStatus.DONE:
        raise Conflict(
            {
                "error": f"{case.number} 的步骤“{step.name}”已由 {step.done_by or '他人'} "
                "登记为已办（您离线期间），本条未保存",
                "conflict": True,
                "mine": mine,
                "theirs": {
                    "status": step.get_status_display(),
                    "visited_at": timezone.localtime(step.done_at).isoformat()
                    if step.done_at
                    else None,
                    "visitor": str(step.done_by or ""),
                    "notes": step.note,
                },
                "url": url,
            }
        )
    if case.status not in OPEN_STATUSES:
        raise Conflict(
            {
                "error": f"{case.number} 已是“{case.get_status_display()}”"
                "（您离线期间），不能再登记步骤，本条未保存",
                "conflict": True,
                "mine": mine,
                "theirs": {"status": case.get_status_display()},
                "url": url,
            }
        )
    form = CompleteStepForm(data)
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    believed = timezone.now() - captured_at <= MAX_CASE_AGE
    done = do_complete_step(
        step,
        actor=actor,
        note=form.cleaned_data["note"],
        done_at=captured_at if believed else None,
    )
    return 201, {"message": f"已完成：{done.name}", "id": done.pk, "url": url}


def _forest_event(
    actor: User, uuid: uuidlib.UUID, captured_at: dt.datetime, data: Any, files: Any
) -> tuple[int, dict[str, Any]]:
    """上报事件 on a forest patrol recorded offline: the event's case (routed to the zone's
    chiefs and rangers like the online form's) dated by the phone, its position the fix at
    the tap, its photo sent in chunks beforehand."""
    from django.shortcuts import get_object_or_404

    from apps.forestry.actions import do_report_event
    from apps.forestry.choices import EventKind
    from apps.forestry.forms import EventForm
    from apps.forestry.selectors import patrols

    patrol = get_object_or_404(patrols(actor), pk=_int(data.get("outbox_target")))
    form = EventForm(data, files)
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    fields = form.cleaned_data
    photos, uploaded = _photos(actor, uuid, data, [fields["photo"]] if fields["photo"] else [])
    if len(photos) > 1:
        raise ValidationError({"photo": "每次上报只能带一张现场照片"})
    event = do_report_event(
        patrol.zone,
        fields["kind"],
        actor=actor,
        description=fields.get("description") or "",
        lat=fields.get("lat"),
        lng=fields.get("lng"),
        photo=photos[0] if photos else None,
        patrol=patrol,
        idempotency_key=f"outbox:{uuid}",
    )
    date_case(event.case, captured_at)
    mark_attached(uuid, uploaded)
    return 201, {
        "message": f"已上报{EventKind(event.kind).label}，事项编号 {event.case.number}，已通知林长",
        "id": event.case.pk,
        "url": reverse("forestry:patrol", args=[patrol.pk]),
    }


def date_case(case: Any, captured_at: dt.datetime) -> None:
    """A case recorded offline is dated by the time the phone recorded it (docs/field-app.md):
    its registration time, the first step of its timeline and its deadlines (counted from that
    time, as for a case registered then), and the case rollups moved with it. Bounds: never
    after the server's time (clamped on arrival) and never more than `MAX_CASE_AGE` before it
    (an older time is a wrong phone clock: the case keeps the server's time)."""
    from apps.cases.deadlines import compute_deadline
    from apps.cases.models import CaseEvent
    from apps.cases.rollups import contribution, record_case_change

    if captured_at >= case.created_at or case.created_at - captured_at > MAX_CASE_AGE:
        return
    before = contribution(case)
    category = case.category
    case.created_at = captured_at
    case.respond_by = compute_deadline(
        captured_at, category.response_amount, category.response_unit
    )
    case.resolve_by = compute_deadline(captured_at, category.resolve_amount, category.resolve_unit)
    case.save(update_fields=["created_at", "respond_by", "resolve_by"])
    CaseEvent.objects.filter(case=case, from_status="").update(at=captured_at)
    record_case_change(case, before)


def _photos(
    actor: User, uuid: uuidlib.UUID, data: Any, direct: list[Any]
) -> tuple[list[Any], list[str]]:
    """The record's photos: those uploaded in chunks beforehand (`outbox_photos`, the upload
    UUIDs) and, for an entry queued by an older version of the app, those sent with it."""
    ids = [i for i in data.getlist("outbox_photos") if i] if hasattr(data, "getlist") else []
    return [*direct, *photos_for(actor, uuid, ids)], ids


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"target": "缺少要登记的对象（任务、步骤或巡护）编号"}) from None


HANDLERS = {
    EntryKind.VISIT: _visit,
    EntryKind.CASE: _case,
    EntryKind.NEED: _need,
    EntryKind.HAZARD: _hazard,
    EntryKind.REINSPECT: _reinspect,
    EntryKind.CARE: _care,
    EntryKind.ERRAND: _errand,
    EntryKind.FOREST_EVENT: _forest_event,
    EntryKind.UNREACHABLE: _unreachable,
    EntryKind.DISPUTE: _dispute,
}

# The module (apps/accounts/modules.py) whose pages make each kind of record.
MODULES = {
    EntryKind.VISIT: "visits",
    EntryKind.CASE: "cases",
    EntryKind.NEED: "visits",
    EntryKind.HAZARD: "visits",
    EntryKind.REINSPECT: "visits",
    EntryKind.CARE: "care",
    EntryKind.ERRAND: "errands",
    EntryKind.FOREST_EVENT: "forestry",
    EntryKind.UNREACHABLE: "visits",
    EntryKind.DISPUTE: "visits",
}


def _form_errors(form: Any) -> list[str]:
    """A queued form's errors with the field each is about (the page that made it is gone)."""
    return [
        f"{form.fields[name].label}：{error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]
