"""The one filter of the errand list, shared by the page and the API."""

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet

from apps.cases.choices import OPEN_STATUSES, RESOLVED_STATUSES
from apps.cases.models import Case
from apps.places.filters import ScopedPlaceFilterMixin, area_choices
from apps.places.models import subtree_q

from .choices import StepStatus
from .models import ErrandStep

PROGRESS = [
    ("", "全部"),
    ("unplanned", "未安排步骤"),
    ("in_progress", "办理中"),
    ("all_done", "步骤已全部完成"),
]
STATE = [("", "全部"), ("open", "未办结"), ("resolved", "已办结")]


class ErrandFilter(ScopedPlaceFilterMixin, forms.Form):
    place = forms.TypedChoiceField(label="区域", required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label="事项状态", required=False, choices=STATE)
    progress = forms.ChoiceField(label="步骤进度", required=False, choices=PROGRESS)
    mine = forms.BooleanField(label="我承办的", required=False)

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        place_field = self.fields["place"]
        assert isinstance(place_field, forms.TypedChoiceField)
        place_field.choices = area_choices(user)
        place_field.valid_value = lambda value: True  # type: ignore[method-assign]

    def filter(self, qs: QuerySet[Case]) -> QuerySet[Case]:
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data.get("place"):
            qs = qs.filter(subtree_q(data["place"]))
        if data.get("state") == "open":
            qs = qs.filter(status__in=sorted(OPEN_STATUSES))
        elif data.get("state") == "resolved":
            qs = qs.filter(status__in=RESOLVED_STATUSES)
        steps = ErrandStep.objects.filter(case=OuterRef("pk"))
        todo = steps.filter(status=StepStatus.TODO)
        if data.get("progress") == "unplanned":
            qs = qs.filter(~Exists(steps))
        elif data.get("progress") == "in_progress":
            qs = qs.filter(Exists(todo))
        elif data.get("progress") == "all_done":
            qs = qs.filter(Exists(steps), ~Exists(todo))
        if data.get("mine"):
            qs = qs.filter(assignee=self.user)
        return qs
