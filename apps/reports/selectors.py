"""Scoped reads of briefings."""

from typing import Any

from django.db.models import QuerySet

from apps.accounts.scoping import get_in_scope
from apps.places.models import Place

from .models import Report


def reports_for(user: Any) -> QuerySet[Report]:
    return Report.objects.visible_to(user).select_related("place", "requested_by")


def get_report(user: Any, pk: Any) -> Report:
    return get_in_scope(reports_for(user), pk=pk)


def area_choices(user: Any) -> list[Place]:
    """Areas the user may brief: their scope and the towns and communities under it."""

    from .actions import AREA_KINDS

    return list(
        Place.objects.visible_to(user).filter(kind__in=sorted(AREA_KINDS)).order_by("path")[:500]
    )
