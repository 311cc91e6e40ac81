"""Writes on cases: intake, the one transition action, the deadline monitor, revisits and
attachments. Each runs in one transaction, locks the row it changes, writes a CaseEvent and an
audit event, and queues notifications on commit."""

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, has_role_for, refusal
from apps.accounts.scoping import place_in_scope, place_visible
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.compiled import STR_MARKER, CompiledInsert, CompiledQuery, CompiledUpdate
from apps.notifications.choices import NotificationKind
from apps.notifications.services import notify
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.models import Person
from apps.places.models import Place
from apps.places.scope import reach

from . import rollups, rules, similarity
from .choices import (
    TRANSITIONS,
    WAITING_DISPATCH,
    Action,
    CaseKind,
    CaseSource,
    ExtensionState,
    LimitUnit,
    Priority,
    Rating,
    RatingSource,
    RevisitResult,
    Status,
    Who,
)
from .deadlines import compute_deadline
from .errors import InvalidTransitionData, NotAllowed, TransitionConflict
from .models import Case, CaseEvent, CaseRevisit, Category
from .notify import (
    case_url,
    dispatcher_ids,
    escalation_recipients,
    intake_notice,
    notify_reporter,
    supervisors_of,
)

# `case.save(force_insert=True)` and `event.save()` of new rows, their INSERTs built once.
_INSERT_CASE = CompiledInsert(Case)
_INSERT_EVENT = CompiledInsert(CaseEvent)
RESIDENT_LABEL = "居民（凭查询码）"
SYSTEM_LABEL = "系统（超时自动上报）"


def _label(actor: User | str | None) -> str:
    if actor is None:
        return RESIDENT_LABEL
    if isinstance(actor, str):
        return actor
    return str(actor)[:150]


