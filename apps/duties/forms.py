from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.people.models import Person
from apps.places.models import Place

from .choices import HOUSEHOLD_DUTIES, DutyKind
from .selectors import candidate_holders


class DutyAssignForm(forms.Form):
    """Assign a household duty (包联 by default) to a party member of the area."""

    person: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        queryset=Person.objects.none(), label=_("责任人"), empty_label=_("请选择党员")
    )
    kind = forms.ChoiceField(
        label=_("责任类型"),
        choices=[(k.value, k.label) for k in DutyKind if k in HOUSEHOLD_DUTIES],
        initial=DutyKind.BAOLIAN,
    )
    start_date = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, area: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidate_holders(user, area)  # type: ignore[attr-defined]
        self.fields["person"].label_from_instance = lambda p: (  # type: ignore[attr-defined]
            f"{p.name}（{p.phone_masked}）" if p.phone_masked else p.name
        )


class DutyEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
