"""村集体经济 on the overview map (stats.layers): the collectives' resources (land, forest,
water …) coloured by how they are used (闲置 stands out), and their assets; each at its own
position, else its recorded place's, else its village's."""

from typing import Any

from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse

from apps.places.models import Place
from apps.stats.layers import Layer, Point, register

from .choices import AssetKind, ResourceKind, ResourceUse
from .models import Asset, Resource

USE_COLOURS = {
    ResourceUse.SELF: "#2e8b57",
    ResourceUse.CONTRACTED: "#1565c0",
    ResourceUse.IDLE: "#c62828",
}
ASSET_COLOURS = {
    AssetKind.BUILDING: "#6d4c41",
    AssetKind.EQUIPMENT: "#607d8b",
    AssetKind.SHARES: "#8e24aa",
    AssetKind.OTHER: "#9e9e9e",
}


def _located(qs: Any, place: Place, user: Any) -> Any:
    return (
        qs.visible_to(user)
        .filter(book__village__path__startswith=place.path)
        .annotate(
            x=Coalesce(F("lng"), F("place__lng"), F("book__village__lng")),
            y=Coalesce(F("lat"), F("place__lat"), F("book__village__lat")),
        )
        .filter(x__isnull=False, y__isnull=False)
    )


def resource_points(user: Any, place: Place) -> list[Point]:
    rows = _located(Resource.objects.all(), place, user).values_list(
        "name", "kind", "use", "area_mu", "book_id", "book__village__name", "x", "y"
    )
    return [
        Point(
            name=f"{village} {name}（{ResourceKind(kind).label} {area}亩）",
            lng=x,
            lat=y,
            status=ResourceUse(use).label,
            colour=USE_COLOURS[ResourceUse(use)],
            link=reverse("collective:registers", args=[book]),
            value=float(area),
        )
        for name, kind, use, area, book, village, x, y in rows.order_by("book_id", "pk")
    ]


def asset_points(user: Any, place: Place) -> list[Point]:
    rows = _located(Asset.objects.all(), place, user).values_list(
        "name", "kind", "value", "book_id", "book__village__name", "x", "y"
    )
    return [
        Point(
            name=f"{village} {name}",
            lng=x,
            lat=y,
            status=AssetKind(kind).label,
            colour=ASSET_COLOURS[AssetKind(kind)],
            link=reverse("collective:registers", args=[book]),
            value=round(value / 100, 2),
        )
        for name, kind, value, book, village, x, y in rows.order_by("book_id", "pk")
    ]


register(
    Layer(
        "collective_resources",
        "集体资源（按利用状况）",
        resource_points,
        legend=tuple((use.label, USE_COLOURS[use]) for use in ResourceUse),
        definition="村集体的耕地、林地、水面等资源，按自营、发包流转、闲置着色。",
    ),
    Layer(
        "collective_assets",
        "集体资产",
        asset_points,
        legend=tuple((kind.label, ASSET_COLOURS[kind]) for kind in AssetKind),
        definition="村集体的房屋、设备和对外股权。",
    ),
)
