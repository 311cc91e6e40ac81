"""Visit indicators for the leader's dashboard (registered with apps.stats.indicators).

All read the visit tables of the period's cycles (occurrence in the period) or records
(visit time in the period), limited to the scope's place subtree; hazards read the
rectifications the patrols created, with their cases."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case as When_
from django.db.models import IntegerField, Max, Q, Sum, Value, When
from django.urls import reverse

from apps.cases.choices import RESOLVED_STATUSES, CaseKind
from apps.places.models import subtree_q
from apps.stats.indicators import Indicator, Scope, register

from .choices import PATROL_KINDS, RectificationStatus, TaskKind, TaskStatus, VisitKind
from .models import Rectification, VisitRecord, VisitTask
from .selectors import timeliness

READS = "走访：visits.VisitTask / VisitTaskEvent / VisitRecord（周期在统计期内）"
HAZARD_READS = "走访：visits.Rectification 及其隐患事项 cases.Case"


def _day_range(s: Scope) -> tuple[dt.date, dt.date]:
    return s.date_from, s.date_to


def household_tasks(s: Scope) -> Any:
    start, end = _day_range(s)
    return VisitTask.objects.filter(
        subtree_q(s.place),
        kind=TaskKind.ROUND,
        plan__kind=VisitKind.HOUSEHOLD,
        occurrence__gte=start,
        occurrence__lte=end,
    )


def coverage_rate(s: Scope) -> float | None:
    """(cycle, household) pairs with a task done ÷ (cycle, household) pairs held."""
    pairs = (
        household_tasks(s)
        .values("cycle_id", "place_id")
        .annotate(
            v=Max(
                When_(
                    When(status=TaskStatus.DONE, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
        )
        .order_by()
    )
    figures = pairs.aggregate(due=Sum(Value(1)), visited=Sum("v"))
    due, visited = figures["due"] or 0, figures["visited"] or 0
    return round(visited / due, 4) if due else None


def _records(s: Scope, household: bool) -> Any:
    start, end = _day_range(s)
    kinds = (
        Q(task__plan__kind=VisitKind.HOUSEHOLD)
        if household
        else Q(task__plan__kind__in=PATROL_KINDS)
    )
    return VisitRecord.objects.filter(
        subtree_q(s.place, "task__place"),
        kinds,
        reached=True,
        visited_at__date__gte=start,
        visited_at__date__lte=end,
    )


def _rectifications(s: Scope) -> Any:
    return Rectification.objects.filter(
        subtree_q(s.place),
        created_at__date__gte=s.date_from,
        created_at__date__lte=s.date_to,
    )


def rectified(s: Scope) -> int:
    """Confirmed 已整改 by a re-inspection, or the hazard case resolved in the case engine."""
    return (
        _rectifications(s)
        .filter(Q(status=RectificationStatus.RECTIFIED) | Q(case__status__in=RESOLVED_STATUSES))
        .count()
    )


def _coverage_link(s: Scope) -> str:
    return f"{reverse('visits:compare')}?{urlencode({'place': s.place.pk})}"


def _hazard_link(s: Scope) -> str:
    return s.cases_link(kind=CaseKind.HAZARD, source="patrol")


register(
    Indicator(
        "visit_coverage",
        "走访覆盖率",
        "统计期内各入户走访周期：有人走访完成（已走访）的户 ÷ 有责任人应走访的户，按“周期×户”"
        "累计。未能入户、逾期未访均不计为已走访。",
        "%",
        READS,
        coverage_rate,
        link=_coverage_link,
        shape="rate",
    ),
    Indicator(
        "household_visits",
        "入户走访次数",
        "统计期内登记的入户走访记录数（已入户；未能入户的尝试不计）。",
        "次",
        READS,
        lambda s: _records(s, household=True).count(),
        link=_coverage_link,
    ),
    Indicator(
        "visit_timeliness",
        "按时走访率",
        "统计期内入户走访任务中，已结束（已走访、逾期未访，或走访时限已过）的任务里，"
        "在时限（截止日）当天或之前变为“已走访”的比例，按任务状态记录计算。",
        "%",
        READS,
        lambda s: timeliness(household_tasks(s)).rate,
        link=_coverage_link,
        shape="rate",
    ),
    Indicator(
        "patrols",
        "巡查次数",
        "统计期内网格巡查、隐患排查、安全检查登记的检查记录数（含隐患复查）。",
        "次",
        READS,
        lambda s: _records(s, household=False).count(),
        link=_coverage_link,
    ),
    Indicator(
        "hazards_found",
        "发现隐患数",
        "统计期内巡查、检查中发现并登记为隐患整改事项的隐患数。",
        "件",
        HAZARD_READS,
        lambda s: _rectifications(s).count(),
        link=_hazard_link,
        higher_is_better=True,
    ),
    Indicator(
        "hazards_rectified",
        "已整改隐患数",
        "统计期内发现的隐患中，复查确认已整改或隐患事项已办结的数量。",
        "件",
        HAZARD_READS,
        rectified,
        link=_hazard_link,
    ),
)
