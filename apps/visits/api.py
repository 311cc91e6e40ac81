"""/api/v1/visits: plans, my tasks, record a visit (or 未能入户) with photos, findings
(诉求, 隐患, 纠纷), re-inspections, coverage of a cycle and the comparison of cycles."""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.cases.models import Category
from apps.core.paging import PageNumberPagination
from apps.places.api import action_errors
from apps.places.schemas import ErrorOut
from apps.places.selectors import access_place_for_user

from . import selectors
from .actions import (
    do_add_visit_photo,
    do_create_plan,
    do_record_reinspection,
    do_record_unreachable,
    do_record_visit,
    do_report_dispute,
    do_report_hazard,
    do_report_need,
    do_update_plan,
)
from .filters import VisitTaskFilter
from .models import VisitPlan, VisitRecord, VisitTask
from .schemas import (
    CycleRowOut,
    FindingIn,
    FindingOut,
    PhotoOut,
    PlanIn,
    PlanOut,
    PlanPatch,
    ReinspectionIn,
    ReinspectionOut,
    VisitCoverageOut,
    VisitRecordIn,
    VisitTaskOut,
)

router = Router(tags=["visits 走访"])


@router.get("/tasks/mine", response=list[VisitTaskOut])
@paginate(PageNumberPagination, page_size=100)
def my_tasks(request: AuthedRequest, filters: Query[VisitTaskFilter]) -> Any:
    """The signed-in person's tasks whose window is still open (open ones by default)."""
    touched = filters.model_dump(exclude_none=True)
    return selectors.my_tasks(request.user, filters if touched else None).select_related("place")


@router.get("/tasks/{int:task_id}", response=VisitTaskOut)
def get_task(request: AuthedRequest, task_id: int) -> VisitTask:
    return selectors.access_task_for_user(request.user, task_id)


@router.post(
    "/tasks/{int:task_id}/record", response={201: VisitTaskOut, 403: ErrorOut, 422: ErrorOut}
)
def record_visit(request: AuthedRequest, task_id: int, payload: VisitRecordIn) -> tuple[int, Any]:
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


@router.get("/coverage", response=VisitCoverageOut)
def coverage(request: AuthedRequest, cycle: int, place: int | None = None) -> dict[str, Any]:
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


# --- plans --------------------------------------------------------------------------------


@router.get("/plans", response=list[PlanOut])
@paginate(PageNumberPagination, page_size=100)
def list_plans(request: AuthedRequest) -> Any:
    return selectors.visible_plans(request.user).order_by("scope__path", "name")


@router.get("/plans/{int:plan_id}", response=PlanOut)
def get_plan(request: AuthedRequest, plan_id: int) -> VisitPlan:
    return get_in_scope(selectors.visible_plans(request.user), pk=plan_id)


@router.post("/plans", response={201: PlanOut, 403: ErrorOut, 422: ErrorOut})
def create_plan(request: AuthedRequest, payload: PlanIn) -> tuple[int, VisitPlan]:
    fields = payload.model_dump()
    fields["scope"] = access_place_for_user(request.user, fields["scope"])
    with action_errors():
        plan = do_create_plan(actor=request.user, **fields)
    return 201, plan


@router.patch("/plans/{int:plan_id}", response={200: PlanOut, 403: ErrorOut, 422: ErrorOut})
def update_plan(request: AuthedRequest, plan_id: int, payload: PlanPatch) -> tuple[int, VisitPlan]:
    plan = get_in_scope(selectors.visible_plans(request.user), pk=plan_id)
    fields = payload.model_dump(exclude_none=True)
    if "scope" in fields:
        fields["scope"] = access_place_for_user(request.user, fields["scope"])
    with action_errors():
        plan = do_update_plan(plan, actor=request.user, **fields)
    return 200, plan


# --- findings, re-inspections, photos -----------------------------------------------------


def _category(pk: int) -> Category | None:
    return Category.objects.filter(pk=pk).first()


def _finding(case: Any, rectification: Any = None) -> dict[str, Any]:
    out = {"case": case.pk, "number": case.number, "kind": case.kind}
    if rectification is not None:
        reinspect = rectification.reinspections.order_by("-id").first()
        out.update(
            rectification=rectification.pk,
            deadline=rectification.deadline,
            reinspection_task=reinspect.pk if reinspect else None,
        )
    return out


@router.post(
    "/tasks/{int:task_id}/findings/{finding}",
    response={201: FindingOut, 403: ErrorOut, 422: ErrorOut},
)
def report_finding(
    request: AuthedRequest, task_id: int, finding: str, payload: FindingIn
) -> tuple[int, Any]:
    """finding: need (登记诉求), hazard (发现隐患: a rectification with its deadline and a
    re-inspection task), dispute (发现纠纷)."""
    if finding not in ("need", "hazard", "dispute"):
        raise Http404("未找到")
    task = selectors.access_task_for_user(request.user, task_id)
    category = _category(payload.category)
    title, description = payload.title, payload.description
    with action_errors():
        if finding == "hazard":
            found = do_report_hazard(
                task,
                actor=request.user,
                category=category,
                title=title,
                description=description,
                deadline=payload.deadline,
            )
            return 201, _finding(found.case, found)
        report = do_report_need if finding == "need" else do_report_dispute
        case = report(
            task, actor=request.user, category=category, title=title, description=description
        )
    return 201, _finding(case)


@router.post(
    "/tasks/{int:task_id}/reinspect",
    response={201: ReinspectionOut, 403: ErrorOut, 422: ErrorOut},
)
def reinspect(request: AuthedRequest, task_id: int, payload: ReinspectionIn) -> tuple[int, Any]:
    task = selectors.access_task_for_user(request.user, task_id)
    with action_errors():
        rectification, resolved = do_record_reinspection(
            task, actor=request.user, **payload.model_dump()
        )
    return 201, {
        "rectification": rectification.pk,
        "status": rectification.status,
        "deadline": rectification.deadline,
        "case_resolved": resolved,
    }


@router.post(
    "/records/{int:record_id}/photos", response={201: PhotoOut, 403: ErrorOut, 422: ErrorOut}
)
def add_photo(
    request: AuthedRequest,
    record_id: int,
    file: UploadedFile = File(...),  # noqa: B008
) -> tuple[int, Any]:
    tasks = selectors.visible_tasks(request.user)
    record = get_object_or_404(VisitRecord.objects.filter(task__in=tasks), pk=record_id)
    with action_errors():
        photo = do_add_visit_photo(record, file, actor=request.user)
    return 201, photo


@router.get("/coverage/compare", response=list[CycleRowOut])
def compare(
    request: AuthedRequest, plan: int, place: int | None = None, last: int = 8
) -> list[dict[str, Any]]:
    """Visited / due per cycle over the last `last` cycles (oldest first) for an area."""
    found = get_in_scope(selectors.visible_plans(request.user), pk=plan)
    area = access_place_for_user(request.user, place or request.user.scope_id)
    if not (area.is_within(found.scope) or found.scope.is_within(area)):
        raise Http404("未找到，或不在您的管辖范围内")
    return [
        {
            "cycle": r.cycle.pk,
            "occurrence": r.cycle.occurrence,
            "due": r.due,
            "visited": r.visited,
            "unreachable": r.unreachable,
            "missed": r.missed,
            "percent": r.percent,
        }
        for r in selectors.cycle_comparison(found, area, max(1, min(last, 52)))
    ]
