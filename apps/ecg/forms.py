"""Forms of the ECG pages. They only shape input; the actions validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import (
    Outcome,
    ReferralDecision,
    ReferralStep,
    Sex,
    Treatment,
)
from .models import DiagnosisTerm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files (a WFDB record is a .hea with its .dat)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class ExamUploadForm(forms.Form):
    clinic = forms.ModelChoiceField(label="送检机构", queryset=Place.objects.none())
    signal_files = MultipleFileField(
        label="心电文件",
        help_text="WFDB（.hea 与 .dat 一起选，或打包为 .zip）、DICOM、HL7 aECG XML 或 CSV",
    )
    patient_name = forms.CharField(label="患者姓名", max_length=50)
    patient_sex = forms.ChoiceField(label="性别", choices=[("", "—"), *Sex.choices], required=False)
    patient_age = forms.IntegerField(label="年龄", min_value=0, max_value=130, required=False)
    patient_birth_date = forms.DateField(
        label="出生日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    id_number = forms.CharField(label="身份证号（可选）", max_length=18, required=False)
    symptoms = forms.CharField(label="症状", max_length=200, required=False)
    symptom_onset_at = forms.DateTimeField(
        label="症状出现时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(label="检查原因", max_length=200, required=False)
    fs = forms.FloatField(label="采样率 Hz（CSV 文件未注明时）", required=False, min_value=1)
    units = forms.ChoiceField(
        label="单位（CSV 文件未注明时）",
        required=False,
        choices=[("", "—"), ("mV", "mV"), ("uV", "µV")],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clinics = (
            Place.objects.visible_to(user)
            .filter(kind__in=[PlaceKind.CLINIC, PlaceKind.HOSPITAL])
            .order_by("path")
        )
        self.fields["clinic"].queryset = clinics  # type: ignore[attr-defined]
        if clinics.count() == 1:
            self.fields["clinic"].initial = clinics.first()

    def action_kwargs(self, uploaded: dict[str, bytes]) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "clinic": data["clinic"],
            "files": uploaded,
            "patient": {
                "name": data["patient_name"],
                "sex": data["patient_sex"],
                "age": data["patient_age"],
                "birth_date": data["patient_birth_date"],
                "id_number": data["id_number"],
                "symptoms": data["symptoms"],
                "symptom_onset_at": data["symptom_onset_at"],
                "reason": data["reason"],
            },
            "fs": data["fs"],
            "units": data["units"],
        }


class ReportForm(forms.Form):
    heart_rate = forms.IntegerField(label="心率(次/分)", required=False, min_value=0, max_value=400)
    pr_ms = forms.IntegerField(label="PR(ms)", required=False, min_value=0, max_value=1000)
    qrs_ms = forms.IntegerField(label="QRS(ms)", required=False, min_value=0, max_value=400)
    qt_ms = forms.IntegerField(label="QT(ms)", required=False, min_value=0, max_value=1000)
    qtc_ms = forms.IntegerField(label="QTc(ms)", required=False, min_value=0, max_value=1000)
    axis_deg = forms.IntegerField(label="电轴(°)", required=False, min_value=-180, max_value=360)
    terms = forms.ModelMultipleChoiceField(
        label="诊断",
        required=False,
        to_field_name="code",
        queryset=DiagnosisTerm.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    free_text = forms.CharField(label="其他诊断", max_length=300, required=False)
    conclusion = forms.CharField(
        label="结论", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "measurements": {
                k: data[k] for k in ("heart_rate", "pr_ms", "qrs_ms", "qt_ms", "qtc_ms", "axis_deg")
            },
            "term_codes": [t.code for t in data["terms"]],
            "free_text": data["free_text"],
            "conclusion": data["conclusion"],
        }


class CheckForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审核", coerce=lambda v: v == "1", choices=[("1", "同意发布"), ("0", "退回修改")]
    )
    note = forms.CharField(label="意见", max_length=300, required=False)


class AcknowledgeForm(forms.Form):
    read_back = forms.CharField(
        label="复述危急值",
        max_length=300,
        help_text="请复述收到的危急值内容（如“急性ST段抬高型心肌梗死”）",
    )


class ReferralStepForm(forms.Form):
    step = forms.ChoiceField(label="环节", choices=ReferralStep.choices)
    at = forms.DateTimeField(
        label="时间", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    decision = forms.ChoiceField(
        label="决定", required=False, choices=[("", "—"), *ReferralDecision.choices]
    )
    destination = forms.ModelChoiceField(
        label="转往医院",
        required=False,
        queryset=Place.objects.filter(kind=PlaceKind.HOSPITAL).order_by("path"),
    )
    treatment = forms.ChoiceField(
        label="治疗", required=False, choices=[("", "—"), *Treatment.choices]
    )
    outcome = forms.ChoiceField(label="转归", required=False, choices=[("", "—"), *Outcome.choices])
    note = forms.CharField(label="备注", max_length=300, required=False)

    def action_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["at"] = data["at"] or timezone.now()
        return data
