"""/api/v1/services/: volunteers' hours, stars and points; hour approvals. Handlers call
selectors and actions only; the API's exception handlers turn refusals into 403/422."""

from typing import Any

from django.core.exceptions import ValidationError
from ninja import Query, Router

from apps.accounts.permissions import Cap, require
from apps.accounts.requests import AuthedRequest

from . import selectors
from .actions import do_approve_hours, do_decline_hours
from .filters import VolunteerFilter
from .models import ServiceHours
from .schemas import (
    ReviewDecisionIn,
    ServiceHoursOut,
    VolunteerListIn,
    VolunteerRowOut,
    VolunteerServiceOut,
)

router = Router(tags=["志愿服务"])


def _hours_out(row: ServiceHours) -> ServiceHoursOut:
    return ServiceHoursOut(
        id=row.pk,
        served_on=row.served_on.isoformat(),
        hours=row.hours,
        status=row.status,
        case_id=row.case_id,
        activity=row.activity,
    )


@router.get("/volunteers/{pk}", response=VolunteerServiceOut)
def volunteer_service(request: AuthedRequest, pk: int) -> VolunteerServiceOut:
    summary = selectors.volunteer_summary(selectors.access_volunteer_for_user(request.user, pk))
    return VolunteerServiceOut(
        volunteer_id=pk,
        name=summary.volunteer.person.name,
        approved_hours=summary.approved,
        pending_hours=summary.pending,
        star=summary.star,
        star_name=summary.star_name,
        points=summary.balance,
        hours=[_hours_out(row) for row in summary.hours],
    )


@router.post("/hours/{pk}/approve", response=ServiceHoursOut)
def approve_hours(request: AuthedRequest, pk: int, payload: ReviewDecisionIn) -> ServiceHoursOut:
    row = selectors.access_hours_for_user(request.user, pk)
    return _hours_out(do_approve_hours(row, actor=request.user, note=payload.note))


@router.post("/hours/{pk}/decline", response=ServiceHoursOut)
def decline_hours(request: AuthedRequest, pk: int, payload: ReviewDecisionIn) -> ServiceHoursOut:
    row = selectors.access_hours_for_user(request.user, pk)
    return _hours_out(do_decline_hours(row, actor=request.user, note=payload.note))


@router.get("/volunteers", response=list[VolunteerRowOut])
def volunteer_list(
    request: AuthedRequest, filters: Query[VolunteerListIn]
) -> list[VolunteerRowOut]:
    """The volunteer list of the caller's scope with the page's filters (at most 500 rows)."""
    user: Any = request.user
    require(user, Cap.SERVICES_LIST_VOLUNTEERS)
    form = VolunteerFilter(
        {k: v for k, v in filters.dict().items() if v is not None}, user=request.user
    )
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data())
    rows: list[Any] = list(form.apply(selectors.volunteer_rows(request.user))[:500])
    return [
        VolunteerRowOut(
            id=v.pk,
            name=v.person.name,
            place=v.person.place.name,
            status=v.status,
            skills=[s.code for s in v.skills.all()],
            approved_hours=v.approved_hours,
            star=selectors.star_level(v.approved_hours),
            points=v.balance,
            no_shows=v.no_show_count,
        )
        for v in rows
    ]
