"""/api/v1/duties: duties in scope, assign and end, and coverage of an area."""

from typing import Any

from ninja import Query, Router
from ninja.errors import ValidationError as ApiValidationError
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.core.paging import PageNumberPagination
from apps.places.api import action_errors
from apps.places.schemas import ErrorOut
from apps.places.selectors import access_place_for_user

from . import selectors
from .actions import do_assign_duty, do_end_duty
from .choices import DutyKind
from .filters import DutyFilter
from .models import Duty
from .schemas import CoverageOut, DutyEndIn, DutyIn, DutyOut

router = Router(tags=["duties 责任"])


@router.get("/", response=list[DutyOut])
@paginate(PageNumberPagination, page_size=50)
def list_duties(request: AuthedRequest, filters: Query[DutyFilter]) -> Any:
    return selectors.duty_list(request.user, filters)


@router.post("/", response={201: DutyOut, 403: ErrorOut, 422: ErrorOut})
def assign_duty(request: AuthedRequest, payload: DutyIn) -> tuple[int, Duty]:
    person = selectors.access_person_for_user(request.user, payload.person)
    place = access_place_for_user(request.user, payload.place)
    with action_errors():
        duty = do_assign_duty(
            actor=request.user,
            person=person,
            place=place,
            kind=payload.kind,
            start_date=payload.start_date,
            end_date=payload.end_date,
            note=payload.note,
        )
    return 201, duty


@router.post("/{int:duty_id}/end", response={200: DutyOut, 403: ErrorOut, 422: ErrorOut})
def end_duty(request: AuthedRequest, duty_id: int, payload: DutyEndIn) -> Duty:
    duty = selectors.access_duty_for_user(request.user, duty_id)
    with action_errors():
        return do_end_duty(actor=request.user, duty=duty, end_date=payload.end_date)


@router.get("/coverage", response=CoverageOut)
def duty_coverage(
    request: AuthedRequest, place: int | None = None, kind: str = DutyKind.BAOLIAN
) -> dict[str, Any]:
    """Covered / total households (or places) of an area for one duty kind, per child."""
    if kind not in DutyKind.values:
        raise ApiValidationError(
            [{"loc": ["query", "kind"], "msg": f"未知的责任类型：{kind}", "type": "value_error"}]
        )
    area = access_place_for_user(request.user, place or request.user.scope_id)
    result = selectors.coverage(area, kind)
    return {
        **_row(result.total),
        "kind": kind,
        "kind_label": result.kind_label,
        "children": [_row(row) for row in result.children],
    }


def _row(row: selectors.CoverageRow) -> dict[str, Any]:
    return {
        "place_id": row.place.pk,
        "place_name": row.place.name,
        "total": row.total,
        "covered": row.covered,
        "uncovered": row.uncovered,
        "percent": row.percent,
    }
