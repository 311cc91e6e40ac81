import datetime as dt

from django import forms

from .choices import ReportKind


class RequestForm(forms.Form):
    place = forms.IntegerField(label="区域")
    kind = forms.ChoiceField(label="类型", choices=ReportKind.choices, initial=ReportKind.MONTH)
    period = forms.CharField(label="统计月份（季报取所在季度）", max_length=7)

    def clean_period(self) -> dt.date:
        try:
            return dt.datetime.strptime(self.cleaned_data["period"], "%Y-%m").date()
        except ValueError as exc:
            raise forms.ValidationError("请按“年-月”填写统计月份，如 2026-10") from exc
