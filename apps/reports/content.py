"""What a briefing says: its sections computed from the indicator registry and the case
rollups, for one area and period. The same `Briefing` feeds the PDF and the Excel file.

A briefing describes the area, not the person who asked for it: it is computed as the area
itself would see it (`AreaReader`), so the month-end job and a user's 生成简报 give the same
figures. The caller checked that the user may see the area."""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from apps.places.models import Place
from apps.stats.dashboard import KEY_FIGURES, change, display
from apps.stats.indicators import INDICATORS, REGISTRY, Indicator, Scope, by_programme
from apps.stats.selectors import (
    area_children,
    case_figures,
    child_figures,
    comparison_period,
    dashboard_figures,
    overdue_now,
)

from . import budget
from .choices import ReportKind
from .periods import previous_period

log = logging.getLogger("gongzhi.reports")

OVERDUE_LIMIT = 200


@dataclass
class AreaReader:
    """A reader whose scope is exactly the area of the briefing (not a login)."""

    scope: Place
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = False
    is_staff: bool = False
    role: str = ""
    pk: None = None
    id: None = None

    @property
    def scope_id(self) -> int:
        return self.scope.pk

    def get_username(self) -> str:
        return f"简报:{self.scope.name}"


@dataclass
class Row:
    name: str
    value: str
    change: str = ""
    unit: str = ""
    definition: str = ""
    # The value as a number for the spreadsheet (a rate as its fraction); None: no number.
    number: float | int | None = None
    rate: bool = False


@dataclass
class Briefing:
    place: Place
    kind: str
    start: dt.date
    end: dt.date
    generated_at: dt.datetime
    title: str
    key_figures: list[Row] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_source: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)
    ranking_columns: list[str] = field(default_factory=list)
    ranking: list[list[Any]] = field(default_factory=list)
    # The same rows with numbers (rates in per cent, None where nothing to divide).
    ranking_values: list[list[Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    overdue_total: int = 0
    indicators: list[Row] = field(default_factory=list)
    # The same rows, one section per programme (基层治理, 志愿服务 … 村集体经济).
    sections: list[tuple[str, list[Row]]] = field(default_factory=list)
    trend: list[tuple[str, int]] = field(default_factory=list)
    # The period the changes compare with: the whole one before, or (while this one runs)
    # its same number of days.
    compare_start: dt.date | None = None
    compare_end: dt.date | None = None
    same_days: bool = False

    @property
    def previous_label(self) -> str:
        label = "较上季度" if self.kind == ReportKind.QUARTER else "较上月"
        return f"{label}同期" if self.same_days else label


def _safe(indicator: Indicator, scope: Scope) -> Any:
    """An indicator's value; one that fails (another app's bug) shows as missing, logged.
    The briefing's time budget is checked first (it stops the whole briefing)."""
    budget.check(f"指标 {indicator.code}")
    try:
        return indicator.compute(scope)
    except Exception:
        log.exception("indicator %s failed for %s", indicator.code, scope.place)
        return None


def _breakdown_text(value: Any) -> str:
    if not value:
        return "—"
    return "、".join(f"{r.get('name', r.get('code'))} {r.get('n')}" for r in value)


def build(place: Place, kind: str, start: dt.date, end: dt.date, title: str) -> Briefing:
    reader = AreaReader(place)
    now = timezone.now()
    before_start, before_end, same = comparison_period(
        start, end, *previous_period(kind, start), timezone.localdate(now)
    )
    scope = Scope(reader, place, start, end, now)
    before = Scope(reader, place, before_start, before_end, now, breakdowns=False)
    b = Briefing(place, kind, start, end, now, title)
    b.compare_start, b.compare_end, b.same_days = before_start, before_end, same

    for code in KEY_FIGURES:
        ind = REGISTRY.get(code)
        if ind is None:
            continue
        value = _safe(ind, scope)
        old = _safe(ind, before) if ind.periodic else None
        b.key_figures.append(
            Row(
                ind.name,
                display(ind, value),
                change(ind, value, old),
                ind.unit,
                ind.definition,
                _number(value),
                ind.shape == "rate",
            )
        )

    kpis = scope.kpis
    b.by_category = [(r["category__name"], r["n"]) for r in kpis.by_category]
    b.by_source = [(r["name"], r["n"]) for r in kpis.by_source]
    b.by_status = [(r["name"], r["n"]) for r in kpis.by_status]

    b.ranking_columns = ["区域", "事项数", "响应率", "办结率", "满意率", "按时办结率", "超期未办"]
    children = child_figures(reader, place, start, end, now=now) if area_children(place) else []
    rows: list[list[Any]] = []
    for k in children:
        rows.append(
            [
                k.place.name,
                k.total,
                _rate(k.response_rate),
                _rate(k.resolution_rate),
                _rate(k.satisfaction_rate),
                _rate(k.on_time_rate),
                k.overdue,
            ]
        )
    rows.sort(key=lambda r: (-(r[3] if isinstance(r[3], float) else -1), -r[1]))
    b.ranking = [[*r[:2], *(_pct(v) for v in r[2:6]), r[6]] for r in rows]
    b.ranking_values = rows

    overdue = (
        overdue_now(place, now).select_related("category", "place").order_by("resolve_by", "id")
    )
    b.overdue_total = overdue.count()
    b.overdue = [
        {
            "number": c.number,
            "title": c.title,
            "place": c.place.name,
            "category": c.category.name if c.category_id else "",
            "status": c.get_status_display(),
            "created": timezone.localtime(c.created_at).strftime("%Y-%m-%d"),
            "resolve_by": timezone.localtime(c.resolve_by).strftime("%Y-%m-%d %H:%M")
            if c.resolve_by
            else "",
        }
        for c in overdue[:OVERDUE_LIMIT]
    ]

    for programme, indicators in by_programme(INDICATORS):
        section: list[Row] = []
        for ind in indicators:
            value = _safe(ind, scope)
            text = _breakdown_text(value) if ind.shape == "breakdown" else display(ind, value)
            number = None if ind.shape == "breakdown" else _number(value)
            section.append(
                Row(ind.name, text, "", ind.unit, ind.definition, number, ind.shape == "rate")
            )
        b.sections.append((programme, section))
        b.indicators.extend(section)

    trend = dashboard_figures(reader, place, end.replace(day=1), now=now).trend
    b.trend = [(r["month"].strftime("%Y-%m"), r["n"]) for r in trend]
    return b


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}%"


def period_figures(place: Place, start: dt.date, end: dt.date) -> Any:
    """The case figures of the period (used by tests and the API)."""
    return case_figures(AreaReader(place), place, start, end)
