from typing import Any

from django import forms

from .models import ErrandTemplate


class AddStepsForm(forms.Form):
    """Steps from a template, and/or typed by hand: one per line, "步骤 @ 地点"."""

    template = forms.ModelChoiceField(
        label="按模板添加",
        queryset=ErrandTemplate.objects.none(),
        required=False,
        empty_label="不使用模板",
    )
    lines = forms.CharField(
        label="自定义步骤（每行一个，可写“步骤 @ 地点”）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]

    def steps(self) -> list[tuple[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("lines") or "").splitlines():
            name, _, office = line.partition("@")
            if name.strip():
                rows.append((name.strip(), office.strip()))
        return rows


class CompleteStepForm(forms.Form):
    note = forms.CharField(label="说明", max_length=200, required=False)


class ResolveErrandForm(forms.Form):
    note = forms.CharField(label="办结说明（可选）", max_length=300, required=False)
