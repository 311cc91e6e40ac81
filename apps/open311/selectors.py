"""Reads behind the GeoReport endpoints, each starting from the cases the account may see."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.cases.choices import Action, Status
from apps.cases.models import Case, CaseEvent, Category
from apps.cases.selectors import public_categories, visible_cases
from apps.people.models import Person
from apps.places.models import Place, subtree_q

from .forms import MAX_ROWS
from .georeport import PUBLIC_KINDS, statuses_for


def services() -> QuerySet[Category]:
    return public_categories().order_by("sort", "code")


def service_by_code(code: str) -> Category | None:
    return services().filter(code=code).first()


def jurisdiction_place(code: str) -> Place | None:
    return Place.objects.filter(code=code, parent__isnull=True).first() or (
        Place.objects.filter(code=code, kind__in=["county", "town", "community"]).first()
    )


def scope_root(user: Any) -> Place | None:
    """The place under which the account files: its scope (the tree's root for a superuser)."""
    if user.scope_id is not None:
        return user.scope
    return Place.objects.filter(parent__isnull=True).order_by("path").first()


def requests_visible(user: Any, within: Place | None = None) -> QuerySet[Case]:
    qs = visible_cases(user)
    if within is not None:
        qs = qs.filter(subtree_q(within))
    return qs.select_related("category", "place", "handling_unit", "department").prefetch_related(
        "attachments"
    )


def requests_public(within: Place | None = None) -> QuerySet[Case]:
    """Public read mode: the public-space cases of the whole county (or of `within`), with
    the parents that give their area and the names to keep out of the description."""
    qs = Case.objects.filter(kind__in=PUBLIC_KINDS).exclude(status=Status.MERGED)
    if within is not None:
        qs = qs.filter(subtree_q(within))
    return qs.select_related(
        "category", "handling_unit", "place__parent__parent__parent"
    ).prefetch_related(Prefetch("persons", queryset=Person.objects.only("id", "name")))


def request_list(
    user: Any, filters: dict[str, Any], within: Place | None, *, public: bool = False
) -> QuerySet[Case]:
    qs = requests_public(within) if public else requests_visible(user, within)
    if filters["service_request_id"]:
        return qs.filter(pk__in=filters["service_request_id"]).order_by("-id")[:MAX_ROWS]
    qs = qs.filter(created_at__gte=filters["start_date"], created_at__lte=filters["end_date"])
    if filters["service_code"]:
        qs = qs.filter(category__code__in=filters["service_code"])
    if len(filters["status"]) == 1:
        qs = qs.filter(status__in=statuses_for(filters["status"][0]))
    return qs.order_by("-created_at", "-id")[:MAX_ROWS]


def request_by_id(user: Any, pk: str, within: Place | None, *, public: bool = False) -> Case | None:
    if not pk.isdigit() or len(pk) > 18:
        return None
    qs = requests_public(within) if public else requests_visible(user, within)
    return qs.filter(pk=int(pk)).first()


def request_by_token(user: Any, token: str, within: Place | None) -> Case | None:
    if not token or len(token) > 64:
        return None
    return requests_visible(user, within).filter(tracking_token=token).first()


def update_list(user: Any, filters: dict[str, Any], within: Place | None) -> QuerySet[CaseEvent]:
    """Steps of visible cases in the period, oldest first (mySociety's servicerequestupdates)."""
    visible = CaseEvent.objects.visible_to(user) | CaseEvent.objects.filter(case__assignee=user)
    qs = visible.exclude(action=Action.ATTACH)
    if within is not None:
        qs = qs.filter(subtree_q(within, "case__place"))
    return (
        qs.filter(at__gte=filters["start_date"], at__lte=filters["end_date"])
        .select_related("case")
        .order_by("at", "id")[:MAX_ROWS]
    )


def place_exists(code: str) -> bool:
    return Place.objects.filter(code=code.strip()).exists()
