"""The one filter of the organisations list, shared by the page and the API."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.places.filters import ScopedPlaceFilterMixin, area_choices
from apps.places.models import subtree_q

from .choices import OrgKind
from .models import Organisation


class OrganisationFilter(ScopedPlaceFilterMixin, forms.Form):
    name = forms.CharField(label=_("名称"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[("", "全部"), *OrgKind.choices],
        error_messages={"invalid_choice": "未知的组织类型"},
    )
    place = forms.TypedChoiceField(label=_("区域"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        place_field = self.fields["place"]
        assert isinstance(place_field, forms.TypedChoiceField)
        place_field.choices = area_choices(user)
        place_field.valid_value = lambda value: True  # type: ignore[method-assign]

    def filter(self, qs: QuerySet[Organisation]) -> QuerySet[Organisation]:
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data.get("name"):
            qs = qs.filter(name__contains=data["name"].strip())
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("place"):
            qs = qs.filter(subtree_q(data["place"]))
        return qs
