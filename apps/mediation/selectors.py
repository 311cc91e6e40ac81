"""Reads of mediation, always from the user's scope: mediations, one mediation, disputes
waiting for one, mediators serving an area, and the figures of the dashboard."""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from apps.accounts.scoping import get_in_scope
from apps.cases.choices import OPEN_STATUSES, CaseKind
from apps.cases.models import Case
from apps.places.models import Place, subtree_q
from apps.places.selectors import ancestor_ids

from .choices import MediationStatus
from .models import Mediation, Mediator


def visible_mediations(user: Any) -> QuerySet[Mediation]:
    """Mediations of disputes in the user's scope, of cases assigned to the user, and those
    the user sits on as a mediator."""
    if user is None or not user.is_authenticated:
        return Mediation.objects.none()
    qs = Mediation.objects.visible_to(user) | Mediation.objects.filter(case__assignee=user)
    if getattr(user, "person_id", None):
        seat = Mediator.objects.filter(mediations=OuterRef("pk"), person_id=user.person_id)
        qs |= Mediation.objects.filter(Exists(seat))
    return qs


def mediation_list(user: Any, filters: Any = None) -> QuerySet[Mediation]:
    qs = visible_mediations(user)
    if filters is not None:
        qs = filters.filter(qs)
    return (
        qs.select_related("case__place", "case__assignee")
        .prefetch_related("mediators__person")
        .order_by("-created_at", "-id")
    )


def access_mediation_for_user(user: Any, pk: Any) -> Mediation:
    qs = visible_mediations(user).select_related(
        "case__place", "case__handling_unit", "case__category", "case__assignee"
    )
    return get_in_scope(qs, pk=pk)


def sessions_of(mediation: Mediation) -> QuerySet[Any]:
    return mediation.sessions.select_related("recorded_by")


def waiting_disputes(user: Any, place: Place | None = None) -> QuerySet[Case]:
    """Open dispute cases in the user's scope (and the place's subtree) with no mediation."""
    qs = (
        Case.objects.visible_to(user)
        .filter(kind=CaseKind.DISPUTE, status__in=sorted(OPEN_STATUSES))
        .filter(~Exists(Mediation.objects.filter(case=OuterRef("pk"))))
    )
    if place is not None:
        qs = qs.filter(subtree_q(place))
    return qs.select_related("place").order_by("created_at", "id")


def mediators_for(place: Place) -> QuerySet[Mediator]:
    """Active mediators whose area holds the place (a county judge serves every village)."""
    return (
        Mediator.objects.filter(area_id__in=ancestor_ids(place), active=True)
        .select_related("person", "area")
        .order_by("kind", "area__path", "id")
    )


def visible_mediators(user: Any) -> QuerySet[Mediator]:
    """Mediators of areas inside the user's scope and of the areas above it (who serve it)."""
    if user is None or not user.is_authenticated:
        return Mediator.objects.none()
    qs = Mediator.objects.visible_to(user)
    if user.scope_id is not None:
        qs |= Mediator.objects.filter(area_id__in=ancestor_ids(user.scope))
    return qs.select_related("person", "area")


# --- figures ------------------------------------------------------------------------------


def mediations_in(place: Place, date_from: dt.date, date_to: dt.date) -> QuerySet[Mediation]:
    """Mediations opened in the period on disputes in the subtree."""
    return Mediation.objects.filter(
        subtree_q(place, "case__place"),
        created_at__date__gte=date_from,
        created_at__date__lte=date_to,
    )


def success_figures(place: Place, date_from: dt.date, date_to: dt.date) -> tuple[int, int]:
    """(agreed, concluded) of the mediations concluded in the period in the subtree."""
    counts = Mediation.objects.filter(
        subtree_q(place, "case__place"),
        concluded_at__date__gte=date_from,
        concluded_at__date__lte=date_to,
    ).aggregate(concluded=Count("pk"), agreed=Count("pk", filter=Q(status=MediationStatus.AGREED)))
    return counts["agreed"], counts["concluded"]
