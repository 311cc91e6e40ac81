"""/api/v1/people/: the people ledger over HTTP. Handlers call selectors and actions only."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.core.net import client_ip
from apps.core.paging import PageNumberPagination
from apps.places.models import Place

from . import selectors
from .actions import do_create_person, do_reveal_person, do_update_person
from .choices import RevealField
from .filters import PersonFilter
from .schemas import ErrorOut, PersonFilterParams, PersonIn, PersonOut, PersonPatch, RevealOut

router = Router(tags=["人员"])


def validation_422(errors: Mapping[str, Any], where: str = "body") -> NinjaValidationError:
    """Django validation errors as ninja's 422 body, messages in Chinese."""
    return NinjaValidationError(
        [
            {"loc": [where, field], "msg": message, "type": "value_error"}
            for field, messages in errors.items()
            for message in messages
        ]
    )


def _action_errors(exc: DjangoValidationError) -> NinjaValidationError:
    if hasattr(exc, "error_dict"):
        return validation_422(exc.message_dict)
    return validation_422({"__all__": exc.messages})


def _place(request: HttpRequest, place_id: int) -> Place | None:
    return Place.objects.visible_to(request.user).filter(pk=place_id).first()


def _reload(request: HttpRequest, pk: int) -> Any:
    return selectors.person_list(request.user).get(pk=pk)


@router.get("/", response=list[PersonOut], summary="人员列表（脱敏）")
@paginate(PageNumberPagination, page_size=50)
def list_people(request: AuthedRequest, filters: Query[PersonFilterParams]) -> Any:
    form = PersonFilter(filters.dict(exclude_none=True), user=request.user)
    if not form.is_valid():
        raise validation_422(form.errors, "query")
    return selectors.person_list(request.user, form)


@router.get("/{int:pk}", response=PersonOut, summary="人员详情（脱敏）")
def get_person(request: AuthedRequest, pk: int) -> Any:
    selectors.access_person_for_user(request.user, pk)
    return _reload(request, pk)


@router.post("/", response={201: PersonOut, 403: ErrorOut}, summary="登记人员")
def create_person(request: AuthedRequest, payload: PersonIn) -> Any:
    data = payload.dict()
    data["place"] = _place(request, data["place"])
    try:
        person = do_create_person(actor=request.user, **data)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except DjangoValidationError as exc:
        raise _action_errors(exc) from exc
    return 201, _reload(request, person.pk)


@router.patch("/{int:pk}", response={200: PersonOut, 403: ErrorOut}, summary="修改人员")
def update_person(request: AuthedRequest, pk: int, payload: PersonPatch) -> Any:
    person = selectors.access_person_for_user(request.user, pk)
    data = payload.dict(exclude_unset=True)
    if "place" in data:
        data["place"] = _place(request, data["place"]) if data["place"] else None
    try:
        do_update_person(person, actor=request.user, **data)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except DjangoValidationError as exc:
        raise _action_errors(exc) from exc
    return _reload(request, pk)


@router.post(
    "/{int:pk}/reveal",
    response={200: RevealOut, 403: ErrorOut},
    summary="查看完整身份证号或电话（记入审计）",
)
def reveal_person(request: AuthedRequest, pk: int, field: RevealField) -> Any:
    person = selectors.access_person_for_user(request.user, pk)
    try:
        value = do_reveal_person(person, field, actor=request.user, ip=client_ip(request))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return {"field": field, "value": value}
