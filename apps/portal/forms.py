"""The resident's report form and the rating form. Places come from a sticker's code, a pick
within a community, or the phone's position; the reporter's phone is checked here and stored
encrypted by the case intake."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from apps.cases.choices import Rating
from apps.cases.errors import InvalidTransitionData
from apps.cases.images import check_image
from apps.cases.models import Category
from apps.core.validators import (
    FORM_TOKEN_RE,
    ControlCharsStripped,
    normalise_phone,
    phone_error,
)
from apps.open311 import locate
from apps.open311.attributes import clean_attributes, service_attributes
from apps.places.choices import PlaceKind
from apps.places.models import Place
from apps.places.selectors import community_choices

from . import selectors


class ReportForm(ControlCharsStripped, forms.Form):
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
    landmark = forms.CharField(
        label="具体位置（没有合适的楼栋时填写）",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：村口桥头、菜市场东门"}),
    )
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
        if not FORM_TOKEN_RE.match(token):
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
        """The place of the report, most precise first: a sticker's code, a place picked from
        the search (inside the chosen community, if one is chosen), the grid whose boundary
        holds the phone's position, the chosen community. A position never lands on a building
        by nearness: a bridge at the village entrance is filed under its grid with its
        coordinates and the resident's own words (`landmark`)."""
        community = None
        if data.get("community"):
            community = Place.objects.filter(pk=data["community"], kind=PlaceKind.COMMUNITY).first()
        if data.get("place_code"):
            self.place = Place.objects.filter(code=data["place_code"].strip()).first()
            if self.place is None or self.place.kind in (PlaceKind.COUNTY, PlaceKind.TOWN):
                self.add_error(None, "二维码中的地点编码无效，请选择所在社区/村")
                self.place = None
            return
        if data.get("place_pick"):
            self.place = self._picked(data["place_pick"], community)
            if self.place is None:
                return
        if self.place is None and locate.valid_point(data.get("lat"), data.get("lng")):
            self.place = self._area_of_point(data["lat"], data["lng"], community)
        if self.place is None:
            self.place = community
        if self.place is None:
            self.add_error("community", "请选择所在社区/村，或使用手机定位")

    def _picked(self, pk: int, community: Place | None) -> Place | None:
        picked = (
            Place.objects.filter(pk=pk).exclude(kind__in=[PlaceKind.COUNTY, PlaceKind.TOWN]).first()
        )
        if picked is None:
            self.add_error(None, "所选地点不存在，请重新搜索")
        elif community is not None and not picked.is_within(community):
            self.add_error(None, f"所选地点不在{community.name}，请重新选择社区/村或地点")
            picked = None
        return picked

    @staticmethod
    def _area_of_point(lat: float, lng: float, community: Place | None) -> Place | None:
        """The grid (else community) whose boundary holds the point; when the resident chose
        a community the point is not in, their choice wins and the point is kept as given."""
        areas = selectors.locate_point(lat, lng).areas
        inner = [a for a in areas if a.kind in (PlaceKind.GRID, PlaceKind.COMMUNITY)]
        if community is not None and not any(a.pk == community.pk for a in inner):
            return community
        return inner[-1] if inner else None

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


class RatingForm(ControlCharsStripped, forms.Form):
    rating = forms.ChoiceField(
        label="您对办理结果满意吗", choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="意见或建议（可选）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FindForm(forms.Form):
    number = forms.CharField(
        label="事项编号",
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "如：SX00000042", "autocomplete": "off"}),
        error_messages={"required": "请填写事项编号"},
    )
    last_four = forms.CharField(
        label="联系电话后四位",
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": "请填写电话后四位",
            "min_length": "请填写电话的后四位数字",
            "max_length": "请填写电话的后四位数字",
        },
    )
