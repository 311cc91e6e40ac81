from typing import Any

from django import forms

from apps.cases.models import Category


class VisitRecordForm(forms.Form):
    """The checklist (one box per item of the plan), notes and the optional position."""

    notes = forms.CharField(
        label="走访情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)

    def __init__(self, *args: Any, checklist: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for i, item in enumerate(checklist):
            self.fields[f"item_{i}"] = forms.BooleanField(label=item, required=False)

    def answers(self) -> dict[str, bool]:
        return {item: self.cleaned_data[f"item_{i}"] for i, item in enumerate(self.checklist)}

    def checklist_fields(self) -> list[Any]:
        return [self[f"item_{i}"] for i in range(len(self.checklist))]


class UnreachableForm(forms.Form):
    reason = forms.CharField(label="未能入户原因", max_length=200)


class NeedForm(forms.Form):
    """登记诉求: a need found at the door, registered as a case in one tap."""

    category = forms.ModelChoiceField(
        label="事项类别", queryset=Category.objects.filter(active=True)
    )
    title = forms.CharField(label="诉求", max_length=200)
    description = forms.CharField(
        label="详细情况", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
