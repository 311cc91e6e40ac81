"""The one filter of visit task lists, shared by the 今日任务 page and the API."""

from django.db.models import Q
from ninja import FilterSchema

from .choices import OPEN_TASK_STATUSES, TaskStatus


class VisitTaskFilter(FilterSchema):
    """status: one state; open: only tasks still to visit (planned, due, unreachable);
    plan / cycle: one plan or one cycle."""

    status: TaskStatus | None = None
    open: bool | None = None
    plan: int | None = None
    cycle: int | None = None

    def filter_open(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        q = Q(status__in=OPEN_TASK_STATUSES)
        return q if value else ~q

    def filter_plan(self, value: int | None) -> Q:
        return Q(plan_id=value) if value else Q()

    def filter_cycle(self, value: int | None) -> Q:
        return Q(cycle_id=value) if value else Q()
