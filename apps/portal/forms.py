"""The resident's report form and the rating form. Places come from a sticker's code, a pick
within a community, or the phone's position; the reporter's phone is checked here and stored
encrypted by the case intake."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from apps.cases.choices import Rating
from apps.cases.errors import InvalidTransitionData
from apps.cases.images import check_image
from apps.cases.models import Category
from apps.core.validators import normalise_phone, phone_error
from apps.open311 import locate
from apps.open311.attributes import clean_attributes, service_attributes
from apps.places.choices import PlaceKind
from apps.places.models import Place

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def community_choices() -> list[tuple[Any, Any]]:
    """Communities grouped by town, for the select."""
    groups: dict[str, list[tuple[int, str]]] = {}
    rows = Place.objects.filter(kind=PlaceKind.COMMUNITY).select_related("parent").order_by("path")
    for place in rows:
        groups.setdefault(place.parent.name if place.parent_id else "", []).append(
            (place.pk, place.name)
        )
    return [("", "请选择社区/村"), *groups.items()]


class ReportForm(forms.Form):
    description = forms.CharField(
        label="情况描述",
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "请说明需要什么帮助或发现了什么问题"}
        ),
        error_messages={"required": "请填写情况描述"},
    )
    photo = forms.FileField(label="照片（可选）", required=False)
    place_code = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    community = forms.TypedChoiceField(label="所在社区/村", coerce=int, required=False)
    place_pick = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="您的称呼", max_length=50, required=False)
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "请填写联系电话，便于办理人员联系您"},
    )
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, category: Category, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        community = self.fields["community"]
        assert isinstance(community, forms.TypedChoiceField)
        community.choices = community_choices()
        self.attributes = service_attributes(category)
        for attribute in self.attributes:
            self.fields[f"attr_{attribute['code']}"] = self._attribute_field(attribute)
        self.place: Place | None = None
        self.attribute_values: dict[str, Any] = {}

    @staticmethod
    def _attribute_field(attribute: dict[str, Any]) -> forms.Field:
        label = attribute["description"]
        required = attribute["required"]
        if attribute["datatype"] == "singlevaluelist":
            choices = [("", "请选择"), *((v["key"], v["name"]) for v in attribute["values"])]
            return forms.ChoiceField(label=label, required=required, choices=choices)
        if attribute["datatype"] == "multivaluelist":
            choices = [(v["key"], v["name"]) for v in attribute["values"]]
            return forms.MultipleChoiceField(
                label=label, required=required, choices=choices, widget=forms.CheckboxSelectMultiple
            )
        if attribute["datatype"] == "text":
            return forms.CharField(
                label=label, required=required, widget=forms.Textarea({"rows": 2})
            )
        return forms.CharField(label=label, required=required, max_length=500)

    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[f"attr_{a['code']}"] for a in self.attributes]

    def clean_form_token(self) -> str:
        token = self.cleaned_data["form_token"]
        if not TOKEN_RE.match(token):
            raise ValidationError("页面已过期，请刷新后重新填写")
        return token

    def clean_phone(self) -> str:
        value = normalise_phone(self.cleaned_data["phone"])
        error = phone_error(value)
        if error:
            raise ValidationError(error)
        return value

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo:
            try:
                check_image(photo)
            except InvalidTransitionData as exc:
                raise ValidationError(exc.message) from exc
        return photo

    def _resolve_place(self, data: dict[str, Any]) -> None:
        community = None
        if data.get("community"):
            community = Place.objects.filter(pk=data["community"], kind=PlaceKind.COMMUNITY).first()
        if data.get("place_code"):
            self.place = Place.objects.filter(code=data["place_code"].strip()).first()
            if self.place is None or self.place.kind in (PlaceKind.COUNTY, PlaceKind.TOWN):
                self.add_error(None, "二维码中的地点编码无效，请选择所在社区/村")
                self.place = None
            return
        if community is not None and data.get("place_pick"):
            self.place = Place.objects.subtree(community).filter(pk=data["place_pick"]).first()
        if self.place is None and locate.valid_point(data.get("lat"), data.get("lng")):
            root = community or Place.objects.filter(parent__isnull=True).order_by("path").first()
            if root is not None:
                self.place = locate.nearest_place(root, data["lat"], data["lng"])
        if self.place is None:
            self.place = community
        if self.place is None:
            self.add_error("community", "请选择所在社区/村，或使用手机定位")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._resolve_place(data)
        submitted = {}
        for attribute in self.attributes:
            value = data.get(f"attr_{attribute['code']}")
            submitted[attribute["code"]] = value if isinstance(value, list) else [value or ""]
        self.attribute_values, errors = clean_attributes(self.category, submitted)
        for code, message in errors.items():
            if not self.has_error(f"attr_{code}"):
                self.add_error(f"attr_{code}", message)
        return data


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label="您对办理结果满意吗", choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="意见或建议（可选）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
