"""/api/v1/errands: errand cases with progress, one errand's steps, adding steps (from a
template or listed), marking a step done, resolving the case through the case engine."""

from typing import Any

from django.http import Http404
from ninja import Router
from ninja.errors import HttpError
from ninja.errors import ValidationError as ApiValidationError
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.cases.errors import CaseError
from apps.core.paging import PageNumberPagination
from apps.people.models import Person
from apps.places.api import action_errors
from apps.places.schemas import ErrorOut

from . import selectors
from .actions import do_add_steps, do_complete_step, do_resolve_errand
from .filters import ErrandFilter
from .models import ErrandStep, ErrandTemplate
from .schemas import (
    AddStepsIn,
    CompleteStepIn,
    ErrandDetailOut,
    ErrandOut,
    ErrandResolveIn,
    StepOut,
    TemplateOut,
)

router = Router(tags=["errands 陪办帮办"])
ERRORS = {403: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/", response=list[ErrandOut])
@paginate(PageNumberPagination, page_size=100)
def list_errands(request: AuthedRequest) -> Any:
    form = ErrandFilter(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        if "place" in form.errors:
            raise Http404("未找到，或不在您的管辖范围内")
        raise ApiValidationError(
            [
                {"loc": ["query", k], "msg": "；".join(str(m) for m in v), "type": "value_error"}
                for k, v in form.errors.items()
            ]
        )
    return selectors.errand_list(request.user, form)


@router.get("/templates", response=list[TemplateOut])
def list_templates(request: AuthedRequest) -> Any:
    return ErrandTemplate.objects.filter(active=True).order_by("code")


@router.get("/{int:case_id}", response=ErrandDetailOut)
def get_errand(request: AuthedRequest, case_id: int) -> Any:
    return selectors.access_errand_for_user(request.user, case_id)


@router.post("/{int:case_id}/steps", response={201: list[StepOut], **ERRORS})
def add_steps(request: AuthedRequest, case_id: int, payload: AddStepsIn) -> tuple[int, Any]:
    case = selectors.access_errand_for_user(request.user, case_id)
    template = None
    if payload.template:
        template = ErrandTemplate.objects.filter(code=payload.template, active=True).first()
        if template is None:
            raise HttpError(422, "未知的帮办模板")
    with action_errors():
        steps = do_add_steps(
            case,
            actor=request.user,
            template=template,
            steps=[(s.name, s.office) for s in payload.steps],
        )
    return 201, steps


@router.post("/steps/{int:step_id}/done", response={200: StepOut, **ERRORS})
def complete_step(request: AuthedRequest, step_id: int, payload: CompleteStepIn) -> ErrandStep:
    step = selectors.access_step_for_user(request.user, step_id)
    helper = None
    if payload.helper is not None:
        helper = get_in_scope(Person.objects.visible_to(request.user), pk=payload.helper)
    with action_errors():
        return do_complete_step(step, actor=request.user, helper=helper, note=payload.note)


@router.post("/{int:case_id}/resolve", response={200: ErrandDetailOut, **ERRORS})
def resolve(request: AuthedRequest, case_id: int, payload: ErrandResolveIn) -> Any:
    """办结 once every step is done: the case's handler only (the case engine's rule)."""
    case = selectors.access_errand_for_user(request.user, case_id)
    try:
        with action_errors():
            do_resolve_errand(case, actor=request.user, note=payload.note)
    except CaseError as exc:
        raise HttpError(exc.status, exc.message) from exc
    return selectors.access_errand_for_user(request.user, case_id)
