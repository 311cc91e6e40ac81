from typing import Any

from django import forms
from django.utils import timezone

from apps.places.models import Place

from .choices import MediatorKind, Referral
from .models import Mediator


def _mediator_label(m: Any) -> str:
    unit = f" · {m.unit}" if m.unit else ""
    return f"{m.person.name}（{m.get_kind_display()} · {m.area.name}{unit}）"


class OpenMediationForm(forms.Form):
    mediators = forms.ModelMultipleChoiceField(
        label="调解员", queryset=Mediator.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    parties = forms.CharField(
        label="当事人（每行一人）", widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )

    def __init__(self, *args: Any, mediators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mediators"].queryset = mediators  # type: ignore[attr-defined]
        self.fields["mediators"].label_from_instance = _mediator_label  # type: ignore[attr-defined]

    def party_names(self) -> list[str]:
        return self.cleaned_data["parties"].replace("，", "\n").replace("、", "\n").splitlines()


class SessionForm(forms.Form):
    held_on = forms.DateField(
        label="日期",
        initial=timezone.localdate,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    location = forms.CharField(label="地点", max_length=100)
    participants = forms.CharField(label="参加人员", max_length=300)
    notes = forms.CharField(
        label="调解记录", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutcomeForm(forms.Form):
    agreed = forms.TypedChoiceField(
        label="调解结果",
        choices=[("1", "达成协议"), ("0", "未达成协议")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    agreement = forms.CharField(
        label="协议内容", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    agreed_on = forms.DateField(
        label="协议日期",
        required=False,
        initial=timezone.localdate,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    failure_reason = forms.CharField(label="未达成原因", max_length=200, required=False)
    referral = forms.ChoiceField(
        label="分流去向", required=False, choices=[("", "—"), *Referral.choices]
    )
    referral_note = forms.CharField(label="分流说明", max_length=200, required=False)


class ResolveForm(forms.Form):
    note = forms.CharField(label="办结说明（可选）", max_length=300, required=False)


class MediatorForm(forms.Form):
    person = forms.IntegerField(label="人员编号", widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="类型", choices=MediatorKind.choices)
    area = forms.ModelChoiceField(label="服务区域", queryset=Place.objects.none())
    unit = forms.CharField(label="工作单位", max_length=100, required=False)

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        self.fields["person"].widget = forms.NumberInput()
