"""/api/v1/mediation: mediators, mediations of dispute cases, sessions, outcome, and the
resolution of the case on an agreement (through the case engine)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import Http404
from ninja import Router
from ninja.errors import HttpError
from ninja.errors import ValidationError as ApiValidationError
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.cases.errors import CaseError
from apps.cases.selectors import access_case_for_user
from apps.core.paging import PageNumberPagination
from apps.people.selectors import access_person_for_user
from apps.places.api import action_errors
from apps.places.models import Place
from apps.places.schemas import ErrorOut

from . import selectors
from .actions import (
    do_open_mediation,
    do_record_outcome,
    do_record_session,
    do_register_mediator,
    do_resolve_by_agreement,
)
from .filters import MediationFilter
from .models import Mediation, MediationSession, Mediator
from .schemas import (
    MediationDetailOut,
    MediationIn,
    MediationOut,
    MediatorIn,
    MediatorOut,
    OutcomeIn,
    ResolveIn,
    SessionIn,
    SessionOut,
)

router = Router(tags=["mediation 纠纷调解"])
ERRORS = {403: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@contextmanager
def case_errors() -> Iterator[None]:
    """The case engine's refusals keep their status and Chinese message."""
    try:
        yield
    except CaseError as exc:
        raise HttpError(exc.status, exc.message) from exc


@router.get("/mediators", response=list[MediatorOut])
@paginate(PageNumberPagination, page_size=100)
def list_mediators(request: AuthedRequest) -> Any:
    return selectors.visible_mediators(request.user).order_by("kind", "id")


@router.post("/mediators", response={201: MediatorOut, **ERRORS})
def register_mediator(request: AuthedRequest, payload: MediatorIn) -> tuple[int, Mediator]:
    person = access_person_for_user(request.user, payload.person)
    area = get_in_scope(Place.objects.visible_to(request.user), pk=payload.area)
    with action_errors():
        mediator = do_register_mediator(
            actor=request.user, person=person, area=area, kind=payload.kind, unit=payload.unit
        )
    return 201, mediator


@router.get("/mediations", response=list[MediationOut])
@paginate(PageNumberPagination, page_size=100)
def list_mediations(request: AuthedRequest) -> Any:
    form = MediationFilter(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        if "place" in form.errors:
            raise Http404("未找到，或不在您的管辖范围内")
        raise ApiValidationError(
            [
                {"loc": ["query", k], "msg": "；".join(str(m) for m in v), "type": "value_error"}
                for k, v in form.errors.items()
            ]
        )
    return selectors.mediation_list(request.user, form)


@router.get("/mediations/{int:mediation_id}", response=MediationDetailOut)
def get_mediation(request: AuthedRequest, mediation_id: int) -> Mediation:
    return selectors.access_mediation_for_user(request.user, mediation_id)


@router.post("/mediations", response={201: MediationDetailOut, **ERRORS})
def open_mediation(request: AuthedRequest, payload: MediationIn) -> tuple[int, Mediation]:
    case = access_case_for_user(request.user, payload.case)
    chosen = list(Mediator.objects.filter(pk__in=payload.mediators))
    if len(chosen) != len(set(payload.mediators)):
        raise HttpError(422, "调解员不存在")
    with action_errors():
        mediation = do_open_mediation(
            case, actor=request.user, mediators=chosen, parties=payload.parties
        )
    return 201, selectors.access_mediation_for_user(request.user, mediation.pk)


@router.post("/mediations/{int:mediation_id}/sessions", response={201: SessionOut, **ERRORS})
def add_session(
    request: AuthedRequest, mediation_id: int, payload: SessionIn
) -> tuple[int, MediationSession]:
    mediation = selectors.access_mediation_for_user(request.user, mediation_id)
    with action_errors():
        session = do_record_session(mediation, actor=request.user, **payload.dict())
    return 201, session


@router.post("/mediations/{int:mediation_id}/outcome", response={200: MediationDetailOut, **ERRORS})
def record_outcome(request: AuthedRequest, mediation_id: int, payload: OutcomeIn) -> Mediation:
    mediation = selectors.access_mediation_for_user(request.user, mediation_id)
    with action_errors():
        do_record_outcome(mediation, actor=request.user, **payload.dict())
    return selectors.access_mediation_for_user(request.user, mediation_id)


@router.post("/mediations/{int:mediation_id}/resolve", response={200: MediationDetailOut, **ERRORS})
def resolve_case(request: AuthedRequest, mediation_id: int, payload: ResolveIn) -> Mediation:
    """办结 the dispute case on the agreement: the case's handler only (the engine's rule)."""
    mediation = selectors.access_mediation_for_user(request.user, mediation_id)
    with case_errors(), action_errors():
        do_resolve_by_agreement(mediation, actor=request.user, note=payload.note)
    return selectors.access_mediation_for_user(request.user, mediation_id)
