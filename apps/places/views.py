"""Place pages: the account's own area, a place with its children and people, and search."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from pydantic import ValidationError as SchemaError

from apps.accounts.choices import Role
from apps.core.paging import query_without_page
from apps.duties.choices import DutyKind
from apps.duties.forms import DutyAssignForm
from apps.duties.selectors import duty_holders, holder_area

from . import selectors
from .choices import PlaceKind
from .filters import PlaceFilter

CHILDREN_PER_PAGE = 100
RESULTS_PER_PAGE = 50


# Where each role lands after login: its own work (issue 20, item 5). URL names only, so this
# ground-level app imports nothing of the apps above it. A role not listed lands on its area.
LANDING: dict[str, str] = {
    Role.PARTY_MEMBER: "visits:today",  # today's visits and the cases assigned to me
    Role.GRID_WORKER: "visits:today",
    Role.RANGER: "forestry:home",  # patrol tasks, start a patrol, events found
    Role.FOREST_CHIEF: "forestry:home",
    Role.COMMUNITY_STAFF: "cases:list",  # 待我处理 under today's figures
    Role.TOWN_STAFF: "cases:list",
    Role.DEPT_HANDLER: "cases:list",
    Role.COUNTY_LEADER: "stats:overview",
    Role.ECG_PHYSICIAN: "ecg:queue",
    Role.CLINIC_DOCTOR: "ecg:list",  # the clinic's exams, with 上传心电图 and their results
    Role.VILLAGE_ACCOUNTANT: "collective:index",  # the village's books, vouchers, contracts
    Role.VILLAGE_SUPERVISOR: "collective:index",  # 待我审批 on the village's book page
    Role.AGENCY_ACCOUNTANT: "collective:index",  # the town's villages and their income
    Role.PROJECT_OFFICIAL: "projects:board",  # the key projects' lamp board
    Role.PROJECT_UNIT: "projects:board",
    # 三员分立: neither administrator reads the area's records (apps/accounts/modules.py)
    Role.AUDITOR: "accounts:audit",  # the audit trail
    Role.SECURITY_ADMIN: "accounts:security",  # accounts: second factor, password, lockout
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the account's work queue (LANDING), else its own area."""
    target = LANDING.get(getattr(request.user, "role", ""))
    if target is not None:
        return redirect(target)
    return my_area(request)


@login_required
def my_area(request: HttpRequest) -> HttpResponse:
    """The page of the account's own area (an unscoped superuser gets the search page)."""
    if request.user.scope_id is None:
        return redirect("places:list")
    return redirect("places:detail", pk=request.user.scope_id)


@login_required
def place_list(request: HttpRequest) -> HttpResponse:
    """Search places by name or code, optionally under one place, within the user's scope."""
    try:
        filters = PlaceFilter.model_validate(request.GET.dict())
    except SchemaError:
        filters = PlaceFilter()
    within = (
        selectors.access_place_for_user(request.user, filters.within) if filters.within else None
    )
    places = selectors.place_list(request.user, filters).select_related("parent")
    page = Paginator(places, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "places/list.html",
        {
            "filters": filters,
            "within": within,
            "page": page,
            "kinds": PlaceKind.choices,
            "query": query_without_page(request),
        },
    )


@login_required
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = selectors.access_place_for_user(request.user, pk)
    ancestors = list(selectors.ancestors_in_scope(request.user, place))
    context: dict[str, Any] = {
        "place": place,
        "ancestors": ancestors,
        "specials": list(selectors.special_places(place)),
        "holders": list(duty_holders(place)),
    }
    if place.kind == PlaceKind.HOUSEHOLD:
        context["members"] = list(selectors.household_members(place))
        context["has_baolian"] = any(
            d.kind == DutyKind.BAOLIAN and d.place_id == place.pk for d in context["holders"]
        )
        if request.user.can_manage_ledgers:
            context["assign_form"] = DutyAssignForm(
                user=request.user, area=holder_area(place, ancestors)
            )
    else:
        page = Paginator(selectors.children_with_counts(place), CHILDREN_PER_PAGE).get_page(
            request.GET.get("page")
        )
        children = selectors.child_rows(page.object_list)
        if page.has_other_pages():
            households, residents = selectors.subtree_totals(place)
        else:  # every child is on the page: its rows already add up to the totals
            households = sum(c.households for c in children)
            residents = sum(c.residents for c in children)
        context.update(
            {
                "page": page,
                "children": children,
                "households_total": households,
                "residents_total": residents,
            }
        )
    return render(request, "places/detail.html", context)
