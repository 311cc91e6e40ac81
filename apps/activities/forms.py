"""Forms of the activity pages; every write still goes through an action."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from apps.accounts.models import User
from apps.accounts.permissions import Cap, roles_with
from apps.orgs.models import Organisation
from apps.people.models import CareTag
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import ActivityKind

# Where activities happen: areas and the service stations, contact points in them.
PLACE_KINDS = (
    PlaceKind.COUNTY,
    PlaceKind.TOWN,
    PlaceKind.COMMUNITY,
    PlaceKind.GRID,
    PlaceKind.COMPOUND,
    PlaceKind.STATION,
    PlaceKind.CONTACT_POINT,
)
CHOICES_LIMIT = 500
LOCAL_DATETIME = {"type": "datetime-local"}


def _place_label(place: Place) -> str:
    return f"{'　' * max(place.depth - 1, 0)}{place.name}"


class ActivityForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=100)
    kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices)
    place = forms.ModelChoiceField(label="活动地点", queryset=Place.objects.none())
    address = forms.CharField(label="详细地址", max_length=200, required=False)
    start_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs=LOCAL_DATETIME)
    )
    end_at = forms.DateTimeField(label="结束时间", widget=forms.DateTimeInput(attrs=LOCAL_DATETIME))
    capacity = forms.IntegerField(label="名额（空为不限）", min_value=1, required=False)
    target_tags = forms.ModelMultipleChoiceField(
        label="服务对象",
        queryset=CareTag.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label="主办/协办单位", queryset=Organisation.objects.none(), required=False
    )
    organisers = forms.ModelMultipleChoiceField(
        label="组织人员", queryset=get_user_model().objects.none(), required=False
    )
    project = forms.CharField(label="所属项目/品牌", max_length=100, required=False)
    self_signup = forms.BooleanField(label="允许居民、志愿者自助报名", required=False, initial=True)
    description = forms.CharField(label="活动内容", widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = Place.objects.visible_to(user).filter(kind__in=PLACE_KINDS).order_by("path")
        place_field = self.fields["place"]
        place_field.queryset = places  # type: ignore[attr-defined]
        place_field.label_from_instance = _place_label  # type: ignore[attr-defined]
        place_field.widget.choices = [
            ("", "请选择"),
            *((p.pk, _place_label(p)) for p in places.only("id", "name", "depth")[:CHOICES_LIMIT]),
        ]
        organisations = Organisation.objects.visible_to(user).filter(active=True)
        self.fields["organisations"].queryset = (  # type: ignore[attr-defined]
            organisations.order_by("name")
        )
        self.fields["organisers"].queryset = (  # type: ignore[attr-defined]
            User.objects.visible_to(user)
            .filter(is_active=True, role__in=roles_with(Cap.ACTIVITIES_MANAGE))
            .order_by("username")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start_at") and data.get("end_at") and data["end_at"] <= data["start_at"]:
            self.add_error("end_at", "结束时间应晚于开始时间")
        return data


class ReachForm(forms.Form):
    online_viewers = forms.IntegerField(label="线上观看人次", min_value=0, initial=0)
    walk_ins = forms.IntegerField(label="现场未登记人次", min_value=0, initial=0)
    summary = forms.CharField(label="活动成效", widget=forms.Textarea, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label="照片", widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    caption = forms.CharField(label="说明", max_length=100, required=False)


class CheckinForm(forms.Form):
    """A resident without an account: name and the last four digits of the phone number."""

    name = forms.CharField(label="姓名", max_length=50)
    phone_suffix = forms.RegexField(
        label="手机号码后四位",
        regex=r"^\d{4}$",
        error_messages={"invalid": "请填写 4 位数字"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
