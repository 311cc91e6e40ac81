from typing import Any

from django import forms
from django.utils import timezone

from apps.cases.models import Category
from apps.orgs.models import Organisation
from apps.people.models import CareTag
from apps.places.models import Place
from apps.volunteers.models import Volunteer

from .choices import ENTRY_KINDS


class CampaignForm(forms.Form):
    name = forms.CharField(label="调研名称", max_length=80)
    area = forms.IntegerField(widget=forms.HiddenInput)
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.CharField(label="调研队", max_length=100, required=False)


class SurveyForm(forms.Form):
    """A household's needs: a tick per category of the catalogue, with the number of people."""

    notes = forms.CharField(
        label="备注", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        categories: list[Category],
        initial_needs: dict[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = categories
        initial_needs = initial_needs or {}
        for category in categories:
            self.fields[f"need_{category.pk}"] = forms.BooleanField(
                label=category.name, required=False, initial=category.pk in initial_needs
            )
            self.fields[f"persons_{category.pk}"] = forms.IntegerField(
                label="人数",
                min_value=1,
                max_value=50,
                initial=initial_needs.get(category.pk, 1),
                required=False,
                widget=forms.NumberInput(attrs={"class": "persons", "inputmode": "numeric"}),
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"need_{c.pk}"], self[f"persons_{c.pk}"]) for c in self.categories]

    def needs(self) -> dict[Category, int]:
        data = self.cleaned_data
        return {
            c: data.get(f"persons_{c.pk}") or 1 for c in self.categories if data.get(f"need_{c.pk}")
        }


class BrandForm(forms.Form):
    name = forms.CharField(label="品牌名称", max_length=60)
    description = forms.CharField(label="简介", max_length=300, required=False)
    started_on = forms.DateField(
        label="启动日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    communities = forms.ModelMultipleChoiceField(
        label="服务社区", queryset=Place.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    categories = forms.ModelMultipleChoiceField(
        label="承接的服务",
        queryset=Category.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    target_tags = forms.ModelMultipleChoiceField(
        label="服务对象",
        queryset=CareTag.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    partners = forms.ModelMultipleChoiceField(
        label="共建单位",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, communities: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = communities  # type: ignore[attr-defined]
        self.fields["partners"].queryset = partners  # type: ignore[attr-defined]


class BrandEditForm(BrandForm):
    """The brand page's edit form: the profile plus its volunteers and whether it runs."""

    active = forms.BooleanField(label="运行中", required=False)
    volunteers = forms.ModelMultipleChoiceField(
        label="志愿者",
        queryset=Volunteer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, volunteers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = volunteers  # type: ignore[attr-defined]


class FundEntryForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[(k.value, k.label) for k in ENTRY_KINDS])
    amount = forms.DecimalField(label="金额(元)", min_value=0.01, decimal_places=2, max_digits=12)
    occurred_on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    purpose = forms.CharField(label="来源/用途", max_length=200)
    voucher = forms.CharField(label="凭证号", max_length=60, required=False)
    source = forms.TypedChoiceField(label="出资单位", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, partners: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.partners = {p.pk: p for p in partners}
        self.fields["source"].choices = [("", "—")] + [(p.pk, p.name) for p in partners]  # type: ignore[attr-defined]

    def source_org(self) -> Any:
        return self.partners.get(self.cleaned_data.get("source"))  # type: ignore[arg-type]


class ReverseForm(forms.Form):
    reason = forms.CharField(label="冲正原因", max_length=150)


class AttributeForm(forms.Form):
    case = forms.IntegerField(widget=forms.HiddenInput)
    assignee = forms.IntegerField(label="派给志愿者", required=False)


class DetachForm(forms.Form):
    reason = forms.CharField(label="移出原因", max_length=150)
