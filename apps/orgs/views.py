"""Organisation pages: list with the area's compound coverage, detail, compound page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from apps.accounts.requests import AuthedRequest
from apps.cases.choices import OPEN_STATUSES
from apps.cases.selectors import case_list, visible_cases
from apps.core.paging import query_without_page
from apps.meetings.selectors import meetings_about
from apps.places.filters import area_choices
from apps.places.models import subtree_q
from apps.places.selectors import access_place_for_user

from . import selectors
from .choices import PropertyModel
from .filters import OrganisationFilter

PAGE_SIZE = 30


@login_required
def organisation_list(request: AuthedRequest) -> HttpResponse:
    filters = OrganisationFilter(request.GET or None, user=request.user)
    page = Paginator(selectors.organisation_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    area = filters.cleaned_data.get("place") if filters.is_bound and filters.is_valid() else None
    return render(
        request,
        "orgs/list.html",
        {
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
            "area": area or getattr(request.user, "scope", None),
            "coverage": selectors.compound_coverage(request.user, area),
        },
    )


@login_required
def organisation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    org = selectors.access_organisation_for_user(request.user, pk)
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "children": selectors.organisation_children(request.user, org),
            "members": selectors.organisation_members(org),
        },
    )


@login_required
def compound_list(request: AuthedRequest) -> HttpResponse:
    """The compound register (小区台账) of an area: bodies and property model per compound."""
    area_id = request.GET.get("place")
    area = access_place_for_user(request.user, area_id) if area_id else None
    model = request.GET.get("property_model", "")
    model = model if model in PropertyModel.values else ""
    compounds = selectors.compound_list(request.user, area, model)
    page = Paginator(compounds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/compounds.html",
        {
            "page": page,
            "query": query_without_page(request),
            "area": area or getattr(request.user, "scope", None),
            "areas": area_choices(request.user),
            "models": PropertyModel.choices,
            "selected": {"place": area_id or "", "property_model": model},
            "coverage": selectors.compound_coverage(request.user, area),
        },
    )


RECENT_CASES = 10


@login_required
def compound_detail(request: AuthedRequest, place_id: int) -> HttpResponse:
    """A compound's governance (P7): bodies and their members (party members marked), property
    model, building and unit heads, its open and recent cases, and its meetings."""
    overview = selectors.compound_overview(request.user, place_id)
    compound = overview.compound
    inside = visible_cases(request.user).filter(subtree_q(compound))
    return render(
        request,
        "orgs/compound.html",
        {
            "o": overview,
            "heads": selectors.compound_heads(compound),
            "open_cases": case_list(request.user).filter(
                subtree_q(compound), status__in=sorted(OPEN_STATUSES)
            )[:30],
            "open_count": inside.filter(status__in=sorted(OPEN_STATUSES)).count(),
            "recent_cases": inside.exclude(status__in=sorted(OPEN_STATUSES))
            .select_related("category", "place")
            .order_by("-created_at")[:RECENT_CASES],
            "meetings": meetings_about(request.user, compound),
        },
    )
