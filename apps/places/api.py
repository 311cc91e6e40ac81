"""/api/v1/places: the place tree, scoped like the pages."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelError
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.errors import ValidationError as ApiValidationError
from ninja.pagination import paginate

from apps.core.paging import PageNumberPagination

from . import selectors
from .actions import do_create_place, do_update_place
from .filters import PlaceFilter
from .models import Place
from .schemas import ErrorOut, PlaceChildOut, PlaceIn, PlaceOut, PlacePatch

router = Router(tags=["places 地点"])


@contextmanager
def action_errors() -> Iterator[None]:
    """Turn an action's ValidationError into 422 and PermissionDenied into 403, with the
    action's own (Chinese) messages."""
    try:
        yield
    except ModelError as exc:
        if hasattr(exc, "error_dict"):
            errors = [
                {"loc": ["body", field], "msg": msg, "type": "value_error"}
                for field, msgs in exc.message_dict.items()
                for msg in msgs
            ]
        else:
            errors = [{"loc": ["body"], "msg": msg, "type": "value_error"} for msg in exc.messages]
        raise ApiValidationError(errors) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权操作") from exc


@router.get("/", response=list[PlaceOut])
@paginate(PageNumberPagination, page_size=50)
def list_places(request: HttpRequest, filters: Query[PlaceFilter]) -> Any:
    return selectors.place_list(request.user, filters)


@router.get("/{int:place_id}", response=PlaceOut)
def get_place(request: HttpRequest, place_id: int) -> Place:
    return selectors.access_place_for_user(request.user, place_id)


@router.get("/{int:place_id}/children", response=list[PlaceChildOut])
def place_children(request: HttpRequest, place_id: int) -> list[selectors.ChildCounts]:
    """The children on the main tree with households and residents in each one's subtree."""
    return selectors.child_counts(selectors.access_place_for_user(request.user, place_id))


@router.post("/", response={201: PlaceOut, 403: ErrorOut, 422: ErrorOut})
def create_place(request: HttpRequest, payload: PlaceIn) -> tuple[int, Place]:
    data = payload.dict()
    parent_id = data.pop("parent")
    parent = selectors.access_place_for_user(request.user, parent_id) if parent_id else None
    with action_errors():
        place = do_create_place(actor=request.user, parent=parent, **data)
    return 201, place


@router.patch("/{int:place_id}", response={200: PlaceOut, 403: ErrorOut, 422: ErrorOut})
def update_place(request: HttpRequest, place_id: int, payload: PlacePatch) -> Place:
    place = selectors.access_place_for_user(request.user, place_id)
    with action_errors():
        return do_update_place(actor=request.user, place=place, **payload.dict(exclude_unset=True))
