from typing import Any

from django import forms
from django.core.validators import MaxValueValidator

from apps.cases.models import Category
from apps.duties.choices import DutyKind

from .choices import ASSIGNEE_KINDS, RECURRENCE_PRESETS
from .models import VisitPlan


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (checked later by the action with the cases' helpers)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


class VisitRecordForm(forms.Form):
    """The checklist (one box per item of the plan), notes and the optional position."""

    notes = forms.CharField(
        label="走访情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    photos = PhotosField(label="现场照片")

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


class VisitPhotosForm(forms.Form):
    photos = PhotosField(label="现场照片")


class HazardForm(forms.Form):
    """发现隐患: becomes a hazard case with a rectification deadline and a re-inspection."""

    category = forms.ModelChoiceField(
        label="隐患类别", queryset=Category.objects.filter(active=True)
    )
    title = forms.CharField(label="隐患描述", max_length=200)
    description = forms.CharField(
        label="详细情况", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label="整改期限",
        required=False,
        help_text="不填则按事项类别的办结时限",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class DisputeForm(forms.Form):
    """发现纠纷: becomes a dispute case (kind dispute) for mediation."""

    category = forms.ModelChoiceField(
        label="纠纷类别", queryset=Category.objects.filter(active=True)
    )
    title = forms.CharField(label="纠纷简述", max_length=200)
    description = forms.CharField(
        label="详细情况", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReinspectionForm(forms.Form):
    """复查 of a hazard: 已整改, or not yet with a new deadline."""

    rectified = forms.TypedChoiceField(
        label="复查结果",
        choices=[("yes", "已整改"), ("no", "未整改")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    new_deadline = forms.DateField(
        label="新的整改期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label="复查情况", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label="现场照片")


CUSTOM_RULE = "custom"


class PlanForm(forms.ModelForm):
    """A plan: kind, a recurrence preset or any RRULE, the scope place, the duty kinds whose
    holders visit, the checklist (one item a line), the window and the target rate."""

    preset = forms.ChoiceField(label="重复", choices=[])
    custom_rule = forms.CharField(
        label="自定义规则(RRULE)",
        required=False,
        max_length=200,
        help_text="如 FREQ=WEEKLY;INTERVAL=2;BYDAY=TU（每两周周二）",
    )
    duty_kinds = forms.MultipleChoiceField(
        label="走访责任人类型", choices=[], widget=forms.CheckboxSelectMultiple
    )
    checklist = forms.CharField(
        label="走访清单",
        required=False,
        help_text="每行一项，不填则用默认清单",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = VisitPlan
        fields = [
            "name",
            "kind",
            "scope",
            "start_date",
            "window_days",
            "target_percent",
            "active",
        ]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, scopes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scopes  # type: ignore[attr-defined]
        self.fields["preset"].choices = [  # type: ignore[attr-defined]
            *RECURRENCE_PRESETS.items(),
            (CUSTOM_RULE, "自定义（RRULE）"),
        ]
        self.fields["duty_kinds"].choices = [  # type: ignore[attr-defined]
            (k, DutyKind(k).label) for k in ASSIGNEE_KINDS
        ]
        self.fields["target_percent"].validators.append(MaxValueValidator(100))
        plan = self.instance
        if plan.pk:
            self.initial["duty_kinds"] = plan.duty_kinds
            self.initial["checklist"] = "\n".join(plan.checklist)
            if plan.rule in RECURRENCE_PRESETS:
                self.initial["preset"] = plan.rule
            else:
                self.initial.update(preset=CUSTOM_RULE, custom_rule=plan.rule)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("preset") == CUSTOM_RULE:
            if not (data.get("custom_rule") or "").strip():
                self.add_error("custom_rule", "请填写重复规则")
            data["rule"] = (data.get("custom_rule") or "").strip()
        else:
            data["rule"] = data.get("preset", "")
        data["checklist"] = [
            line.strip() for line in (data.get("checklist") or "").splitlines() if line.strip()
        ]
        return data

    def plan_fields(self) -> dict[str, Any]:
        names = [*self.Meta.fields, "rule", "duty_kinds", "checklist"]
        return {name: self.cleaned_data[name] for name in names}

    def _post_clean(self) -> None:
        """The model is validated by the action (do_create_plan / do_update_plan)."""
