"""/api/v1/visits: my tasks, record a visit (or 未能入户), coverage of a cycle."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.pagination import PageNumberPagination, paginate

from apps.places.api import action_errors
from apps.places.schemas import ErrorOut
from apps.places.selectors import access_place_for_user

from . import selectors
from .actions import do_record_unreachable, do_record_visit
from .filters import VisitTaskFilter
from .models import VisitTask
from .schemas import CoverageOut, VisitRecordIn, VisitTaskOut

router = Router(tags=["visits 走访"])


@router.get("/tasks/mine", response=list[VisitTaskOut])
@paginate(PageNumberPagination, page_size=100)
def my_tasks(request: HttpRequest, filters: Query[VisitTaskFilter]) -> Any:
    """The signed-in person's tasks whose window is still open (open ones by default)."""
    touched = filters.model_dump(exclude_none=True)
    return selectors.my_tasks(request.user, filters if touched else None).select_related("place")


@router.get("/tasks/{int:task_id}", response=VisitTaskOut)
def get_task(request: HttpRequest, task_id: int) -> VisitTask:
    return selectors.access_task_for_user(request.user, task_id)


@router.post(
    "/tasks/{int:task_id}/record", response={201: VisitTaskOut, 403: ErrorOut, 422: ErrorOut}
)
def record_visit(request: HttpRequest, task_id: int, payload: VisitRecordIn) -> tuple[int, Any]:
    task = selectors.access_task_for_user(request.user, task_id)
    with action_errors():
        if payload.reached:
            record = do_record_visit(
                task,
                actor=request.user,
                answers=payload.answers,
                notes=payload.notes,
                lng=payload.lng,
                lat=payload.lat,
            )
        else:
            record = do_record_unreachable(task, actor=request.user, reason=payload.reason)
    return 201, selectors.access_task_for_user(request.user, record.task_id)


@router.get("/coverage", response=CoverageOut)
def coverage(request: HttpRequest, cycle: int, place: int | None = None) -> dict[str, Any]:
    """Visited / due households of an area (default: the account's scope) for one cycle."""
    found = selectors.access_cycle_for_user(request.user, cycle)
    area = access_place_for_user(request.user, place or request.user.scope_id)
    scope = found.plan.scope
    if not (area.is_within(scope) or scope.is_within(area)):
        raise Http404("未找到，或不在您的管辖范围内")
    cover = selectors.cycle_coverage(found, area)
    return {
        "cycle": found.pk,
        "occurrence": found.occurrence,
        "area": area.pk,
        "targets": cover.targets,
        "due": cover.due,
        "visited": cover.visited,
        "not_visited": cover.not_visited,
        "no_holder": cover.no_holder,
        "percent": cover.percent,
        "assignees": [
            {**vars(r), "percent": r.percent, "below_target": r.below_target}
            for r in cover.assignees
        ],
    }
