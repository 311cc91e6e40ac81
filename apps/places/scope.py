"""The scope rule, written once: an account sees the subtree of its scope place (a superuser
with no scope sees everything; an account with no scope, or anonymous, sees nothing).

`reach(user)` states it; `scope_q` turns it into a Q for any path to a place, `place_visible`
applies it to a place already loaded, and `ScopedQuerySet.visible_to(user)` applies it to a
model whose `scope_path` names the path from its rows to their place:

    class Duty(models.Model):
        scope_path = "place"            # "" for Place itself; "volunteer__person__place" …
        objects = ScopedQuerySet.as_manager()

    Duty.objects.visible_to(request.user)

A model read by a second area as well states that path too (`other_scope_paths`), and a read
by it names it: `Case.objects.visible_to(user, via="handling_unit")` (a unit's inbox). Call
sites never write a path or a Q of the rule; "in my scope, or mine" is two querysets OR-ed:
`Case.objects.visible_to(user) | Case.objects.filter(assignee=user)`.
"""

from dataclasses import dataclass
from typing import Any, Self, TypeVar

from django.db import models

from .paths import path_upper

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Reach:
    """What an account's scope reaches: everything, nothing, or the paths in [low, high)."""

    everything: bool = False
    low: str = ""
    high: str = ""

    def q(self, place_field: str) -> models.Q:
        if self.everything:
            return models.Q()
        if not self.low:
            return models.Q(pk__in=[])
        prefix = f"{place_field}__" if place_field else ""
        return models.Q(**{f"{prefix}path__gte": self.low, f"{prefix}path__lt": self.high})

    def holds(self, path: str) -> bool:
        return self.everything or (bool(self.low) and self.low <= path < self.high)


NOTHING = Reach()


def reach(user: Any) -> Reach:
    """The one definition of the scope rule."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    if user.is_superuser and user.scope_id is None:
        return Reach(everything=True)
    scope = user.scope
    if scope is None:
        return NOTHING
    return Reach(low=scope.path, high=path_upper(scope.path))


def scope_q(user: Any, place_field: str) -> models.Q:
    """Q limiting `place_field` (a path to a Place; "" for Place itself) to the user's scope."""
    return reach(user).q(place_field)


def place_visible(user: Any, place: Any) -> bool:
    """Is `place` (just read: its path current) inside the user's scope? No query beyond the
    user's scope row (loaded once per request)."""
    return reach(user).holds(place.path)


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset of a model that declares `scope_path`."""

    def visible_to(self, user: Any, *, via: str | None = None) -> Self:
        """The rows in the user's scope by the model's `scope_path`, or by `via`, one of the
        model's `other_scope_paths`."""
        model: Any = self.model
        if via is not None and via not in getattr(model, "other_scope_paths", ()):
            raise ValueError(f"{model.__name__} states no scope path {via!r}")
        return self.filter(scope_q(user, model.scope_path if via is None else via))


def area_path(obj: Any) -> str:
    """The path of the place a row belongs to, followed from its model's `scope_path` ("" for
    a Place itself; "book__village" …): the area its audit events are filed under. "" when a
    link on the way is empty."""
    target = obj
    for name in filter(None, type(obj).scope_path.split("__")):
        target = getattr(target, name, None)
        if target is None:
            return ""
    return str(target.path)


class AuditAreaFromScope:
    """Mixin: `audit_scope_path` is `area_path(self)`, for a model with a `scope_path`."""

    scope_path: str

    @property
    def audit_scope_path(self) -> str:
        return area_path(self)
