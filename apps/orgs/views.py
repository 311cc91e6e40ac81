"""Organisation pages: list with the area's compound coverage, detail, compound page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .filters import OrganisationFilter

PAGE_SIZE = 30


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    filters = OrganisationFilter(request.GET or None, user=request.user)
    page = Paginator(selectors.organisation_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    area = filters.cleaned_data.get("place") if filters.is_bound and filters.is_valid() else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orgs/list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "area": area or getattr(request.user, "scope", None),
            "coverage": selectors.compound_coverage(request.user, area),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
def compound_detail(request: HttpRequest, place_id: int) -> HttpResponse:
    overview = selectors.compound_overview(request.user, place_id)
    return render(request, "orgs/compound.html", {"o": overview})
