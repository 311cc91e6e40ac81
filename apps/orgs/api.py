"""/api/v1/orgs/: organisations and compound coverage. Handlers call selectors and actions only."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.core.paging import PageNumberPagination
from apps.people.api import validation_422
from apps.people.schemas import ErrorOut
from apps.places.models import Place

from . import selectors
from .actions import do_create_organisation
from .filters import OrganisationFilter
from .schemas import (
    CompoundCoverageOut,
    OrganisationDetailOut,
    OrganisationFilterParams,
    OrganisationIn,
    OrganisationOut,
)

router = Router(tags=["组织"])


@router.get("/", response=list[OrganisationOut], summary="组织列表")
@paginate(PageNumberPagination, page_size=50)
def list_organisations(request: AuthedRequest, filters: Query[OrganisationFilterParams]) -> Any:
    form = OrganisationFilter(filters.dict(exclude_none=True), user=request.user)
    if not form.is_valid():
        raise validation_422(form.errors, "query")
    return selectors.organisation_list(request.user, form)


@router.get("/compounds/coverage", response=CompoundCoverageOut, summary="小区治理覆盖情况")
def compound_coverage(request: AuthedRequest, place: int | None = None) -> Any:
    area = None
    if place is not None:
        area = get_in_scope(Place.objects.visible_to(request.user), pk=place)
    coverage = selectors.compound_coverage(request.user, area)
    return {"place": place, "shares": coverage.shares, **coverage.__dict__}


@router.get("/{int:pk}", response=OrganisationDetailOut, summary="组织详情")
def get_organisation(request: AuthedRequest, pk: int) -> Any:
    return selectors.access_organisation_for_user(request.user, pk)


@router.post("/", response={201: OrganisationOut, 403: ErrorOut}, summary="登记组织")
def create_organisation(request: AuthedRequest, payload: OrganisationIn) -> Any:
    data = payload.dict()
    data["place"] = Place.objects.visible_to(request.user).filter(pk=data["place"]).first()
    if data["parent"] is not None:
        data["parent"] = (
            selectors.visible_organisations(request.user).filter(pk=data["parent"]).first()
        )
        if data["parent"] is None:
            raise validation_422({"parent": ["上级组织不存在或不在您的管辖范围内"]})
    try:
        org = do_create_organisation(actor=request.user, **data)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except DjangoValidationError as exc:
        raise validation_422(exc.message_dict) from exc
    return 201, selectors.access_organisation_for_user(request.user, org.pk)
