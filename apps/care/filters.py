"""The filters of the care lists, shared by the pages and the API."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from apps.orgs.models import Organisation
from apps.people.models import CareTag
from apps.places.filters import ScopedPlaceFilterMixin, area_choices
from apps.places.models import subtree_q

from .choices import CHILD_TAG, DEFAULT_STALE_DAYS, CarerKind
from .models import Pairing


def _school_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="学校",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="全部",
        error_messages={"invalid_choice": "未知的学校"},
    )


class _Scoped(ScopedPlaceFilterMixin, forms.Form):
    def __init__(self, data: Any = None, *, user: Any, schools: Any = None, **kw: Any) -> None:
        super().__init__(data, **kw)
        self.user = user
        place_field = self.fields["place"]
        assert isinstance(place_field, forms.TypedChoiceField)
        place_field.choices = area_choices(user)
        place_field.valid_value = lambda value: True  # type: ignore[method-assign]
        if schools is not None:
            school_field = self.fields["school"]
            assert isinstance(school_field, forms.ModelChoiceField)
            school_field.queryset = schools


class CareGroupFilter(_Scoped):
    """The care group: an area (default: the account's scope) or a school, a care tag
    (default 留守儿童) and the number of days without contact that counts as stale."""

    place = forms.TypedChoiceField(label="区域", required=False, coerce=int, empty_value=None)
    school = _school_field()
    tag = forms.ModelChoiceField(
        label="关爱标签",
        required=False,
        queryset=CareTag.objects.filter(active=True),
        to_field_name="code",
        empty_label=None,
        error_messages={"invalid_choice": "未知的关爱标签"},
    )
    days = forms.IntegerField(
        label="未联系天数", required=False, min_value=1, max_value=366, initial=DEFAULT_STALE_DAYS
    )

    def __init__(self, data: Any = None, **kw: Any) -> None:
        # The list defaults to 留守儿童: the select must say so, bound without a tag or not
        # (it showed the first tag in the list, 独居老人, above a list of children).
        if data is not None and not data.get("tag"):
            data = data.copy()
            data["tag"] = CHILD_TAG
        super().__init__(data, **kw)
        self.fields["tag"].initial = CHILD_TAG

    def tag_code(self) -> str:
        tag = self.cleaned_data.get("tag") if self.is_valid() else None
        return tag.code if tag else CHILD_TAG

    def stale_days(self) -> int:
        days = self.cleaned_data.get("days") if self.is_valid() else None
        return days or DEFAULT_STALE_DAYS


class PairingFilter(_Scoped):
    """The pairing list of the API: area, school, carer's role, running only, a name."""

    q = forms.CharField(label="姓名", required=False, max_length=50)
    place = forms.TypedChoiceField(label="区域", required=False, coerce=int, empty_value=None)
    school = _school_field()
    carer_kind = forms.ChoiceField(
        label="结对人身份", required=False, choices=[("", "全部"), *CarerKind.choices]
    )
    current = forms.NullBooleanField(label="只看进行中", required=False)

    def filter(self, qs: QuerySet[Pairing]) -> QuerySet[Pairing]:
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data.get("q"):
            qs = qs.filter(Q(person__name__contains=data["q"]) | Q(carer__name__contains=data["q"]))
        if data.get("place"):
            qs = qs.filter(subtree_q(data["place"], "person__place"))
        if data.get("school"):
            qs = qs.filter(school=data["school"])
        if data.get("carer_kind"):
            qs = qs.filter(carer_kind=data["carer_kind"])
        if data.get("current") is True:
            qs = qs.current()  # type: ignore[attr-defined]
        return qs
