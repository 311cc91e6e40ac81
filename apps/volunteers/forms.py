"""Forms of the volunteer pages: hours, decisions, the certificate period, self-registration
and the record's small forms."""

from typing import Any

from django import forms
from django.utils import timezone

from apps.core.validators import FORM_TOKEN_RE
from apps.people.models import Skill
from apps.places.selectors import community_choices

from .choices import ExceptionKind, TrainingKind


class HoursForm(forms.Form):
    served_on = forms.DateField(label="服务日期", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="时长(小时)", min_value=0.1, max_value=24, decimal_places=1)
    case = forms.IntegerField(label="工单编号", required=False)
    activity = forms.CharField(label="服务活动", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "认定"), ("decline", "不予认定")])
    note = forms.CharField(label="审核意见", max_length=200, required=False)


class PeriodForm(forms.Form):
    start = forms.DateField(label="起", required=False)
    end = forms.DateField(label="止", required=False)

    def period(self) -> tuple[Any, Any]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("start") or today.replace(month=1, day=1), data.get("end") or today


# --- self-registration, volunteer record, points ------------------------------------------

WEEKDAY_LABELS = (
    ("mon", "周一"),
    ("tue", "周二"),
    ("wed", "周三"),
    ("thu", "周四"),
    ("fri", "周五"),
    ("sat", "周六"),
    ("sun", "周日"),
)
DAY_PARTS = (("08:00-12:00", "上午"), ("14:00-18:00", "下午"), ("19:00-21:00", "晚上"))
AVAILABILITY_CHOICES = [
    (f"{day}|{span}", f"{day_label}{part}")
    for day, day_label in WEEKDAY_LABELS
    for span, part in DAY_PARTS
]


def availability_from(values: list[str]) -> dict[str, list[str]]:
    """{"mon": ["08:00-12:00"], …} from the ticked "day|span" boxes."""
    pattern: dict[str, list[str]] = {}
    for value in values:
        day, span = value.split("|", 1)
        pattern.setdefault(day, []).append(span)
    return pattern


class ApplicationForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "请填写手机号码，社区审核时会联系您"},
    )
    community = forms.TypedChoiceField(
        label="所在社区/村", coerce=int, error_messages={"required": "请选择所在社区/村"}
    )
    address = forms.CharField(
        label="住址",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：幸福小区1栋1单元101室"}),
        error_messages={"required": "请填写住址"},
    )
    skills = forms.ModelMultipleChoiceField(
        label="特长技能",
        required=False,
        queryset=Skill.objects.order_by("id"),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label="可服务时间",
        required=False,
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    certificates = forms.CharField(
        label="证书（可选，多个用顿号分隔）",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：持证社工、急救员证"}),
    )
    motivation = forms.CharField(
        label="自我介绍（可选）", required=False, max_length=300, widget=forms.Textarea({"rows": 3})
    )
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        assert isinstance(community, forms.TypedChoiceField)
        community.choices = community_choices()

    def clean_form_token(self) -> str:
        token = self.cleaned_data["form_token"]
        if not FORM_TOKEN_RE.match(token):
            raise forms.ValidationError("页面已过期，请刷新后重新填写")
        return token

    def certificate_names(self) -> list[str]:
        raw = self.cleaned_data.get("certificates") or ""
        return [
            c.strip() for c in raw.replace(",", "、").replace("，", "、").split("、") if c.strip()
        ]


class ApplicationDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "通过"), ("decline", "不通过")])
    place = forms.IntegerField(required=False)
    note = forms.CharField(label="审核意见", max_length=200, required=False)


class CertificateForm(forms.Form):
    name = forms.CharField(label="证书名称", max_length=50)
    number = forms.CharField(label="证书编号", max_length=50, required=False)
    issued_on = forms.DateField(
        label="发证日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class TrainingForm(forms.Form):
    title = forms.CharField(label="培训内容", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=TrainingKind.choices)
    held_on = forms.DateField(label="培训日期", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="学时", min_value=0.1, max_value=200, decimal_places=1)
    organiser = forms.CharField(label="组织单位", max_length=100, required=False)


class ExceptionForm(forms.Form):
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="类型", choices=ExceptionKind.choices)
    start = forms.TimeField(
        label="开始（全天不填）", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label="结束", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label="说明", max_length=100, required=False)


class NoShowForm(forms.Form):
    happened_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    case = forms.IntegerField(label="工单编号", required=False)
    activity = forms.CharField(label="活动", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class PointsForm(forms.Form):
    amount = forms.IntegerField(label="积分", min_value=1, max_value=100000)
    note = forms.CharField(label="理由/去向", max_length=200)


class RewardItemForm(forms.Form):
    community = forms.TypedChoiceField(label="社区", coerce=int)
    name = forms.CharField(label="名称", max_length=60)
    cost = forms.IntegerField(label="所需积分", min_value=1)
    stock = forms.IntegerField(label="库存", min_value=0)


class RestockForm(forms.Form):
    add = forms.IntegerField(label="补充库存", min_value=1, max_value=100000)
