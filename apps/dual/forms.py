"""Forms of 双报到双报告: a registration, picking a need, completing it, the report month."""

import datetime as dt

from django import forms
from django.utils import timezone


class DualRegistrationForm(forms.Form):
    community = forms.TypedChoiceField(label="报到社区", coerce=int)
    organisation = forms.IntegerField(label="报到单位")
    party_member = forms.IntegerField(label="在职党员（单位报到不填）", required=False)
    contact = forms.CharField(
        label="单位联系人账号（接收月度报告）", max_length=150, required=False
    )
    registered_on = forms.DateField(
        label="报到日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label="备注", max_length=200, required=False)


class PickForm(forms.Form):
    case = forms.IntegerField(label="需求（工单编号）", required=False)
    activity_id = forms.IntegerField(label="活动编号", required=False)
    title = forms.CharField(label="服务内容", max_length=100, required=False)


class CompleteForm(forms.Form):
    served_on = forms.DateField(label="服务日期", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="时长(小时)", min_value=0.1, max_value=24, decimal_places=1)


class MonthForm(forms.Form):
    month = forms.RegexField(label="月份", regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)

    def first_day(self) -> dt.date:
        value = self.cleaned_data.get("month") if self.is_valid() else None
        if value:
            return dt.date(int(value[:4]), int(value[5:]), 1)
        today = timezone.localdate()
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
