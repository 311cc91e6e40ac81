"""The one filter of the mediation list, shared by the page and the API."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from apps.places.filters import ScopedPlaceFilterMixin, area_choices
from apps.places.models import subtree_q

from .choices import MediationStatus, MediatorKind
from .models import Mediation


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


class MediationFilter(ScopedPlaceFilterMixin, forms.Form):
    """place: the dispute's area; status; a mediator kind taking part; opened (created) and
    concluded periods — the indicators link here with those dates."""

    place = forms.TypedChoiceField(label="区域", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="调解状态", required=False, choices=[("", "全部"), *MediationStatus.choices]
    )
    mediator_kind = forms.ChoiceField(
        label="调解员类型", required=False, choices=[("", "全部"), *MediatorKind.choices]
    )
    created_from = _date("发起日期从")
    created_to = _date("发起日期到")
    concluded_from = _date("结束日期从")
    concluded_to = _date("结束日期到")

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        place_field = self.fields["place"]
        assert isinstance(place_field, forms.TypedChoiceField)
        place_field.choices = area_choices(user)
        place_field.valid_value = lambda value: True  # type: ignore[method-assign]

    def filter(self, qs: QuerySet[Mediation]) -> QuerySet[Mediation]:
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data.get("place"):
            qs = qs.filter(subtree_q(data["place"], "case__place"))
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("mediator_kind"):
            qs = qs.filter(
                pk__in=Mediation.objects.filter(mediators__kind=data["mediator_kind"]).values("pk")
            )
        for name, lookup in (
            ("created_from", "created_at__date__gte"),
            ("created_to", "created_at__date__lte"),
            ("concluded_from", "concluded_at__date__gte"),
            ("concluded_to", "concluded_at__date__lte"),
        ):
            if data.get(name):
                qs = qs.filter(**{lookup: data[name]})
        return qs
