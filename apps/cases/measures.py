"""The conditions behind each KPI figure, shared by `selectors.case_kpis` (which counts them)
and `CaseFilter` (whose `measure` lists them), so a figure and the list it links to are the
same set of cases by construction."""

import datetime as dt

from django.db.models import F, Q, TextChoices

from .choices import OPEN_STATUSES, SATISFIED_RATINGS, WITHDRAWN_STATUSES


class Measure(TextChoices):
    TOTAL = "total", "计入指标的事项"
    DUE_TO_RESPOND = "due_to_respond", "应响应"
    RESPONDED_IN_TIME = "responded_in_time", "按时响应"
    RESOLVED = "resolved", "已办结"
    RESOLVED_ON_TIME = "resolved_on_time", "按时办结"
    RATED = "rated", "已评价"
    SATISFIED = "satisfied", "满意和基本满意"
    OVERDUE = "overdue", "超期未办"


def counted() -> Q:
    """Cases that count at all: merged and cancelled ones are not matters of their own."""
    return ~Q(status__in=sorted(WITHDRAWN_STATUSES))


def measure_q(measure: str, now: dt.datetime) -> Q:
    """The condition of one figure (on top of `counted()`)."""
    responded = Q(responded_at__isnull=False)
    done = Q(resolved_at__isnull=False)
    conditions = {
        Measure.TOTAL: Q(),
        Measure.DUE_TO_RESPOND: responded | Q(respond_by__lt=now),
        Measure.RESPONDED_IN_TIME: responded & Q(responded_at__lte=F("respond_by")),
        Measure.RESOLVED: done,
        Measure.RESOLVED_ON_TIME: done & Q(resolved_at__lte=F("resolve_by")),
        Measure.RATED: ~Q(rating=""),
        Measure.SATISFIED: Q(rating__in=sorted(SATISFIED_RATINGS)),
        Measure.OVERDUE: Q(status__in=sorted(OPEN_STATUSES))
        & (
            Q(responded_at__isnull=True, respond_by__lt=now)
            | Q(resolved_at__isnull=True, resolve_by__lt=now)
        ),
    }
    return conditions[Measure(measure)]
