"""Where a report is: a place code, a point, or an address text, resolved inside a scope.

Points go to the nearest place with coordinates in the scope (households, buildings, compounds,
grids …), searched first in a small box around the point; an address text to the deepest place
whose name or address contains it. Used by Open311 intake and the resident portal.
"""

import math

from django.db.models import Q

from apps.places.models import Place

BOX_DEGREES = 0.02  # ≈ 2 km: the first, cheap search around a point
MAX_DISTANCE_M = 5_000  # a point farther than this from every place is not in the scope


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def valid_point(lat: float | None, lng: float | None) -> bool:
    return lat is not None and lng is not None and -90 <= lat <= 90 and -180 <= lng <= 180


def nearest_place(root: Place, lat: float, lng: float) -> Place | None:
    """The place of `root`'s subtree nearest to the point, within MAX_DISTANCE_M; `root` itself
    when nothing in the subtree has coordinates; None when the point is far from all of them."""
    subtree = Place.objects.subtree(root).filter(lat__isnull=False, lng__isnull=False)
    near = subtree.filter(
        lat__range=(lat - BOX_DEGREES, lat + BOX_DEGREES),
        lng__range=(lng - BOX_DEGREES, lng + BOX_DEGREES),
    )
    candidates = list(near.only("pk", "lat", "lng", "depth")[:2000])
    if not candidates:
        if not subtree.exists():
            return root
        candidates = list(subtree.only("pk", "lat", "lng", "depth")[:5000])
    best = min(candidates, key=lambda p: (distance_m(lat, lng, p.lat, p.lng), -p.depth))
    if distance_m(lat, lng, best.lat, best.lng) > MAX_DISTANCE_M:
        return None
    return Place.objects.get(pk=best.pk)


def place_by_code(root: Place, code: str) -> Place | None:
    return Place.objects.subtree(root).filter(code=code.strip()).first()


def place_by_address(root: Place, text: str) -> Place | None:
    text = text.strip()
    if not text:
        return None
    return (
        Place.objects.subtree(root)
        .filter(Q(name__icontains=text) | Q(address__icontains=text))
        .order_by("-depth", "path")
        .first()
    )
