"""The one filter of the meeting list (and of the decisions list), shared by the pages, the
API and the indicators' links."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from apps.places.filters import ScopedPlaceFilterMixin, area_choices
from apps.places.models import subtree_q

from .choices import MeetingKind, MeetingStatus
from .models import AgendaItem, Meeting

HELD_CHOICE = "held_or_closed"


class MeetingFilter(ScopedPlaceFilterMixin, forms.Form):
    """area (`place`: its subtree), kind, status (or 已召开含已结束), period of the meeting
    date; for decisions also `solved` (1: solved only, 0: not yet)."""

    primary = ("place", "kind", "date_from", "date_to")

    place = forms.TypedChoiceField(label="区域", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label="会议类型",
        required=False,
        choices=[("", "全部"), *MeetingKind.choices],
        error_messages={"invalid_choice": "会议类型不在可选范围内"},
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), (HELD_CHOICE, "已召开（含已结束）"), *MeetingStatus.choices],
        error_messages={"invalid_choice": "状态不在可选范围内"},
    )
    date_from = forms.DateField(
        label="会议日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="会议日期到", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    solved = forms.TypedChoiceField(
        label="是否已解决",
        required=False,
        choices=[("", "全部"), ("1", "已解决"), ("0", "未解决")],
        coerce=int,
        empty_value=None,
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        place_field = self.fields["place"]
        assert isinstance(place_field, forms.TypedChoiceField)
        place_field.choices = area_choices(user)
        place_field.valid_value = lambda value: True  # type: ignore[method-assign]

    def _q(self, prefix: str) -> Q:
        data = self.cleaned_data
        q = Q()
        if data.get("place"):
            q &= subtree_q(data["place"], f"{prefix}area")
        if data.get("kind"):
            q &= Q(**{f"{prefix}kind": data["kind"]})
        status = data.get("status")
        if status == HELD_CHOICE:
            q &= Q(**{f"{prefix}status__in": [MeetingStatus.HELD, MeetingStatus.CLOSED]})
        elif status:
            q &= Q(**{f"{prefix}status": status})
        if data.get("date_from"):
            q &= Q(**{f"{prefix}starts_at__date__gte": data["date_from"]})
        if data.get("date_to"):
            q &= Q(**{f"{prefix}starts_at__date__lte": data["date_to"]})
        return q

    def filter(self, qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        return qs.filter(self._q(""))

    def filter_items(self, qs: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
        """The same conditions on the items' meetings; `solved` on annotated items."""
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        qs = qs.filter(self._q("meeting__"))
        solved = self.cleaned_data.get("solved")
        if solved is not None:
            qs = qs.filter(**{"is_solved": bool(solved)})
        return qs
