"""The leader's overview (领导驾驶舱) of one place subtree and month: key figures against the
previous month, a 12-month trend, subordinate areas ranked by an indicator and drawn as a
choropleth from the place tree's own polygons. Every number carries the link to its records."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from apps.places.models import Place

from .indicators import INDICATORS, REGISTRY, Indicator, Scope
from .selectors import child_figures, month_end, month_rows

KEY_FIGURES = (
    "cases_total",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "overdue",
    "person_times",
    "ecg_exams",
    "households",
    "residents",
    "party_members",
    "volunteers",
    "baolian_coverage",
    "compound_property_coverage",
)
CASE_CODES = {i.code for i in INDICATORS if i.reads.startswith("事项")}
RANKABLE = [i for i in INDICATORS if i.code in CASE_CODES and i.shape != "breakdown"]
DEFAULT_RANK = "resolution_rate"


def parse_month(text: str | None) -> dt.date:
    """'YYYY-MM' → its first day; anything else → this month."""
    try:
        return dt.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def months_back(month: dt.date, n: int) -> dt.date:
    for _ in range(n):
        month = previous_month(month)
    return month


def display(indicator: Indicator, value: Any) -> str:
    if value is None:
        return "—"
    if indicator.shape == "rate":
        return f"{value * 100:.1f}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def change(indicator: Indicator, value: Any, before: Any) -> str:
    """The change against the previous period: points for rates, a count otherwise."""
    if value is None or before is None:
        return ""
    delta = value - before
    if indicator.shape == "rate":
        return f"{delta * 100:+.1f}个百分点"
    return f"{delta:+g}" if isinstance(delta, float) else f"{delta:+d}"


@dataclass
class Figure:
    indicator: Indicator
    value: Any
    text: str
    change: str = ""
    link: str = ""


@dataclass
class Overview:
    place: Place
    month: dt.date
    rank: Indicator
    figures: list[Figure] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return self.month.strftime("%Y-%m")


def overview(user: Any, place: Place, month: dt.date, rank: str | None = None) -> Overview:
    """Everything the overview page shows (the caller checked `place` is in scope)."""
    now = timezone.now()
    end = month_end(month)
    scope = Scope(user, place, month, end, now, breakdowns=False)
    before = Scope(
        user, place, previous_month(month), month - dt.timedelta(days=1), now, breakdowns=False
    )
    rank_indicator = REGISTRY.get(rank or "", REGISTRY[DEFAULT_RANK])
    if rank_indicator not in RANKABLE:
        rank_indicator = REGISTRY[DEFAULT_RANK]
    result = Overview(place, month, rank_indicator)
    for code in KEY_FIGURES:
        ind = REGISTRY[code]
        value = ind.compute(scope)
        old = ind.compute(before) if ind.periodic else None
        link = ind.link(scope) if ind.link else ""
        result.figures.append(
            Figure(ind, value, display(ind, value), change(ind, value, old), link)
        )
    result.ranking = _ranking(user, place, month, end, now, rank_indicator)
    result.chart = {
        "trend": _trend(place, month),
        "ranking": {
            "indicator": rank_indicator.name,
            "unit": rank_indicator.unit,
            "rows": result.ranking,
        },
        "map": _map(place, result.ranking),
    }
    return result


def _ranking(
    user: Any, place: Place, start: dt.date, end: dt.date, now: dt.datetime, ind: Indicator
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for kpis in child_figures(user, place, start, end, now=now):
        scope = Scope(user, kpis.place, start, end, now)
        scope.__dict__["kpis"] = kpis  # computed for all children at once
        value = ind.compute(scope)
        rows.append(
            {
                "id": kpis.place.pk,
                "name": kpis.place.name,
                "value": None
                if value is None
                else (round(value * 100, 1) if ind.shape == "rate" else value),
                "text": display(ind, value),
                "link": ind.link(scope) if ind.link else scope.cases_link(),
                "overview": _overview_link(kpis.place, start),
            }
        )
    present = [r for r in rows if r["value"] is not None]
    present.sort(key=lambda r: r["value"], reverse=ind.higher_is_better)
    return present + [r for r in rows if r["value"] is None]


def _overview_link(place: Place, month: dt.date) -> str:
    return f"{reverse('stats:overview')}?place={place.pk}&period={month:%Y-%m}"


def _trend(place: Place, month: dt.date) -> dict[str, Any]:
    first = months_back(month, 11)
    found = {r["month"]: r for r in month_rows(place, first, month_end(month))}
    labels, totals, resolution, satisfaction, links = [], [], [], [], []
    cursor = first
    for _ in range(12):
        r = found.get(cursor, {"n": 0, "resolved": 0, "rated": 0, "satisfied": 0})
        labels.append(cursor.strftime("%Y-%m"))
        totals.append(r["n"])
        resolution.append(round(100 * r["resolved"] / r["n"], 1) if r["n"] else None)
        satisfaction.append(round(100 * r["satisfied"] / r["rated"], 1) if r["rated"] else None)
        links.append(Scope(None, place, cursor, month_end(cursor)).cases_link())
        cursor = month_end(cursor) + dt.timedelta(days=1)
    return {
        "labels": labels,
        "total": totals,
        "resolution": resolution,
        "satisfaction": satisfaction,
        "links": links,
    }


def _map(place: Place, ranking: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A GeoJSON FeatureCollection of the child areas that have polygons, for
    `echarts.registerMap`; None when no child has one."""
    shapes = dict(
        Place.objects.filter(parent=place, geometry__isnull=False).values_list("pk", "geometry")
    )
    features = [
        {
            "type": "Feature",
            "properties": {"name": r["name"], "id": r["id"]},
            "geometry": _geometry(shapes[r["id"]]),
        }
        for r in ranking
        if r["id"] in shapes and _geometry(shapes[r["id"]])
    ]
    if not features:
        return None
    return {
        "name": f"area-{place.pk}",
        "geojson": {"type": "FeatureCollection", "features": features},
    }


def _geometry(value: Any) -> dict[str, Any] | None:
    """Place.geometry holds a GeoJSON geometry, or a Feature wrapping one."""
    if not isinstance(value, dict):
        return None
    if value.get("type") == "Feature":
        value = value.get("geometry")
    if isinstance(value, dict) and value.get("type") in {"Polygon", "MultiPolygon"}:
        return value
    return None
