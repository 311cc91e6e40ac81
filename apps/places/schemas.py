from typing import Any

from ninja import Schema

from apps.core.schemas import ErrorOut  # noqa: F401  (re-exported for the routers)


class PlaceOut(Schema):
    id: int
    kind: str
    kind_label: str
    code: str
    name: str
    parent_id: int | None
    depth: int
    address: str
    lng: float | None
    lat: float | None

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()


class PlaceChildOut(Schema):
    """A child of a place with the households and residents in its subtree."""

    place: PlaceOut
    households: int
    residents: int


class PlaceIn(Schema):
    """A new place. Fields default to empty so that the model's own checks answer with
    Chinese messages (e.g. "这个字段不能为空。") instead of the schema's English ones."""

    kind: str = ""
    code: str = ""
    name: str = ""
    parent: int | None = None
    address: str = ""
    lng: float | None = None
    lat: float | None = None


class PlacePatch(Schema):
    name: str | None = None
    address: str | None = None
    lng: float | None = None
    lat: float | None = None
    geometry: dict[str, Any] | None = None
    attributes: dict[str, Any] | None = None
