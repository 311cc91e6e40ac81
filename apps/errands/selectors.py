"""Reads of errand assistance, from the user's scope: errand cases with their progress, one
errand with its steps, the templates that fit it, and the dashboard figure."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.cases.choices import CaseKind
from apps.cases.measures import Measure, counted, measure_q
from apps.cases.models import Case
from apps.cases.selectors import access_case_for_user, visible_cases
from apps.places.models import Place, subtree_q

from .choices import StepStatus
from .models import ErrandStep, ErrandTemplate


def errand_list(user: Any, filters: Any = None) -> QuerySet[Case]:
    """Errand cases the user may see, each with `steps_total` and `steps_done`; open first."""
    qs = visible_cases(user).filter(kind=CaseKind.ERRAND)
    if filters is not None:
        qs = filters.filter(qs)
    return (
        qs.select_related("place", "assignee", "category")
        .annotate(
            steps_total=Count("errand_steps"),
            steps_done=Count("errand_steps", filter=Q(errand_steps__status=StepStatus.DONE)),
        )
        .order_by("resolved_at", "-created_at", "-id")
    )


def access_errand_for_user(user: Any, case_id: Any) -> Case:
    case = access_case_for_user(user, case_id)
    if case.kind != CaseKind.ERRAND:
        raise Http404("未找到，或不在您的管辖范围内")
    return case


def steps_of(case: Case) -> QuerySet[ErrandStep]:
    return case.errand_steps.select_related("helper", "resident").order_by("position")


def access_step_for_user(user: Any, pk: Any) -> ErrandStep:
    step = ErrandStep.objects.filter(pk=pk).only("case_id").first()
    if step is None:
        raise Http404("未找到，或不在您的管辖范围内")
    case = access_errand_for_user(user, step.case_id)
    return ErrandStep.objects.select_related("case").get(pk=pk, case=case)


def templates_for(case: Case) -> list[ErrandTemplate]:
    """Active templates of the installation or of an area above the case, the ones of the
    case's category first."""
    rows = ErrandTemplate.objects.filter(active=True).filter(
        Q(area__isnull=True) | Q(area__path__in=case.place.ancestor_paths(include_self=True))
    )
    return sorted(rows, key=lambda t: (t.category_id != case.category_id, t.code))


def errands_resolved(
    place: Place, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> int:
    """Errand cases registered in the period in the subtree and resolved: the case list's
    own `measure=resolved` condition, so the figure and its list are one definition."""
    return (
        Case.objects.filter(
            subtree_q(place),
            kind=CaseKind.ERRAND,
            created_at__date__gte=date_from,
            created_at__date__lte=date_to,
        )
        .filter(counted())
        .filter(measure_q(Measure.RESOLVED, now or timezone.now()))
        .count()
    )
