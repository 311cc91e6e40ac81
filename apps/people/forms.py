"""The person form of the create and edit pages. Validation of numbers, duplicates and scope
lives in the actions; the view copies their errors beside the fields."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import Relation, Sex
from .models import CareTag, Person

# Residents live in households; volunteers and staff may be registered at any area.
PERSON_PLACE_KINDS = (
    PlaceKind.HOUSEHOLD,
    PlaceKind.UNIT,
    PlaceKind.BUILDING,
    PlaceKind.COMPOUND,
    PlaceKind.GRID,
    PlaceKind.COMMUNITY,
)
PLACE_CHOICES_LIMIT = 500


def _place_label(place: Place) -> str:
    parents = [
        p.name
        for p in (place.parent.parent if place.parent else None, place.parent)
        if p is not None and p.kind not in (PlaceKind.COUNTY, PlaceKind.TOWN)
    ]
    return " ".join([*parents, place.name])  # a space: "第一网格康乐雅苑" ran together


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    place = forms.ModelChoiceField(
        label=_("所属户/地点"),
        queryset=Place.objects.none(),
        error_messages={
            "invalid_choice": "所选地点不存在或不在您的管辖范围内",
            "required": "请选择所属户/地点",
        },
    )
    relation = forms.ChoiceField(
        label=_("与户主关系"), required=False, choices=[("", "—"), *Relation.choices]
    )
    sex = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", "按身份证号"), *Sex.choices]
    )
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空则按身份证号"),
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    care_tags = forms.ModelMultipleChoiceField(
        label=_("关爱标签"),
        required=False,
        queryset=CareTag.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    trade = forms.CharField(
        label=_("从业行业"),
        required=False,
        max_length=30,
        help_text=_("在业者填写，如种植、养殖、物流、旅游服务、外出务工"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(
        self, *args: Any, user: Any, instance: Person | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        field = self.fields["place"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Place.objects.visible_to(user).filter(kind__in=PERSON_PLACE_KINDS)
        # Validation accepts any such place in scope; the drop-down lists a bounded number.
        offered = list(
            field.queryset.filter(kind=PlaceKind.HOUSEHOLD)
            .select_related("parent__parent")
            .order_by("path")[:PLACE_CHOICES_LIMIT]
        )
        current = self.initial.get("place") or (instance.place if instance else None)
        if isinstance(current, Place) and current not in offered:
            offered.insert(0, current)
        field.choices = [("", "—"), *((p.pk, _place_label(p)) for p in offered)]
        if instance is not None:
            self.fields[
                "id_number"
            ].help_text = f"已登记 {instance.id_number_masked or '无'}；留空则不修改"
            self.fields["phone"].help_text = f"已登记 {instance.phone_masked or '无'}；留空则不修改"

    def action_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.instance is not None:
            for secret in ("id_number", "phone"):
                if not data[secret]:
                    data.pop(secret)
        return data

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        return {
            "name": person.name,
            "place": person.place,
            "relation": person.relation,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "trade": person.trade,
            "note": person.note,
            "care_tags": list(person.care_tags.all()),
        }
