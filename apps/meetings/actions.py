"""Writes of meetings: prepare (with the agenda), add an item, hold (attendance and minutes),
decide an item, close. Each runs in one transaction, locks the row it changes and writes one
audit event; a decision moves its cases only through the case engine (`do_transition` with
会议决定, `do_create_case` for a hand item)."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.cases.actions import do_create_case, do_transition
from apps.cases.choices import OPEN_STATUSES, Action, CaseKind, CaseSource
from apps.cases.errors import CaseError, NotAllowed
from apps.cases.models import Case, Category
from apps.cases.notify import case_url, dispatchers_of
from apps.cases.selectors import visible_cases
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.notifications.choices import NotificationKind
from apps.notifications.services import notify
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.places.models import Place, subtree_q

from .choices import ItemSource, MeetingKind, MeetingStatus
from .models import AgendaItem, Meeting, Participant
from .selectors import area_units, decision_reach

DEADLINE_TIME = dt.time(17, 30)


@dataclass
class ItemInput:
    """One agenda item to create: the cases it concerns (none for a hand item)."""

    title: str
    source: str = ItemSource.MANUAL
    case_ids: Sequence[int] = ()
    description: str = ""
    duration: int = 10
    unit_ids: Sequence[int] = field(default_factory=list)


@dataclass
class ParticipantInput:
    name: str
    capacity: str = ""
    organisation_id: int | None = None


def _units(area: Place, ids: Iterable[int], name: str) -> list[Organisation]:
    ids = {int(i) for i in ids}
    if not ids:
        return []
    found = list(area_units(area).filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({name: "所选单位不存在或不属于该区域"})
    return found


def _item_cases(actor: User, area: Place, ids: Iterable[int]) -> list[Case]:
    ids = {int(i) for i in ids}
    if not ids:
        return []
    cases = list(
        visible_cases(actor).filter(subtree_q(area), status__in=sorted(OPEN_STATUSES), pk__in=ids)
    )
    if len(cases) != len(ids):
        raise ValidationError({"cases": "所选事项不存在、已办结或不在该会议的区域内"})
    return cases


def _add_item(actor: User, meeting: Meeting, spec: ItemInput, order: int) -> AgendaItem:
    if spec.source not in ItemSource.values:
        raise ValidationError({"source": "议题来源不在可选范围内"})
    title = (spec.title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写议题"})
    if not 1 <= int(spec.duration or 0) <= 240:
        raise ValidationError({"duration": "议题时长应为1–240分钟"})
    cases = _item_cases(actor, meeting.area, spec.case_ids)
    if bool(cases) == (spec.source == ItemSource.MANUAL):
        raise ValidationError({"cases": "临时动议不关联事项；来自事项的议题须关联事项"})
    units = _units(meeting.area, spec.unit_ids, "units")
    units += [c.department for c in cases if c.department and c.department not in units]
    item = AgendaItem.objects.create(
        meeting=meeting,
        order=order,
        source=spec.source,
        title=title[:150],
        description=spec.description.strip(),
        duration=int(spec.duration),
    )
    item.cases.set(cases)
    item.units.set(units)
    return item


@transaction.atomic
def do_create_meeting(
    *,
    actor: User,
    kind: str,
    title: str,
    area: Place,
    starts_at: dt.datetime,
    venue: str = "",
    organisation_ids: Iterable[int] = (),
    participants: Iterable[ParticipantInput] = (),
    items: Iterable[ItemInput] = (),
) -> Meeting:
    """Prepare a meeting of `area`: its units, invited people and agenda (items from the
    proposal, each with its cases, and hand items)."""
    require(actor, Cap.MEETINGS_ORGANISE, area)
    errors = {}
    if kind not in MeetingKind.values:
        errors["kind"] = "会议类型不在可选范围内"
    if not (title or "").strip():
        errors["title"] = "请填写会议名称"
    if starts_at is None:
        errors["starts_at"] = "请填写会议时间"
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        kind=kind,
        title=title.strip()[:100],
        area=area,
        venue=venue.strip()[:100],
        starts_at=starts_at,
        convened_by=actor,
    )
    meeting.organisations.set(_units(area, organisation_ids, "organisations"))
    people = [p for p in participants if p.name.strip()]
    orgs = {o.pk for o in meeting.organisations.all()}
    if any(p.organisation_id and p.organisation_id not in orgs for p in people):
        raise ValidationError({"participants": "参会人员的单位须是参会单位之一"})
    Participant.objects.bulk_create(
        Participant(
            meeting=meeting,
            name=p.name.strip()[:50],
            capacity=p.capacity.strip()[:50],
            organisation_id=p.organisation_id,
        )
        for p in people
    )
    made = [_add_item(actor, meeting, spec, order) for order, spec in enumerate(items, 1)]
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=meeting,
        changes={
            "kind": kind,
            "starts_at": starts_at,
            "items": [[i.source, [c.pk for c in i.cases.all()]] for i in made],
            "participants": len(people),
        },
    )
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("area").get(pk=meeting.pk)


@transaction.atomic
def do_add_item(meeting: Meeting, spec: ItemInput, *, actor: User) -> AgendaItem:
    """Add an item to a meeting not yet closed (a hand item raised on the day …)."""
    meeting = _locked(meeting)
    require(actor, Cap.MEETINGS_ORGANISE, meeting.area)
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError("会议已结束，不能再增加议题")
    order = (meeting.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    item = _add_item(actor, meeting, spec, order)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=item,
        changes={"meeting": meeting.pk, "source": item.source, "title": item.title},
    )
    return item


@transaction.atomic
def do_hold_meeting(
    meeting: Meeting,
    *,
    actor: User,
    present_ids: Iterable[int],
    minutes: str = "",
    walk_ins: Iterable[ParticipantInput] = (),
) -> Meeting:
    """Record that the meeting took place: who came (invited people ticked, people who came
    without invitation added) and the minutes. 筹备中 → 已召开."""
    meeting = _locked(meeting)
    require(actor, Cap.MEETINGS_ORGANISE, meeting.area)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(f"会议当前状态为“{meeting.get_status_display()}”，不能再登记召开")
    if timezone.now() < meeting.starts_at:
        when = timezone.localtime(meeting.starts_at)
        raise ValidationError(f"会议定于{when:%Y-%m-%d %H:%M}召开，时间未到，不能登记召开")
    present = {int(i) for i in present_ids}
    invited = set(meeting.participants.values_list("pk", flat=True))
    if not present <= invited:
        raise ValidationError({"present": "出席人员须是该会议的参会人员"})
    extra = [p for p in walk_ins if p.name.strip()]
    if not present and not extra:
        raise ValidationError({"present": "请登记出席人员"})
    meeting.participants.filter(pk__in=present).update(present=True)
    Participant.objects.bulk_create(
        Participant(meeting=meeting, name=p.name.strip()[:50], capacity=p.capacity, present=True)
        for p in extra
    )
    meeting.status = MeetingStatus.HELD
    meeting.minutes = (minutes or "").strip()
    meeting.held_at = timezone.now()
    meeting.save(update_fields=["status", "minutes", "held_at", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=meeting,
        changes={
            "status": [MeetingStatus.PLANNED, MeetingStatus.HELD],
            "present": len(present) + len(extra),
        },
    )
    return meeting


@transaction.atomic
def do_record_minutes(meeting: Meeting, minutes: str, *, actor: User) -> Meeting:
    meeting = _locked(meeting)
    require(actor, Cap.MEETINGS_ORGANISE, meeting.area)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError("只有已召开、未结束的会议可以修改纪要")
    meeting.minutes = (minutes or "").strip()
    meeting.save(update_fields=["minutes", "updated_at"])
    audit.record(
        actor=actor, verb=AuditVerb.UPDATE, obj=meeting, changes={"minutes": minutes[:200]}
    )
    return meeting


def _deadline(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, DEADLINE_TIME)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _engine(case: Case, call: Any) -> Any:
    """Run a case-engine call; its refusal becomes this action's, naming the case."""
    try:
        return call()
    except NotAllowed as exc:
        raise PermissionDenied(f"{case.number}：{exc.message}") from exc
    except CaseError as exc:
        raise ValidationError(f"{case.number}：{exc.message}") from exc


