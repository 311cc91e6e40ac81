"""ECG figures for the leader's dashboard: 心电检查量, 报告出具用时, 危急值 and how fast the
clinics acknowledge them — registered with the stats registry like every app's indicators."""

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from apps.places.models import subtree_q
from apps.stats.indicators import Indicator, Scope, register
from apps.stats.selectors import local_midnight

from .models import CriticalValue, Exam


def _exams(s: Scope) -> Any:
    return Exam.objects.filter(
        subtree_q(s.place, "clinic"),
        uploaded_at__gte=local_midnight(s.date_from),
        uploaded_at__lt=local_midnight(s.date_to + dt.timedelta(days=1)),
    )


def _turnarounds(s: Scope) -> list[float]:
    """Hours from upload to report release of the period's released exams, sorted."""
    rows = _exams(s).filter(released_at__isnull=False).values_list("uploaded_at", "released_at")
    return sorted((b - a).total_seconds() / 3600 for a, b in rows)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _p90(values: list[float]) -> float | None:
    """The 90th percentile, nearest rank (the smallest value with ≥ 90 % at or below it)."""
    if not values:
        return None
    return round(values[max(0, math.ceil(0.9 * len(values)) - 1)], 1)


def _criticals(s: Scope) -> Any:
    return CriticalValue.objects.filter(
        subtree_q(s.place, "exam__clinic"),
        confirmed_at__gte=local_midnight(s.date_from),
        confirmed_at__lt=local_midnight(s.date_to + dt.timedelta(days=1)),
    )


def _ack_minutes(s: Scope) -> list[float]:
    rows = _criticals(s).filter(acknowledged_at__isnull=False)
    return sorted(
        (b - a).total_seconds() / 60 for a, b in rows.values_list("confirmed_at", "acknowledged_at")
    )


def _ecg(name: str) -> Callable[[Scope], str]:
    return lambda s: reverse(name)


ECG = "ecg.Exam"
register(
    Indicator(
        "ecg_exams",
        "心电检查量",
        "统计期内区域内送检机构上传的心电图份数（按上传日期）。",
        "份",
        ECG,
        lambda s: Exam.objects.filter(
            subtree_q(s.place, "clinic"),
            uploaded_at__date__gte=s.date_from,
            uploaded_at__date__lte=s.date_to,
        ).count(),
        link=lambda s: reverse("ecg:list"),
    ),
    Indicator(
        "ecg_turnaround_mean_hours",
        "心电报告平均出具用时",
        "统计期内区域内送检机构上传、且报告已发布的心电图，从上传到报告发布的平均用时。",
        "小时",
        ECG,
        lambda s: _mean(_turnarounds(s)),
        link=_ecg("ecg:list"),
        higher_is_better=False,
    ),
    Indicator(
        "ecg_turnaround_p90_hours",
        "心电报告出具用时（90%分位）",
        "同上，按用时从短到长排列，90% 的报告在此用时内发布（最近秩法）。",
        "小时",
        ECG,
        lambda s: _p90(_turnarounds(s)),
        link=_ecg("ecg:list"),
        higher_is_better=False,
    ),
    Indicator(
        "ecg_critical_values",
        "心电危急值",
        "统计期内（按医师确认时间）区域内送检机构的心电检查被确认为危急值的例数。",
        "例",
        "ecg.CriticalValue",
        lambda s: _criticals(s).count(),
        link=_ecg("ecg:critical_list"),
    ),
    Indicator(
        "ecg_critical_ack_minutes",
        "危急值平均通知确认用时",
        "统计期内确认的危急值，从医师确认到送检机构首次确认接收的平均用时（未确认接收的不计）。",
        "分钟",
        "ecg.CriticalValue",
        lambda s: _mean(_ack_minutes(s)),
        link=_ecg("ecg:critical_list"),
        higher_is_better=False,
    ),
)
