"""Scoped reads: every list starts here, so a forgotten filter cannot leak another area.

The scope rule itself is written once, in `apps.places.scope` (`reach`); a model that belongs
to an area states its `scope_path` (and any `other_scope_paths`) and lists start from
`Model.objects.visible_to(user)` — no call site writes a path or a Q of the rule.
`get_in_scope` turns an object outside the scope into a 404, never a 403, so an outsider
cannot even learn that it exists.
"""

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from apps.places.models import Place
from apps.places.scope import place_visible as place_visible

M = TypeVar("M", bound=Model)


def get_in_scope(qs: QuerySet[M], **lookup: Any) -> M:
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到，或不在您的管辖范围内") from exc


def place_in_scope(user: Any, place: Place) -> bool:
    """Like `place_visible`, but asks the database (for a place whose path may be stale)."""
    return Place.objects.visible_to(user).filter(pk=place.pk).exists()
