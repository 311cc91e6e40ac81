"""Scoped reads: every list starts here, so a forgotten filter cannot leak another area.

The scope rule itself is written once, in `apps.places.scope` (`reach`); a model that belongs
to an area states its `scope_path` and lists start from `Model.objects.visible_to(user)`.
`scoped(qs, user, "household")` is for a path other than the model's own; `get_in_scope` turns
an object outside the scope into a 404, never a 403, so an outsider cannot even learn that it
exists.
"""

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from apps.places.models import Place
from apps.places.scope import place_visible as place_visible
from apps.places.scope import scope_q as scope_q

M = TypeVar("M", bound=Model)


def scoped(qs: QuerySet[M], user: Any, place_field: str) -> QuerySet[M]:
    return qs.filter(scope_q(user, place_field))


def get_in_scope(qs: QuerySet[M], **lookup: Any) -> M:
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到，或不在您的管辖范围内") from exc


def place_in_scope(user: Any, place: Place) -> bool:
    """Like `place_visible`, but asks the database (for a place whose path may be stale)."""
    return Place.objects.visible_to(user).filter(pk=place.pk).exists()
