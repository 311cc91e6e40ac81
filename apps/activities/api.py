"""/api/v1/activities: list and read activities, create them, sign up, cancel, attendance,
volunteers' hours, reach, and the figures of an area."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.core.paging import PageNumberPagination
from apps.orgs.models import Organisation
from apps.people.models import CareTag, Person
from apps.people.selectors import visible_people
from apps.places.api import action_errors
from apps.places.schemas import ErrorOut
from apps.places.selectors import access_place_for_user

from . import actions, selectors
from .filters import ActivityFilter
from .models import Activity, Participation
from .schemas import (
    ActivityFiguresOut,
    ActivityIn,
    ActivityOut,
    AttendanceIn,
    ParticipationOut,
    ReachIn,
    SignupIn,
)

router = Router(tags=["activities 活动"])
ERRORS = {403: ErrorOut, 422: ErrorOut}


def _counted(request: HttpRequest, pk: int) -> Activity:
    return get_in_scope(
        selectors.with_counts(selectors.visible_activities(request.user).select_related("place")),
        pk=pk,
    )


@router.get("/", response=list[ActivityOut])
@paginate(PageNumberPagination, page_size=50)
def list_activities(request: AuthedRequest, filters: Query[ActivityFilter]) -> Any:
    return selectors.activity_list(request.user, filters)


@router.get("/figures", response=ActivityFiguresOut)
def figures(
    request: AuthedRequest,
    place: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    """活动场次, 参与人次, 线上观看人次, 现场未登记人次 and 服务人次 of an area (default: the
    account's scope) for a period (default: this year to today)."""
    area = access_place_for_user(request.user, place or request.user.scope_id)
    today = timezone.localdate()
    date_from = date_from or today.replace(month=1, day=1)
    date_to = date_to or today
    found = selectors.figures(area, date_from, date_to)
    return {
        "place": area.pk,
        "date_from": date_from,
        "date_to": date_to,
        "held": found.held,
        "attendance": found.attendance,
        "online_viewers": found.online,
        "walk_ins": found.walk_ins,
        "served": found.served,
    }


@router.get("/{int:activity_id}", response=ActivityOut)
def get_activity(request: AuthedRequest, activity_id: int) -> Activity:
    return _counted(request, activity_id)


@router.post("/", response={201: ActivityOut, **ERRORS})
def create_activity(request: AuthedRequest, payload: ActivityIn) -> tuple[int, Any]:
    place = access_place_for_user(request.user, payload.place)
    data = payload.dict(exclude={"place", "target_tags", "organisations"})
    with action_errors():
        activity = actions.do_create_activity(
            actor=request.user,
            place=place,
            target_tags=CareTag.objects.filter(pk__in=payload.target_tags),
            organisations=Organisation.objects.filter(pk__in=payload.organisations),
            **data,
        )
    return 201, _counted(request, activity.pk)


@router.get(
    "/{int:activity_id}/participations", response={200: list[ParticipationOut], 403: ErrorOut}
)
def list_participations(request: AuthedRequest, activity_id: int) -> Any:
    activity = selectors.access_activity_for_user(request.user, activity_id)
    if not actions.may_manage(request.user, activity):
        raise HttpError(403, "只有活动所在辖区的工作人员或活动组织人员可以查看报名名单")
    return list(selectors.participants(activity))


def _person(request: HttpRequest, pk: int | None) -> Person:
    if pk is None:
        if not request.user.person_id:
            raise HttpError(422, "您的账号未关联人员信息，不能报名")
        return Person.objects.get(pk=request.user.person_id)
    person = visible_people(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404("未找到，或不在您的管辖范围内")
    return person


@router.post("/{int:activity_id}/signups", response={201: ParticipationOut, **ERRORS})
def sign_up(request: AuthedRequest, activity_id: int, payload: SignupIn) -> tuple[int, Any]:
    activity = selectors.access_activity_for_user(request.user, activity_id)
    person = _person(request, payload.person)
    with action_errors():
        row = actions.do_sign_up(activity, person, actor=request.user, role=payload.role)
    return 201, row


@router.post("/signups/{int:signup_id}/cancel", response={200: ParticipationOut, **ERRORS})
def cancel_signup(request: AuthedRequest, signup_id: int) -> Participation:
    row = selectors.access_participation_for_user(request.user, signup_id)
    with action_errors():
        return actions.do_cancel_signup(row, actor=request.user)


@router.post("/{int:activity_id}/attendance", response={200: ParticipationOut, **ERRORS})
def attendance(request: AuthedRequest, activity_id: int, payload: AttendanceIn) -> Participation:
    """Staff tick (present true) or untick a person's attendance; ticking twice is harmless."""
    activity = selectors.access_activity_for_user(request.user, activity_id)
    person = (
        visible_people(request.user).filter(pk=payload.person).first()
        or Person.objects.filter(
            pk=payload.person, activity_participations__activity=activity
        ).first()
    )
    if person is None:
        raise Http404("未找到该人员")
    with action_errors():
        try:
            return actions.do_set_attendance(
                activity, person, actor=request.user, present=payload.present
            )
        except Participation.DoesNotExist as exc:
            raise Http404("该人员没有报名或签到记录") from exc


@router.post("/signups/{int:signup_id}/hours", response={201: ParticipationOut, **ERRORS})
def record_hours(request: AuthedRequest, signup_id: int) -> tuple[int, Any]:
    """Confirm a present volunteer and record their hours (pending approval in services)."""
    row = selectors.access_participation_for_user(request.user, signup_id)
    with action_errors():
        return 201, actions.do_record_volunteer_hours(row, actor=request.user)


@router.put("/{int:activity_id}/reach", response={200: ActivityOut, **ERRORS})
def reach(request: AuthedRequest, activity_id: int, payload: ReachIn) -> Activity:
    activity = selectors.access_activity_for_user(request.user, activity_id)
    with action_errors():
        actions.do_record_reach(activity, actor=request.user, **payload.dict())
    return _counted(request, activity_id)
