"""Scoped reads of briefings."""

from typing import Any

from django.db.models import QuerySet

from apps.accounts.scoping import get_in_scope, scoped
from apps.places.models import Place

from .models import Report


def reports_for(user: Any) -> QuerySet[Report]:
    return scoped(Report.objects.select_related("place", "requested_by"), user, "place")


def get_report(user: Any, pk: Any) -> Report:
    return get_in_scope(reports_for(user), pk=pk)


def area_choices(user: Any) -> list[Place]:
    """Areas the user may brief: their scope and the towns and communities under it."""
    from apps.accounts.scoping import scope_q

    from .actions import AREA_KINDS

    return list(
        Place.objects.filter(scope_q(user, ""), kind__in=sorted(AREA_KINDS)).order_by("path")[:500]
    )
