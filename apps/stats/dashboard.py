"""The leader's overview (领导驾驶舱) of one place subtree and month: key figures against the
previous month, a 12-month trend, subordinate areas ranked by an indicator and drawn as a
choropleth from the place tree's own polygons. Every number carries the link to its records."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from apps.places.models import Place

from . import layers
from .indicators import INDICATORS, REGISTRY, Indicator, Scope, by_programme
from .selectors import (
    area_children,
    comparison_period,
    dashboard_figures,
    month_end,
    previous_month,
)

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
DEFAULT_RANK = "resolution_rate"
# The headline figures of the programmes the key figures do not cover, each shown in its own
# section under the key figures (only those registered: an app that is not installed adds none).
# Few and cheap ones (each costs a query or two, twice for a period's change): the briefing
# and the ranking/map selects carry every other figure.
PROGRAMME_FIGURES = (
    "forest_patrol_rate",
    "forest_events",
    "projects_by_lamp",
    "projects_by_stage",
    "projects_stages_on_time",
    "projects_land_supplied_mu",
    "projects_blockers_open",
    "collective_operating_income",
    "collective_income_per_capita",
)


def parse_month(text: str | None) -> dt.date:
    """'YYYY-MM' → its first day; anything else → this month."""
    try:
        return dt.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def display(indicator: Indicator, value: Any) -> str:
    if value is None:
        return "—"
    if indicator.shape == "breakdown":  # [{"name", "n"}, …] → 绿灯 3 · 黄灯 1 · …
        return " · ".join(f"{row['name']} {row['n']}" for row in value) or "—"
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
    map_indicator: Indicator | None = None
    figures: list[Figure] = field(default_factory=list)
    # The key figures and the programmes' headline figures, one section per programme.
    sections: list[tuple[str, list[Figure]]] = field(default_factory=list)
    # The point layer drawn over the map (None: none chosen).
    layer: layers.Layer | None = None
    ranking: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=dict)
    # What the changes compare: the whole month before, or its same days while this one runs.
    compare_label: str = "较上月"
    compare_note: str = ""

    @property
    def period(self) -> str:
        return self.month.strftime("%Y-%m")

    def figure(self, code: str) -> Any:
        """The value of one key figure (None when it is not among them)."""
        return next((f.value for f in self.figures if f.indicator.code == code), None)


def compare_words(
    date_from: dt.date, today: dt.date, before_from: dt.date, before_to: dt.date, same: bool
) -> tuple[str, str]:
    """The label of the change and, for the same days only, what is compared with what."""
    if not same:
        return "较上月", ""
    return "较上月同期", (
        f"本月{date_from.month}月{date_from.day}日至{today.day}日，"
        f"对比上月{before_from.month}月{before_from.day}日至{before_to.day}日"
    )


def overview(
    user: Any,
    place: Place,
    month: dt.date,
    rank: str | None = None,
    map_code: str | None = None,
    layer_code: str | None = None,
) -> Overview:
    """Everything the overview page shows (the caller checked `place` is in scope). The case
    figures come from `dashboard_figures` (two queries over the rollups and the open cases);
    `rank` and `map_code` name any indicator that has one value per area; `layer_code` a
    point layer (stats.layers) drawn over the map, with the points `user` may see."""
    now = timezone.now()
    today = timezone.localdate(now)
    end = month_end(month)
    children = area_children(place)
    before_from, before_to, same = comparison_period(
        month, end, previous_month(month), month - dt.timedelta(days=1), today
    )
    cases = dashboard_figures(
        user, place, month, now=now, children=children, previous=(before_from, before_to)
    )
    scope = Scope(user, place, month, end, now, breakdowns=False)
    scope.__dict__["kpis"] = cases.current
    before = Scope(user, place, before_from, before_to, now, breakdowns=False)
    before.__dict__["kpis"] = cases.previous
    rank_indicator = _pick(rank, DEFAULT_RANK)
    map_indicator = _pick(map_code, rank_indicator.code)
    result = Overview(place, month, rank_indicator, map_indicator=map_indicator)
    result.compare_label, result.compare_note = compare_words(
        month, today, before_from, before_to, same
    )
    shown = [REGISTRY[c] for c in (*KEY_FIGURES, *PROGRAMME_FIGURES) if c in REGISTRY]
    figures: dict[str, Figure] = {}
    for ind in shown:
        value = ind.compute(scope)
        old = ind.compute(before) if ind.periodic else None
        link = ind.link(scope) if ind.link else ""
        figures[ind.code] = Figure(ind, value, display(ind, value), change(ind, value, old), link)
    result.figures = [figures[c] for c in KEY_FIGURES if c in figures]
    result.sections = [
        (programme, [figures[i.code] for i in items]) for programme, items in by_programme(shown)
    ]
    child_scopes = []
    for kpis in cases.children:
        child = Scope(user, kpis.place, month, end, now, breakdowns=False)
        child.__dict__["kpis"] = kpis  # computed for all children at once
        child_scopes.append(child)
    result.ranking = area_values(child_scopes, rank_indicator)
    map_rows = (
        result.ranking
        if map_indicator is rank_indicator
        else area_values(child_scopes, map_indicator)
    )
    result.chart = {
        "trend": _trend(place, cases.trend),
        "ranking": {
            "indicator": rank_indicator.name,
            "unit": rank_indicator.unit,
            "rows": result.ranking,
        },
        "map": _map(place, map_rows, map_indicator),
    }
    result.layer = layers.get(layer_code)
    if result.layer is not None:
        result.chart["layer"] = layers.layer_data(result.layer, user, place)
    return result


def rankable() -> list[Indicator]:
    """Indicators with one value per area: every registered one but the breakdowns."""
    return [i for i in INDICATORS if i.shape != "breakdown"]


def _pick(code: str | None, default: str) -> Indicator:
    indicator = REGISTRY.get(code or "")
    if indicator is None or indicator.shape == "breakdown":
        return REGISTRY[default]
    return indicator


def area_values(scopes: list[Scope], ind: Indicator) -> list[dict[str, Any]]:
    """Each child area's value of `ind`, best first (areas without a value last), with the
    link to the records behind it and to the area's own overview."""
    rows: list[dict[str, Any]] = []
    for scope in scopes:
        value = ind.compute(scope)
        rows.append(
            {
                "id": scope.place.pk,
                "name": scope.place.name,
                "value": None
                if value is None
                else (round(value * 100, 1) if ind.shape == "rate" else value),
                "text": display(ind, value),
                "link": ind.link(scope) if ind.link else scope.cases_link(),
                "overview": _overview_link(scope.place, scope.date_from),
            }
        )
    present = [r for r in rows if r["value"] is not None]
    present.sort(key=lambda r: r["value"], reverse=ind.higher_is_better)
    return present + [r for r in rows if r["value"] is None]


def _overview_link(place: Place, month: dt.date) -> str:
    return f"{reverse('stats:overview')}?place={place.pk}&period={month:%Y-%m}"


def _trend(place: Place, months: list[dict[str, Any]]) -> dict[str, Any]:
    labels, totals, resolution, satisfaction, links = [], [], [], [], []
    for r in months:
        labels.append(r["month"].strftime("%Y-%m"))
        totals.append(r["n"])
        resolution.append(round(100 * r["resolved"] / r["n"], 1) if r["n"] else None)
        satisfaction.append(round(100 * r["satisfied"] / r["rated"], 1) if r["rated"] else None)
        links.append(Scope(None, place, r["month"], month_end(r["month"])).cases_link())
    return {
        "labels": labels,
        "total": totals,
        "resolution": resolution,
        "satisfaction": satisfaction,
        "links": links,
    }


def _map(place: Place, ranking: list[dict[str, Any]], ind: Indicator) -> dict[str, Any] | None:
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
        "indicator": ind.name,
        "unit": ind.unit,
        "rows": ranking,
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
