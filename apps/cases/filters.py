"""The one filter of the case list, shared by the inbox page and the API (and the target of
every KPI figure's link: `kpi_query`)."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.places.filters import ScopedPlaceFilterMixin, area_choices
from apps.places.models import subtree_q

from .choices import CaseKind, CaseSource, Level, Priority, Status
from .measures import Measure, counted, measure_q
from .models import Case, Category
from .worklist import todo_q

OPEN_CHOICE = "open"


def _choices(enum: Any, *, first: tuple[str, str] = ("", "全部")) -> list[tuple[str, str]]:
    return [first, *enum.choices]


class CaseFilter(ScopedPlaceFilterMixin, forms.Form):
    primary = ("todo", "q", "status", "category", "place")

    todo = forms.BooleanField(
        label="待我处理",
        required=False,
        help_text="需要本单位（或我本人）受理、派单、审批延期或办理的事项",
    )

    q = forms.CharField(label="关键词", required=False, max_length=50)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), (OPEN_CHOICE, "未办结"), *Status.choices],
        error_messages={"invalid_choice": "状态不在可选范围内"},
    )
    kind = forms.ChoiceField(
        label="类型",
        required=False,
        choices=_choices(CaseKind),
        error_messages={"invalid_choice": "类型不在可选范围内"},
    )
    source = forms.ChoiceField(
        label="来源",
        required=False,
        choices=_choices(CaseSource),
        error_messages={"invalid_choice": "来源不在可选范围内"},
    )
    priority = forms.ChoiceField(
        label="紧急程度",
        required=False,
        choices=_choices(Priority),
        error_messages={"invalid_choice": "紧急程度不在可选范围内"},
    )
    level = forms.ChoiceField(
        label="办理层级",
        required=False,
        choices=_choices(Level),
        error_messages={"invalid_choice": "办理层级不在可选范围内"},
    )
    category = forms.ModelChoiceField(
        label="事项类别",
        required=False,
        queryset=Category.objects.all(),
        to_field_name="code",
        empty_label="全部",
        error_messages={"invalid_choice": "未知的事项类别"},
    )
    place = forms.TypedChoiceField(label="区域", required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label="只看超期", required=False)
    supervised = forms.BooleanField(label="只看督办", required=False)
    mine = forms.BooleanField(label="我承办的", required=False)
    created_from = forms.DateField(
        label="登记日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label="登记日期到", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    measure = forms.ChoiceField(
        label="指标口径",
        required=False,
        choices=_choices(Measure),
        error_messages={"invalid_choice": "指标口径不在可选范围内"},
        help_text="三率指标中某个数字背后的事项（不含已合并、已撤销）",
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        place_field = self.fields["place"]
        assert isinstance(place_field, forms.TypedChoiceField)
        place_field.choices = area_choices(user)
        place_field.valid_value = lambda value: True  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("created_from"), data.get("created_to")
        if low and high and low > high:
            self.add_error("created_to", "结束日期不能早于开始日期")
        return data

    def filter(self, qs: QuerySet[Case]) -> QuerySet[Case]:
        """Apply the valid criteria; an invalid filter matches nothing rather than everything."""
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data.get("todo"):
            qs = qs.filter(todo_q(self.user))
        if data.get("q"):
            text = data["q"].strip()
            q = Q(title__contains=text) | Q(description__contains=text)
            if text.upper().startswith("SX") and text[2:].isdigit():
                q |= Q(pk=int(text[2:]))
            qs = qs.filter(q)
        status = data.get("status")
        if status == OPEN_CHOICE:
            qs = qs.open()  # type: ignore[attr-defined]
        elif status:
            qs = qs.filter(status=status)
        for name in ("kind", "source", "priority", "level"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("place"):
            qs = qs.filter(subtree_q(data["place"]))
        if data.get("overdue"):
            qs = qs.overdue(timezone.now())  # type: ignore[attr-defined]
        if data.get("supervised"):
            qs = qs.filter(supervised=True)
        if data.get("mine"):
            qs = qs.filter(assignee=self.user)
        if data.get("created_from"):
            qs = qs.filter(created_at__date__gte=data["created_from"])
        if data.get("created_to"):
            qs = qs.filter(created_at__date__lte=data["created_to"])
        if data.get("measure"):
            qs = qs.filter(counted()).filter(measure_q(data["measure"], timezone.now()))
        return qs


def kpi_query(place_id: int, date_from: dt.date, date_to: dt.date, **criteria: Any) -> str:
    """The query string of the case list showing exactly the cases behind one KPI figure:
    the KPI's place and period, a `measure` (default: all counted cases) and any further
    criteria (status, category, source, kind, a narrower period)."""
    params = {
        "place": place_id,
        "created_from": date_from.isoformat(),
        "created_to": date_to.isoformat(),
        "measure": Measure.TOTAL.value,
        **criteria,
    }
    return urlencode({k: str(v) for k, v in params.items()})