def _event(
    case: Case,
    action: str,
    *,
    actor: User | str | None,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime,
) -> CaseEvent:
    user = actor if isinstance(actor, User) else None
    event = CaseEvent(
        case=case,
        at=at,
        actor=user,
        actor_label=_label(actor),
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
    _INSERT_EVENT.save(event)  # `event.save()`: the row is new, its INSERT built once
    audit.record(
        actor=user or _label(actor),
        verb=AuditVerb.CREATE if action == Action.SUBMIT else AuditVerb.UPDATE,
        obj=case,
        changes={
            "action": action,
            "status": [from_status, to_status],
            "note": note[:200],
            **({"data": data} if data else {}),
        },
    )
    return event


# --- intake -------------------------------------------------------------------------------


def _deadlines(category: Category, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return (
        compute_deadline(start, category.response_amount, category.response_unit),
        compute_deadline(start, category.resolve_amount, category.resolve_unit),
    )


def _intake_errors(
    *,
    actor: User | None,
    category: Category | None,
    place: Place | None,
    title: str,
    kind: str,
    source: str,
    priority: str,
) -> dict[str, str]:
    errors = {}
    if category is None or not category.active:
        errors["category"] = "请选择有效的事项类别"
    if place is None or (actor is not None and not _place_in_scope(actor, place)):
        errors["place"] = "所选地点不存在或不在您的管辖范围内"
    if not (title or "").strip():
        errors["title"] = "请填写标题"
    if kind not in CaseKind.values:
        errors["kind"] = "事项类型不在可选范围内"
    if source not in CaseSource.values:
        errors["source"] = "来源不在可选范围内"
    if priority not in Priority.values:
        errors["priority"] = "紧急程度不在可选范围内"
    return errors


def _choice_keys(field: dict[str, Any]) -> set[str]:
    keys = set()
    for item in field.get("values") or field.get("choices") or []:
        if isinstance(item, dict):
            keys.add(str(item.get("key", "")))
        elif isinstance(item, list | tuple) and len(item) == 2:
            keys.add(str(item[0]))
        else:
            keys.add(str(item))
    return keys


def _attribute_error(field: dict[str, Any], label: str, value: Any) -> str | None:
    """Why `value` does not fit the form field; None when it does."""
    datatype = field.get("datatype") or "string"
    if datatype == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"“{label}”应为数字"
    elif datatype == "datetime":
        try:
            dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return f"“{label}”应为日期时间（如 2026-05-01T09:30）"
    elif datatype == "singlevaluelist":
        if not isinstance(value, str) or value not in _choice_keys(field):
            return f"“{label}”的取值不在可选范围内"
    elif datatype == "multivaluelist":
        keys = _choice_keys(field)
        if not isinstance(value, list) or any(
            not isinstance(v, str) or v not in keys for v in value
        ):
            return f"“{label}”的取值不在可选范围内"
    elif not isinstance(value, str):
        return f"“{label}”应为文字"
    return None


def _attribute_errors(
    category: Category, attributes: dict[str, Any], *, require: bool
) -> list[str]:
    """The category's form fields (`Category.form_fields`) against the submitted attributes:
    every value of the field's type, and (`require`) every required field present. Codes the
    category does not define are kept as they are."""
    errors = []
    for field in category.form_fields or []:
        if not isinstance(field, dict) or not field.get("code"):
            continue
        code = str(field["code"])
        label = str(field.get("label") or field.get("description") or code)
        value = attributes.get(code)
        if value is None or value == "" or value == []:
            if require and field.get("required") and field.get("variable", True):
                errors.append(f"请填写“{label}”")
            continue
        error = _attribute_error(field, label, value)
        if error:
            errors.append(error)
    return errors


def _place_in_scope(actor: User, place: Place) -> bool:
    """Is `place` in the actor's scope? Decided on the loaded paths (the scope's subtree is
    every path that starts with the scope's path) when the place has one, else by a query."""
    if place.pk is not None and place.path:
        return place_visible(actor, place)
    return reach(actor).everything or place_in_scope(actor, place)


@transaction.atomic
def do_create_case(
    *,
    actor: User | None,
    category: Category | None,
    place: Place | None,
    title: str,
    description: str = "",
    kind: str = CaseKind.NEED,
    source: str = CaseSource.HOTLINE,
    priority: str = Priority.NORMAL,
    reporter: Person | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    persons: Iterable[Person] = (),
    lng: float | None = None,
    lat: float | None = None,
    landmark: str = "",
    attributes: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    require_form_fields: bool = False,
) -> tuple[Case, bool]:
    """Register a case; returns (case, created). A repeated `idempotency_key` of the same
    actor returns the case the first call made, with created=False. `actor` None is the
    resident portal or a machine client acting for a resident.

    `attributes` are checked against the category's form fields (types and choices, an error
    naming the field); with `require_form_fields` (callers that collect the category's form:
    the API) the required ones must be there too."""
    if actor is not None and not has_role_for(actor, Cap.CASES_INTAKE):
        raise NotAllowed(refusal(Cap.CASES_INTAKE))
    key = f"{getattr(actor, 'pk', None) or 'public'}:{idempotency_key}" if idempotency_key else None
    if key:
        existing = Case.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing, False
    errors = _intake_errors(
        actor=actor,
        category=category,
        place=place,
        title=title,
        kind=kind,
        source=source,
        priority=priority,
    )
    if category is not None and "category" not in errors:
        problems = _attribute_errors(category, attributes or {}, require=require_form_fields)
        if problems:
            errors["attributes"] = "；".join(problems)
    if errors:
        raise ValidationError(errors)
    assert category is not None and place is not None
    level = category.default_level
    unit = rules.unit_for(place, level) or place
    now = timezone.now()
    respond_by, resolve_by = _deadlines(category, now)
    case = Case(
        kind=kind,
        source=source,
        category=category,
        place=place,
        lng=lng,
        lat=lat,
        landmark=landmark.strip()[:100],
        reporter=reporter,
        reporter_name=reporter_name.strip() or (reporter.name if reporter else ""),
        title=title.strip(),
        description=description.strip(),
        attributes=attributes or {},
        tokens=similarity.token_text(title.strip(), description.strip()),
        priority=priority,
        status=Status.SUBMITTED,
        level=level,
        handling_unit=unit,
        department=category.default_department,
        respond_by=respond_by,
        resolve_by=resolve_by,
        created_by=actor if actor is not None else None,
        idempotency_key=key,
    )
    case.set_reporter_phone(reporter_phone)
    if key is None:
        _INSERT_CASE.save(case)
    else:
        try:
            with transaction.atomic():  # a savepoint: a lost race on the key is not an error
                _INSERT_CASE.save(case)
        except IntegrityError:
            existing = Case.objects.filter(idempotency_key=key).first()
            if existing is None:
                raise
            return existing, False
    if persons:
        case.persons.set(list(persons))
    _event(
        case,
        Action.SUBMIT,
        actor=actor,
        from_status="",
        to_status=Status.SUBMITTED,
        note=description[:500],
        data={"source": source},
        at=case.created_at,  # the timeline starts at the registration time, to the microsecond
    )
    # The shared rollup rows last: their row locks are held only until the commit just after.
    rollups.record_case_change(case, None)
    notify(
        intake_notice(case, unit),  # withdrawn if a rule routes the case before the commit
        f"新事项待受理：{case.title}",
        f"{case.number} {category.name}，请在{respond_by:%m-%d %H:%M}前受理",
        kind=NotificationKind.CASE_STATUS,
        url=case_url(case),
        obj=case,
    )
    return case, True


# --- the one transition action ------------------------------------------------------------


# An active account by id with its scope (a dispatch's assignee, a transfer's new handler):
# compiled once per process.
_ACTIVE_USER: CompiledQuery[Any] = CompiledQuery(
    lambda pk: get_user_model().objects.select_related("scope").filter(pk=pk, is_active=True)
)


def _user_in(value: Any, field: str) -> Any:
    if value in (None, ""):
        return None
    try:
        return _ACTIVE_USER.get(int(value))
    except (ValueError, TypeError, get_user_model().DoesNotExist) as exc:
        raise InvalidTransitionData(f"{field}不存在") from exc


def _dispatch(case: Case, data: dict[str, Any]) -> None:
    assignee = _user_in(data.get("assignee"), "承办人")
    if assignee is not None and not rules.may_handle(assignee, case):
        raise InvalidTransitionData(f"“{assignee}”不能承办该事项（角色或管辖范围不符）")
    department = None
    if data.get("department"):
        department = Organisation.objects.filter(
            pk=data["department"], kind=OrgKind.DEPARTMENT
        ).first()
        if department is None:
            raise InvalidTransitionData("职能部门不存在")
    case.assignee = assignee
    case.department = department or case.department


def _escalate(case: Case, now: dt.datetime) -> None:
    level = rules.next_level(case.level)
    assert level is not None  # guarded by rules.guard_error
    unit = rules.unit_for(case.place, level)
    if unit is None:
        raise InvalidTransitionData("找不到上一级承办单位")
    category = case.category
    respond_by, resolve_by = _deadlines(category, now)
    case.level, case.handling_unit = level, unit
    case.assignee = None
    case.responded_at = None
    case.respond_by = respond_by
    case.resolve_by = max(case.resolve_by, resolve_by) if case.resolve_by else resolve_by
    case.escalated_at = now


def _extension(case: Case, data: dict[str, Any], note: str) -> None:
    try:
        amount = int(data.get("amount") or 0)
    except (TypeError, ValueError):
        amount = 0
    unit = data.get("unit") or LimitUnit.WORKDAYS
    if amount <= 0 or amount > 60 or unit not in LimitUnit.values:
        raise InvalidTransitionData("请填写延期时长（1–60个工作日或小时）")
    case.extension_state = ExtensionState.ASKED
    case.extension_amount, case.extension_unit = amount, unit
    case.extension_reason = note[:500]


def _merge_target(case: Case, data: dict[str, Any], actor: User | None) -> Case:
    from .selectors import visible_cases

    try:
        target = visible_cases(actor).get(pk=int(data.get("into") or 0))
    except (Case.DoesNotExist, TypeError, ValueError) as exc:
        raise InvalidTransitionData("要合并到的事项不存在或不在您的管辖范围内") from exc
    if target.pk == case.pk or not target.is_open:
        raise InvalidTransitionData("只能合并到另一个未办结的事项")
    return target


def _rate(case: Case, data: dict[str, Any], actor: User | None, now: dt.datetime) -> None:
    rating = data.get("rating")
    if rating not in Rating.values:
        raise InvalidTransitionData("请选择满意、基本满意或不满意")
    case.rating = rating
    case.rating_comment = str(data.get("comment") or "")[:500]
    case.rating_source = RatingSource.RESIDENT if actor is None else RatingSource.REVISIT
    case.rated_at = now


def _decided_deadline(value: Any) -> dt.datetime:
    """A meeting's new deadline: a datetime, or a date (due at 17:30 that day, like a
    working-day limit)."""
    if isinstance(value, str):
        try:
            value = (
                dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
            )
        except ValueError as exc:
            raise InvalidTransitionData("新的办结时限格式不正确") from exc
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(17, 30))
    if not isinstance(value, dt.datetime):
        raise InvalidTransitionData("新的办结时限格式不正确")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _meeting_decide(case: Case, data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """A meeting's decision: owner, lead department and new resolve deadline; what it leaves
    out stays. A new owner is a re-dispatch: the case goes to 已派单 for them to claim."""
    old_assignee = case.assignee_id
    if data.get("assignee") or data.get("department"):
        _dispatch(
            case,
            {
                "assignee": data.get("assignee") or old_assignee,
                "department": data.get("department"),
            },
        )
    if data.get("resolve_by"):
        resolve_by = _decided_deadline(data["resolve_by"])
        if resolve_by <= now:
            raise InvalidTransitionData("新的办结时限应晚于现在")
        case.resolve_by = resolve_by
    if case.assignee_id and (case.assignee_id != old_assignee or case.status in WAITING_DISPATCH):
        case.status = Status.DISPATCHED
        case.responded_at = case.responded_at or now
    return {
        "meeting": data.get("meeting"),
        "assignee": case.assignee_id,
        "department": case.department_id,
        "resolve_by": str(case.resolve_by) if case.resolve_by else None,
    }


def _apply(
    case: Case,
    action: str,
    *,
    actor: User | None,
    note: str,
    data: dict[str, Any],
    now: dt.datetime,
) -> dict[str, Any]:
    """Change the fields `action` changes (status excluded); return the event's data."""
    event_data: dict[str, Any] = {}
    if action == Action.ACCEPT:
        case.responded_at = case.responded_at or now
    elif action == Action.DISPATCH:
        _dispatch(case, data)
        event_data = {"assignee": case.assignee_id, "department": case.department_id}
    elif action == Action.CLAIM:
        case.assignee = actor
    elif action == Action.RESOLVE:
        case.resolved_at = now
    elif action == Action.RETURN:
        event_data = {"assignee": case.assignee_id}
        case.assignee = None
    elif action == Action.ESCALATE:
        event_data = {"from_level": case.level, "from_unit": case.handling_unit_id}
        _escalate(case, now)
        event_data |= {"level": case.level, "unit": case.handling_unit_id}
    elif action == Action.REQUEST_EXTENSION:
        _extension(case, data, note)
        event_data = {"amount": case.extension_amount, "unit": case.extension_unit}
    elif action == Action.APPROVE_EXTENSION:
        old = case.resolve_by
        case.resolve_by = compute_deadline(
            case.resolve_by or now,
            case.extension_amount or 0,
            case.extension_unit or LimitUnit.WORKDAYS,
        )
        case.extension_state = ExtensionState.APPROVED
        event_data = {"resolve_by": [str(old), str(case.resolve_by)]}
    elif action == Action.REFUSE_EXTENSION:
        case.extension_state = ExtensionState.REFUSED
    elif action == Action.SUPERVISE:
        case.supervised = True
    elif action in (Action.RATE, Action.REOPEN):
        _rate(case, data, actor, now)
        event_data = {"rating": case.rating, "comment": case.rating_comment}
        if data.get("revisit"):
            event_data["revisit"] = data["revisit"]
        if action == Action.REOPEN:
            case.reopen_count += 1
            case.resolved_at = None
            case.resolve_by = compute_deadline(
                now, case.category.resolve_amount, case.category.resolve_unit
            )
    elif action == Action.CLOSE:
        case.closed_at = now
    elif action == Action.MERGE:
        case.merged_into = _merge_target(case, data, actor)
        event_data = {"into": case.merged_into.pk}
    elif action == Action.MEETING_DECIDE:
        event_data = _meeting_decide(case, data, now)
    return event_data


CHANGED_FIELDS = [
    "status",
    "level",
    "handling_unit",
    "assignee",
    "department",
    "respond_by",
    "resolve_by",
    "responded_at",
    "resolved_at",
    "closed_at",
    "escalated_at",
    "rating",
    "rating_comment",
    "rating_source",
    "rated_at",
    "supervised",
    "merged_into",
    "reopen_count",
    "extension_state",
    "extension_amount",
    "extension_unit",
    "extension_reason",
    "updated_at",
]
# `case.save(update_fields=CHANGED_FIELDS)` with its UPDATE built once per process.
_SAVE_CHANGED = CompiledUpdate(Case, CHANGED_FIELDS)


def _notify_after(case: Case, action: str, actor: User | str | None, note: str) -> None:
    n = case.number
    label = Action(action).label
    who_acted = _label(actor)
    if (
        action
        in (
            Action.DISPATCH,
            Action.REOPEN,
            Action.APPROVE_EXTENSION,
            Action.REFUSE_EXTENSION,
            Action.SUPERVISE,
            Action.MEETING_DECIDE,
        )
        and case.assignee_id
    ):
        notify(
            [case.assignee_id],
            f"{label}：{case.title}",
            f"{n} {note}".strip(),
            kind=NotificationKind.CASE_ASSIGNED,
            url=case_url(case),
            obj=case,
        )
    if action in (Action.RETURN, Action.REQUEST_EXTENSION, Action.REOPEN, Action.RESOLVE):
        notify(
            dispatcher_ids(case.handling_unit),
            f"{label}：{case.title}",
            f"{n} {who_acted}：{note}".strip("："),
            kind=NotificationKind.CASE_STATUS,
            url=case_url(case),
            obj=case,
        )
    if action == Action.ACCEPT:
        notify_reporter(case, f"您反映的事项{n}（{case.category.name}）已受理，我们会尽快办理。")
    if action == Action.RESOLVE:
        notify_reporter(
            case, f"您反映的事项{n}（{case.category.name}）已办结，请查看办理结果并评价。"
        )
    if action == Action.ESCALATE:
        users = itertools.chain(
            dispatcher_ids(case.handling_unit), supervisors_of(case), escalation_recipients(case)
        )
        notify(
            users,
            f"事项上报至{case.handling_unit.name}：{case.title}",
            f"{n} {note}".strip(),
            kind=NotificationKind.CASE_ESCALATED,
            url=case_url(case),
            obj=case,
        )


@transaction.atomic
def do_transition(
    case: Case,
    action: str,
    *,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    token: str = "",
) -> Case:
    """Perform `action` on `case` for `actor` (a user; None for the resident holding the
    tracking `token`). The caller's copy of the case is what the actor saw: if the row changed
    meanwhile (another claim won), TransitionConflict; otherwise the table, the actor's role
    and scope and the guards are checked on the locked row."""
    locked = _lock(Case.objects.filter(pk=case.pk))
    return _perform(locked, case.status, action, actor=actor, note=note, data=data, token=token)


@transaction.atomic
def do_transition_within(
    cases: QuerySet[Case] | tuple[str, Any],
    action: str,
    *,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    token: str = "",
    visible: Callable[[Case], bool] | None = None,
) -> Case:
    """`do_transition` on the one case of `cases` (narrowed to it by id, or by a tracking
    token; or `("pk", id)` / `("tracking_token", token)`, the same lock compiled once per
    process), found and locked in one query; 404 when there is none or `visible` says the actor
    may not see it. For a caller that acts on the case as it is now (the API) rather than on
    a copy shown earlier: a move someone else has just made (the loser of a 抢单 race) is
    still a TransitionConflict."""
    try:
        locked = _lock(cases)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到，或不在您的管辖范围内") from exc
    if visible is not None and not visible(locked):
        raise Http404("未找到，或不在您的管辖范围内")
    return _perform(locked, locked.status, action, actor=actor, note=note, data=data, token=token)


def _lock(cases: QuerySet[Case] | tuple[str, Any]) -> Case:
    if isinstance(cases, tuple):
        field, value = cases
        return _LOCK_BY[field].get(value)
    return _locking(cases).get()


def _locking(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_for_update(of=("self",)).select_related(
        "place", "handling_unit", "category"
    )


# The lock of the API's transitions (by id) and of the resident's rating (by tracking token):
# the same SQL every time, compiled once per process (half of the read's CPU was compiling it).
_LOCK_BY: dict[str, CompiledQuery[Case]] = {
    "pk": CompiledQuery(lambda pk: _locking(Case.objects.filter(pk=pk))),
    "tracking_token": CompiledQuery(
        lambda token: _locking(Case.objects.filter(tracking_token=token)), STR_MARKER
    ),
}


def _perform(
    locked: Case,
    seen_status: str,
    action: str,
    *,
    actor: User | None,
    note: str,
    data: dict[str, Any] | None,
    token: str,
) -> Case:
    data = dict(data or {})
    note = (note or "").strip()
    if action == Action.RATE and data.get("rating") == Rating.UNSATISFIED:
        action = Action.REOPEN  # 不满意 reopens: 重办
    spec = TRANSITIONS.get(action)
    # The row moved on since the actor saw it, or the move was just made by someone else
    # (the loser of a 抢单 race reads the case after the winner committed): a conflict.
    just_done = (
        spec is not None and spec.target == locked.status and locked.status not in spec.sources
    )
    if locked.status != seen_status or just_done:
        raise TransitionConflict(
            f"该事项刚被他人处理，当前状态为“{Status(locked.status).label}”，请刷新后再试"
        )
    rules.check(locked, action, actor, token)
    assert spec is not None  # rules.check refuses unknown actions
    if spec.note_required and not note:
        raise InvalidTransitionData(f"请填写{Action(action).label}的说明或理由")
    now = timezone.now()
    from_status = locked.status
    before = rollups.contribution(locked)
    event_data = _apply(locked, action, actor=actor, note=note, data=data, now=now)
    if spec.target is not None:
        locked.status = spec.target
    _SAVE_CHANGED.save(locked)
    _event(
        locked,
        action,
        actor=actor,
        from_status=from_status,
        to_status=locked.status,
        note=note,
        data=event_data,
        at=now,
    )
    # The shared rollup rows last: their row locks are held only until the commit just after.
    rollups.record_case_change(locked, before)
    _notify_after(locked, action, actor, note)
    return locked


NOT_ALLOWED_TO_REVEAL_REPORTER = "只有本事项的承办人和承办单位的派单人员可以查看提出人的完整电话"


@transaction.atomic
def do_reveal_reporter_phone(case: Case, *, actor: User, ip: str | None = None) -> str:
    """The reporter's full phone for the case's handler or dispatcher, to call them back;
    the read is audited like a person's number (one rule: `audit.reveal`)."""
    if not rules.may_reveal_reporter(actor, case):
        raise NotAllowed(NOT_ALLOWED_TO_REVEAL_REPORTER)
    token = Case.objects.values_list("reporter_phone_enc", flat=True).get(pk=case.pk)
    return audit.reveal(case, "reporter_phone", token, actor=actor, ip=ip)


# --- deadline monitor ---------------------------------------------------------------------

MONITOR_BATCH = 500


def _escalate_one(pk: int, status: str, level: str, now: dt.datetime) -> bool:
    """Escalate one overdue case with a compare-and-set update: of two monitors that saw the
    same (status, level), exactly one matches the row; the other updates nothing."""
    with transaction.atomic():
        case = Case.objects.select_related("place", "handling_unit", "category").get(pk=pk)
        if case.status != status or case.level != level or rules.next_level(level) is None:
            return False
        reason = (
            "响应超时"
            if case.responded_at is None and case.respond_by and (case.respond_by < now)
            else "办结超时"
        )
        from_unit = case.handling_unit_id
        before = rollups.contribution(case)
        _escalate(case, now)
        updated = Case.objects.filter(pk=pk, status=status, level=level).update(
            status=Status.ESCALATED,
            level=case.level,
            handling_unit=case.handling_unit,
            assignee=None,
            responded_at=None,
            respond_by=case.respond_by,
            resolve_by=case.resolve_by,
            escalated_at=now,
            updated_at=now,
        )
        if updated != 1:
            return False
        case.status = Status.ESCALATED
        rollups.record_case_change(case, before)
        note = f"{reason}，自动上报至{case.handling_unit.name}"
        _event(
            case,
            Action.ESCALATE,
            actor=SYSTEM_LABEL,
            from_status=status,
            to_status=Status.ESCALATED,
            note=note,
            at=now,
            data={
                "automatic": True,
                "from_level": level,
                "from_unit": from_unit,
                "level": case.level,
                "unit": case.handling_unit_id,
            },
        )
        _notify_after(case, Action.ESCALATE, SYSTEM_LABEL, note)
    return True


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Escalate every open case past a running deadline one level up; return how many. Safe to
    run from several workers at once."""
    assert Who.SYSTEM in TRANSITIONS[Action.ESCALATE].who
    now = now or timezone.now()
    rows = list(
        Case.objects.overdue(now)
        .exclude(level="county")
        .order_by("id")
        .values_list("pk", "status", "level")[:MONITOR_BATCH]
    )
    return sum(_escalate_one(pk, status, level, now) for pk, status, level in rows)


# --- revisits -----------------------------------------------------------------------------


def revisit_after() -> dt.timedelta:
    return dt.timedelta(days=int(settings.CASES_REVISIT_AFTER_DAYS))


def create_due_revisits(now: dt.datetime | None = None) -> int:
    """A revisit task for every case resolved `CASES_REVISIT_AFTER_DAYS` ago and not rated."""
    now = now or timezone.now()
    due = Case.objects.filter(
        status=Status.RESOLVED,
        rating="",
        revisit__isnull=True,
        resolved_at__lte=now - revisit_after(),
    ).select_related("handling_unit", "place")[:MONITOR_BATCH]
    created = 0
    for case in due:
        with transaction.atomic():
            revisit, made = CaseRevisit.objects.get_or_create(
                case=case, defaults={"unit": case.handling_unit}
            )
            if made:
                created += 1
                audit.record(
                    actor=SYSTEM_LABEL,
                    verb=AuditVerb.CREATE,
                    obj=revisit,
                    changes={"case": case.pk},
                )
                notify(
                    dispatcher_ids(case.handling_unit),
                    f"待回访：{case.title}",
                    f"{case.number} 办结后未评价，请回访",
                    kind=NotificationKind.CASE_STATUS,
                    url=case_url(case),
                    obj=case,
                )
    return created


@transaction.atomic
def do_record_revisit(
    revisit: CaseRevisit, result: str, note: str = "", *, actor: User
) -> CaseRevisit:
    """Record the revisit's result; a rating result counts as the resident's rating (不满意
    reopens the case)."""
    revisit = CaseRevisit.objects.select_for_update().select_related("case").get(pk=revisit.pk)
    if revisit.done_at is not None:
        raise TransitionConflict("该回访已登记结果")
    if result not in RevisitResult.values:
        raise InvalidTransitionData("请选择回访结果")
    case = revisit.case
    if result != RevisitResult.UNREACHABLE:
        do_transition(
            case,
            Action.RATE,
            actor=actor,
            note=note,
            data={"rating": result, "comment": note, "revisit": revisit.pk},
        )
    elif not (rules.is_dispatcher(actor, case) or rules.is_supervisor(actor, case)):
        raise NotAllowed("您不能登记该事项的回访")
    revisit.result, revisit.note = result, note[:500]
    revisit.done_by, revisit.done_at = actor, timezone.now()
    revisit.save(update_fields=["result", "note", "done_by", "done_at", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=revisit,
        changes={"result": result, "note": note[:200]},
    )
    return revisit
