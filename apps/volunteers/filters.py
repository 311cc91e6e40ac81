"""The one filter of the volunteer list, shared by the page, the Excel export and the API."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from apps.people.models import Skill
from apps.places.filters import ScopedPlaceFilterMixin, area_choices
from apps.places.models import subtree_q

from .choices import STAR_NAMES, VolunteerStatus
from .models import Volunteer
from .selectors import star_thresholds

STAR_CHOICES = [("", "全部"), ("0", "未达星级")] + [
    (str(n), name) for n, name in enumerate(STAR_NAMES) if n
]


class VolunteerFilter(ScopedPlaceFilterMixin, forms.Form):
    primary = ("name", "place", "skill")

    name = forms.CharField(label="姓名", required=False, max_length=50)
    place = forms.TypedChoiceField(label="区域", required=False, coerce=int, empty_value=None)
    skill = forms.ModelChoiceField(
        label="技能",
        required=False,
        queryset=Skill.objects.all(),
        to_field_name="code",
        empty_label="全部",
        error_messages={"invalid_choice": "未知的技能"},
    )
    star = forms.ChoiceField(label="星级", required=False, choices=STAR_CHOICES)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *VolunteerStatus.choices],
        error_messages={"invalid_choice": "未知的志愿者状态"},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        place = self.fields["place"]
        assert isinstance(place, forms.TypedChoiceField)
        place.choices = area_choices(user)

    def apply(self, qs: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
        """`qs` must carry the `approved_hours` annotation (selectors.volunteer_rows)."""
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        if d.get("name"):
            qs = qs.filter(person__name__contains=d["name"].strip())
        if d.get("place") is not None:
            qs = qs.filter(subtree_q(d["place"], "person__place"))
        if d.get("skill") is not None:
            qs = qs.filter(skills=d["skill"])
        if d.get("status"):
            qs = qs.filter(status=d["status"])
        if d.get("star") not in (None, ""):
            qs = qs.filter(_star_q(int(d["star"])))
        return qs


def _star_q(level: int) -> Q:
    bounds = (Decimal("0"), *(Decimal(t) for t in star_thresholds()))
    q = Q(approved_hours__gte=bounds[level])
    if level + 1 < len(bounds):
        q &= Q(approved_hours__lt=bounds[level + 1])
    return q
