"""Scoped querysets: every list starts here, so a forgotten filter cannot leak another area.

`scoped(qs, user, "household")` keeps the rows whose `household` place lies inside the user's
scope; `get_in_scope` turns an object outside the scope into a 404, never a 403, so an outsider
cannot even learn that it exists.
"""

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from apps.places.models import Place, path_upper

M = TypeVar("M", bound=Model)


def scope_q(user: Any, place_field: str) -> Q:
    """Q limiting `place_field` (a path to a Place; "" for Place itself) to the user's scope."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser and user.scope_id is None:
        return Q()
    scope: Place | None = user.scope
    if scope is None:
        return Q(pk__in=[])
    prefix = f"{place_field}__" if place_field else ""
    return Q(**{f"{prefix}path__gte": scope.path, f"{prefix}path__lt": path_upper(scope.path)})


def scoped(qs: QuerySet[M], user: Any, place_field: str) -> QuerySet[M]:
    return qs.filter(scope_q(user, place_field))


def get_in_scope(qs: QuerySet[M], **lookup: Any) -> M:
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到，或不在您的管辖范围内") from exc


def place_visible(user: Any, place: Place) -> bool:
    """`place_in_scope` for a place just read (its path current), without a query beyond the
    user's scope row (loaded once per request)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser and user.scope_id is None:
        return True
    scope: Place | None = user.scope
    return scope is not None and scope.path <= place.path < path_upper(scope.path)


def place_in_scope(user: Any, place: Place) -> bool:
    return Place.objects.filter(scope_q(user, ""), pk=place.pk).exists()