@transaction.atomic
def do_decide_item(
    item: AgendaItem,
    *,
    actor: User,
    decision: str,
    owner: Any = None,
    lead_unit: Organisation | None = None,
    deadline: dt.date | dt.datetime | None = None,
    category: Category | None = None,
    place: Place | None = None,
    redispatch: bool = False,
) -> AgendaItem:
    """Record the meeting's one decision on `item` and apply it, within the meeting's
    authority (`selectors.decision_reach`), through the case engine (会议决定):

    - a case handled within the meeting's area gets the owner, lead department and new
      deadline; one already being handled (已接单, 办理中) keeps its handler and only takes
      the new deadline, unless `redispatch` says to hand it to the owner;
    - a case beyond the meeting's authority (escalated above its area …) is left as it is:
      the decision goes to its handling unit's dispatchers as a recommendation.

    A hand item has no case yet: one is registered (source 议事会议) in `category` at `place`
    (default: the meeting's area), then decided. Everything or nothing."""
    item = AgendaItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    meeting = Meeting.objects.select_related("area").get(pk=item.meeting_id)
    require(actor, Cap.MEETINGS_ORGANISE, meeting.area)
    if meeting.status == MeetingStatus.PLANNED:
        raise ValidationError("会议召开后才能登记决定")
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError("会议已结束，不能再登记决定")
    if item.decided_at is not None:
        raise ValidationError("该议题已有决定")
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": "请填写会议决定"})
    when = _deadline(deadline)
    if when is not None and when <= timezone.now():
        raise ValidationError({"deadline": "新的办结时限应晚于现在"})
    if lead_unit is not None:
        _units(meeting.area, [lead_unit.pk], "lead_unit")
    cases = list(
        item.cases.filter(status__in=sorted(OPEN_STATUSES))
        .select_related("handling_unit", "place")
        .order_by("pk")
    )
    created = None
    if item.source == ItemSource.MANUAL and not item.cases.exists():
        created = _case_for(
            item, meeting, actor=actor, decision=decision, category=category, place=place
        )
        cases = [created]
    reach = decision_reach(meeting, cases, actor)
    day = timezone.localtime(meeting.starts_at)
    note = f"{meeting.get_kind_display()}“{meeting.title}”（{day:%Y-%m-%d}）决定：{decision}"
    full = {
        "meeting": meeting.pk,
        "assignee": owner.pk if owner is not None else None,
        "department": lead_unit.pk if lead_unit and lead_unit.kind == OrgKind.DEPARTMENT else None,
        "resolve_by": when.isoformat() if when else None,
    }
    kept = [
        c
        for c in reach.handling
        if not redispatch and owner is not None and c.assignee_id != owner.pk
    ]
    deadline_only = {"meeting": meeting.pk, "resolve_by": full["resolve_by"]}
    for case in reach.decide:
        data = deadline_only if case in kept else full
        _engine(
            case,
            lambda case=case, data=data: do_transition(
                case, Action.MEETING_DECIDE, actor=actor, note=note[:1000], data=data
            ),
        )
    for case in reach.forward:
        notify(
            dispatchers_of(case.handling_unit),
            f"会议建议：{case.title}",
            f"{case.number} {note}（该事项由贵单位承办，请按会议建议研究办理）"[:500],
            kind=NotificationKind.CASE_STATUS,
            url=case_url(case),
            obj=case,
        )
    applied = {
        "decided": [c.pk for c in reach.decide if c not in kept],
        "kept": [c.pk for c in kept],
        "forwarded": [c.pk for c in reach.forward],
    }
    item.decision, item.owner, item.lead_unit, item.deadline = decision, owner, lead_unit, when
    item.decided_by, item.decided_at, item.applied = actor, timezone.now(), applied
    item.save(
        update_fields=[
            "decision",
            "owner",
            "lead_unit",
            "deadline",
            "decided_by",
            "decided_at",
            "applied",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=item,
        changes={
            "decision": decision[:200],
            "owner": full["assignee"],
            "lead_unit": lead_unit.pk if lead_unit else None,
            "deadline": when,
            "cases": [c.pk for c in cases],
            "redispatch": redispatch,
            **applied,
            **({"created_case": created.pk} if created else {}),
        },
    )
    return item


def _case_for(
    item: AgendaItem,
    meeting: Meeting,
    *,
    actor: User,
    decision: str,
    category: Category | None,
    place: Place | None,
) -> Case:
    if category is None:
        raise ValidationError({"category": "临时动议须选择事项类别，决定后登记为事项"})
    place = place or meeting.area
    if not place.is_within(meeting.area):
        raise ValidationError({"place": "事项地点须在会议的区域内"})
    case, _ = do_create_case(
        actor=actor,
        category=category,
        place=place,
        title=item.title[:100],
        description=f"{item.description}\n{decision}".strip(),
        kind=CaseKind.NEED,
        source=CaseSource.MEETING,
    )
    item.cases.add(case)
    return case


@transaction.atomic
def do_close_meeting(meeting: Meeting, *, actor: User) -> Meeting:
    """已召开 → 已结束, once every item has its decision."""
    meeting = _locked(meeting)
    require(actor, Cap.MEETINGS_ORGANISE, meeting.area)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(f"会议当前状态为“{meeting.get_status_display()}”，不能结束")
    pending = meeting.items.filter(decided_at__isnull=True).count()
    if pending:
        raise ValidationError(f"还有{pending}个议题未作决定")
    meeting.status, meeting.closed_at = MeetingStatus.CLOSED, timezone.now()
    meeting.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=meeting,
        changes={"status": [MeetingStatus.HELD, MeetingStatus.CLOSED]},
    )
    return meeting
