"""/api/v1/meetings: list, detail, proposed agenda, create, hold, decide, close, figures.
Handlers call selectors and actions only; an action's refusal is 403 / 422 with its Chinese
message, and a meeting outside the caller's scope is 404."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.cases.models import Category
from apps.core.paging import PageNumberPagination
from apps.places.api import action_errors
from apps.places.schemas import ErrorOut
from apps.places.selectors import access_place_for_user

from . import selectors
from .actions import (
    ItemInput,
    ParticipantInput,
    do_close_meeting,
    do_create_meeting,
    do_decide_item,
    do_hold_meeting,
)
from .filters import MeetingFilter
from .models import Meeting
from .schemas import (
    DecisionIn,
    FigureParams,
    FiguresOut,
    FilterParams,
    HoldIn,
    ItemOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    ProposalOut,
)

router = Router(tags=["会议 meetings"])
WRITE = {403: ErrorOut, 422: ErrorOut}


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    meeting = selectors.access_meeting_for_user(request.user, pk)
    return {
        **{f: getattr(meeting, f) for f in MeetingOut.model_fields},
        "minutes": meeting.minutes,
        "organisations": list(meeting.organisations.values_list("pk", flat=True)),
        "participants": list(meeting.participants.all()),
        "items": selectors.meeting_items(meeting),
    }


@router.get("/", response=list[MeetingOut])
@paginate(PageNumberPagination, page_size=50)
def list_meetings(request: AuthedRequest, params: Query[FilterParams]) -> Any:
    data = {k: v for k, v in params.model_dump().items() if v is not None}
    filters = MeetingFilter(data or None, user=request.user)
    return selectors.meeting_list(request.user, filters)


@router.get("/proposal", response=list[ProposalOut])
def proposal(request: AuthedRequest, place: int) -> Any:
    """The agenda proposed for a meeting of `place` (overdue, escalated, returned, reopened
    and hot cases)."""
    area = access_place_for_user(request.user, place)
    return selectors.propose_agenda(request.user, area)


@router.get("/figures", response=FiguresOut)
def figures(request: AuthedRequest, params: Query[FigureParams]) -> Any:
    area = access_place_for_user(request.user, params.place or request.user.scope_id)
    return selectors.meeting_figures(request.user, area, params.date_from, params.date_to)


@router.get("/{int:meeting_id}", response=MeetingDetailOut)
def get_meeting(request: AuthedRequest, meeting_id: int) -> Any:
    return _detail(request, meeting_id)


@router.post("/", response={201: MeetingDetailOut, **WRITE})
def create_meeting(request: AuthedRequest, payload: MeetingIn) -> tuple[int, Any]:
    area = access_place_for_user(request.user, payload.area)
    with action_errors():
        meeting = do_create_meeting(
            actor=request.user,
            kind=payload.kind,
            title=payload.title,
            area=area,
            starts_at=payload.starts_at,
            venue=payload.venue,
            organisation_ids=payload.organisations,
            participants=[
                ParticipantInput(p.name, p.capacity, p.organisation) for p in payload.participants
            ],
            items=[
                ItemInput(i.title, i.source, i.cases, i.description, i.duration, i.units)
                for i in payload.items
            ],
        )
    return 201, _detail(request, meeting.pk)


@router.post("/{int:meeting_id}/hold", response={200: MeetingDetailOut, **WRITE})
def hold_meeting(request: AuthedRequest, meeting_id: int, payload: HoldIn) -> Any:
    meeting = selectors.access_meeting_for_user(request.user, meeting_id)
    with action_errors():
        do_hold_meeting(
            meeting,
            actor=request.user,
            present_ids=payload.present,
            minutes=payload.minutes,
            walk_ins=[ParticipantInput(p.name, p.capacity) for p in payload.walk_ins],
        )
    return 200, _detail(request, meeting.pk)


def _owner(meeting: Meeting, pk: int | None) -> Any:
    if pk is None:
        return None
    owner = selectors.owner_choices(meeting).filter(pk=pk).first()
    if owner is None:
        raise ValidationError({"owner": "责任人不存在或不能承办该区域的事项"})
    return owner


@router.post("/{int:meeting_id}/items/{int:item_id}/decision", response={200: ItemOut, **WRITE})
def decide(request: AuthedRequest, meeting_id: int, item_id: int, payload: DecisionIn) -> Any:
    meeting = selectors.access_meeting_for_user(request.user, meeting_id)
    item = selectors.access_item_for_user(request.user, meeting, item_id)
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, active=True).first()
    with action_errors():
        lead = None
        if payload.lead_unit is not None:
            lead = selectors.area_units(meeting.area).filter(pk=payload.lead_unit).first()
            if lead is None:
                raise ValidationError({"lead_unit": "所选单位不存在或不属于该区域"})
        do_decide_item(
            item,
            actor=request.user,
            decision=payload.decision,
            owner=_owner(meeting, payload.owner),
            lead_unit=lead,
            deadline=payload.deadline,
            category=category,
            redispatch=payload.redispatch,
        )
    return 200, next(i for i in selectors.meeting_items(meeting) if i.pk == item.pk)


@router.post("/{int:meeting_id}/close", response={200: MeetingOut, **WRITE})
def close_meeting(request: AuthedRequest, meeting_id: int) -> Any:
    meeting = selectors.access_meeting_for_user(request.user, meeting_id)
    with action_errors():
        meeting = do_close_meeting(meeting, actor=request.user)
    return 200, meeting
