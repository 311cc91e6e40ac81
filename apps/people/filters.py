"""The one filter of the people list, shared by the page and the API."""

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core import crypto
from apps.core.validators import normalise_id_number
from apps.places.choices import PlaceKind
from apps.places.filters import ScopedPlaceFilterMixin, area_choices
from apps.places.models import subtree_q

from .choices import PersonRole, Sex
from .models import CareTag, Person


def years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class PersonFilter(ScopedPlaceFilterMixin, forms.Form):
    primary = ("name", "initials", "phone_suffix")

    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    initials = forms.CharField(
        label=_("拼音首字母"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": "如 zgy", "autocapitalize": "off"}),
    )
    phone_suffix = forms.RegexField(
        label=_("电话后四位"),
        required=False,
        regex=r"^\d{4}$",
        error_messages={"invalid": "请输入电话号码的后4位数字"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
    )
    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=18)
    care_tag = forms.ModelChoiceField(
        label=_("关爱标签"),
        required=False,
        queryset=CareTag.objects.filter(active=True),
        to_field_name="code",
        empty_label=_("全部"),
        error_messages={"invalid_choice": "未知的关爱标签"},
    )
    role = forms.ChoiceField(
        label=_("身份"),
        required=False,
        choices=[("", "全部"), *PersonRole.choices],
        error_messages={"invalid_choice": "身份只能是居民、党员或志愿者"},
    )
    place = forms.TypedChoiceField(label=_("区域"), required=False, coerce=int, empty_value=None)
    sex = forms.ChoiceField(
        label=_("性别"),
        required=False,
        choices=[("", "全部"), *Sex.choices],
        error_messages={"invalid_choice": "性别只能是男或女"},
    )
    age_min = forms.IntegerField(label=_("年龄从"), required=False, min_value=0, max_value=150)
    age_max = forms.IntegerField(label=_("年龄到"), required=False, min_value=0, max_value=150)

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        place_field = self.fields["place"]
        assert isinstance(place_field, forms.TypedChoiceField)
        place_field.choices = area_choices(user)
        # Any id is accepted by the field; `clean_place` checks it against the scope.
        place_field.valid_value = lambda value: True  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", "年龄上限不能小于下限")
        return data

    def filter(self, qs: QuerySet[Person]) -> QuerySet[Person]:
        """Apply the valid criteria; an invalid filter matches nothing rather than everything."""
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data.get("name"):
            qs = qs.filter(name__contains=data["name"].strip())
        if data.get("initials"):
            qs = qs.filter(name_initials__startswith=data["initials"].strip().lower())
        if data.get("phone_suffix"):
            qs = qs.filter(phone_suffix=data["phone_suffix"])
        if data.get("id_number"):
            qs = qs.filter(
                id_number_index=crypto.blind_index(normalise_id_number(data["id_number"]))
            )
        if data.get("care_tag"):
            qs = qs.filter(care_tags=data["care_tag"])
        role = data.get("role")
        if role == PersonRole.RESIDENT:
            qs = qs.filter(place__kind=PlaceKind.HOUSEHOLD)
        elif role == PersonRole.PARTY_MEMBER:
            qs = qs.filter(party_member__isnull=False)
        elif role == PersonRole.VOLUNTEER:
            qs = qs.filter(volunteer__isnull=False)
        if data.get("place"):
            qs = qs.filter(subtree_q(data["place"]))
        if data.get("sex"):
            qs = qs.filter(sex=data["sex"])
        qs = qs.filter(self._age_q(data.get("age_min"), data.get("age_max")))
        return qs

    def _age_q(self, low: int | None, high: int | None) -> Q:
        today = date.today()
        q = Q()
        if not getattr(self.user, "can_reveal_personal_data", False):
            # By birth year only: exact ages would cut the year shown into days (ADR 0016).
            if low is not None:
                q &= Q(birth_date__year__lte=today.year - low)
            if high is not None:
                q &= Q(birth_date__year__gte=today.year - high)
            return q
        if low is not None:
            q &= Q(birth_date__lte=years_ago(today, low))
        if high is not None:
            q &= Q(birth_date__gt=years_ago(today, high + 1))
        return q
