"""Point layers (图层) of the overview map: things with a position drawn over the choropleth.

A programme registers its layers from its own app (its `layers.py`, imported when stats is
ready, like `indicators.py`), so stats never imports the programmes:

    register(Layer("projects", "重点项目", points=project_points, legend=(...)))

`points(user, place)` returns the points inside `place` that `user` may see (the layer
applies `visible_to` and its own rules), each a `Point`. The overview asks for one layer at
a time (the picker), and draws at most `LIMIT` points. A point may carry an area (`rings`:
a polygon's rings in longitude/latitude), drawn as a shape in its colour instead of a dot;
it is still one of the `LIMIT` features, and `lng`/`lat` is where its label sits.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.places.models import Place

# The most points one layer draws on the overview (the rest are counted, not drawn).
LIMIT = 2000


@dataclass(frozen=True)
class Point:
    name: str
    lng: float
    lat: float
    # The point's state in words (绿灯, 火情 …) and the legend colour it is drawn in.
    status: str
    colour: str
    # The page behind the point ("" when there is none).
    link: str = ""
    value: float | None = None
    # An area instead of a dot: rings of [lng, lat] pairs, each closed (first = last).
    rings: tuple[tuple[tuple[float, float], ...], ...] = ()


@dataclass(frozen=True)
class Layer:
    code: str
    name: str
    points: Callable[[Any, Place], list[Point]]
    # (status, colour) pairs in the order the legend lists them.
    legend: tuple[tuple[str, str], ...] = ()
    # What the points are, for the picker's title.
    definition: str = ""


LAYERS: dict[str, Layer] = {}


def register(*layers: Layer) -> None:
    """Add layers from a programme's app. A code may be registered only once."""
    for layer in layers:
        existing = LAYERS.get(layer.code)
        if existing is not None and existing != layer:
            raise ValueError(f"layer {layer.code!r} is registered twice")
        LAYERS[layer.code] = layer


def available() -> list[Layer]:
    return list(LAYERS.values())


def get(code: str | None) -> Layer | None:
    return LAYERS.get(code or "")


def valid(lng: Any, lat: Any) -> bool:
    """A position in longitude/latitude degrees (China lies well inside these bounds)."""
    try:
        return -180 <= float(lng) <= 180 and -90 <= float(lat) <= 90
    except (TypeError, ValueError):
        return False


def layer_data(layer: Layer, user: Any, place: Place) -> dict[str, Any]:
    """The layer's points and shapes for the overview's map (JSON), at most LIMIT of them."""
    points = [p for p in layer.points(user, place) if valid(p.lng, p.lat)]
    legend = list(layer.legend) or sorted({(p.status, p.colour) for p in points})
    return {
        "code": layer.code,
        "name": layer.name,
        "total": len(points),
        "legend": [{"status": s, "colour": c} for s, c in legend],
        "points": [
            {
                "name": p.name,
                "value": [round(float(p.lng), 6), round(float(p.lat), 6), p.value],
                "status": p.status,
                "colour": p.colour,
                "link": p.link,
                **(
                    {"rings": [[[round(x, 6), round(y, 6)] for x, y in r] for r in p.rings]}
                    if p.rings
                    else {}
                ),
            }
            for p in points[:LIMIT]
        ],
    }
