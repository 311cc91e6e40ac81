from typing import Any

from django import forms
from django.utils import timezone

from apps.cases.models import Category
from apps.orgs.models import Organisation
from apps.people.models import Person

from .choices import CarerKind, ContactKind


class PairingForm(forms.Form):
    """结对: the carer (from the candidates of the person's town), role, school, start."""

    carer = forms.ModelChoiceField(label="结对人", queryset=Person.objects.none())
    carer_kind = forms.ChoiceField(label="结对人身份", choices=CarerKind.choices)
    school = forms.ModelChoiceField(
        label="学校", queryset=Organisation.objects.none(), required=False
    )
    start_date = forms.DateField(
        label="开始日期",
        initial=timezone.localdate,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, carers: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = carers  # type: ignore[attr-defined]
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]


class ContactForm(forms.Form):
    """登记联系: how, when, what was seen, and a need to register as a case (optional)."""

    kind = forms.ChoiceField(
        label="联系方式",
        choices=ContactKind.choices,
        initial=ContactKind.HOME_VISIT,
        widget=forms.RadioSelect,
    )
    contacted_on = forms.DateField(
        label="日期",
        initial=timezone.localdate,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label="情况记录", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    needs = forms.CharField(
        label="发现的需求", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    need_category = forms.ModelChoiceField(
        label="登记为事项：类别",
        queryset=Category.objects.filter(active=True),
        required=False,
        empty_label="不登记",
    )
    need_title = forms.CharField(label="事项标题", max_length=200, required=False)


class EndPairingForm(forms.Form):
    reason = forms.CharField(label="结束原因", max_length=200)
