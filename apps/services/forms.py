from typing import Any

from django import forms
from django.utils import timezone

from .batch import DEFAULT_K, DEFAULT_RADIUS_KM


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


class BatchForm(forms.Form):
    radius_km = forms.FloatField(
        label="服务半径(公里)", min_value=0.1, max_value=50, initial=DEFAULT_RADIUS_KM
    )
    k = forms.IntegerField(label="每人最多在办", min_value=1, max_value=20, initial=DEFAULT_K)


class ConfirmForm(forms.Form):
    pairs = forms.CharField(widget=forms.HiddenInput)

    def clean_pairs(self) -> list[tuple[int, int]]:
        try:
            pairs = [
                (int(c), int(u))
                for c, u in (item.split(":") for item in self.cleaned_data["pairs"].split(","))
            ]
        except ValueError as exc:
            raise forms.ValidationError("派单方案格式有误，请重新生成") from exc
        if len({c for c, _ in pairs}) != len(pairs):
            raise forms.ValidationError("同一工单在方案中出现多次")
        return pairs
