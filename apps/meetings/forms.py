"""Forms of the meeting pages: prepare (with the proposed agenda), hold, decide, add an item,
minutes. They validate input; the actions decide."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from apps.cases.models import Category
from apps.orgs.models import Organisation

from .actions import ItemInput, ParticipantInput
from .choices import ItemSource, MeetingKind
from .models import Meeting
from .selectors import Proposal, owner_choices, unit_choices


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_people(text: str) -> list[ParticipantInput]:
    """One person a line: "姓名 身份" (the capacity is optional)."""
    people = []
    for line in _lines(text):
        name, _, capacity = line.replace("　", " ").partition(" ")
        people.append(ParticipantInput(name=name[:50], capacity=capacity.strip()[:50]))
    return people


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices)
    title = forms.CharField(label="会议名称", max_length=100)
    starts_at = forms.DateTimeField(
        label="会议时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    venue = forms.CharField(label="会议地点", max_length=100, required=False)
    organisations = forms.MultipleChoiceField(
        label="参会单位", required=False, widget=forms.CheckboxSelectMultiple
    )
    participants = forms.CharField(
        label="参会人员（每行一人：姓名 身份）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "王建国 居民代表"}),
    )
    proposals = forms.MultipleChoiceField(
        label="建议议题", required=False, widget=forms.CheckboxSelectMultiple
    )
    hand_items = forms.CharField(
        label="临时动议（每行一个议题）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "小区停车位规划"}),
    )

    def __init__(self, *args: Any, area: Any, proposals: list[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal_map = {p.key: p for p in proposals}
        self.units = list(unit_choices(area)[:300])
        self.fields["organisations"].choices = [  # type: ignore[attr-defined]
            (str(o.pk), f"{o.name}（{o.get_kind_display()}）") for o in self.units
        ]
        self.fields["proposals"].choices = [(p.key, p.title) for p in proposals]  # type: ignore[attr-defined]

    def items(self) -> list[ItemInput]:
        chosen = [self.proposal_map[k] for k in self.cleaned_data["proposals"]]
        items = [
            ItemInput(title=p.title, source=p.source, case_ids=[c.pk for c in p.cases])
            for p in chosen
        ]
        items += [ItemInput(title=t[:150]) for t in _lines(self.cleaned_data["hand_items"])]
        return items

    def people(self) -> list[ParticipantInput]:
        return parse_people(self.cleaned_data["participants"])

    def organisation_ids(self) -> list[int]:
        return [int(i) for i in self.cleaned_data["organisations"]]


class HoldForm(forms.Form):
    present = forms.MultipleChoiceField(
        label="出席人员", required=False, widget=forms.CheckboxSelectMultiple
    )
    walk_ins = forms.CharField(
        label="其他出席人员（每行一人：姓名 身份）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    minutes = forms.CharField(
        label="会议纪要", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [  # type: ignore[attr-defined]
            (str(p.pk), f"{p.name} {p.capacity}".strip()) for p in meeting.participants.all()
        ]

    def present_ids(self) -> list[int]:
        return [int(i) for i in self.cleaned_data["present"]]


class MinutesForm(forms.Form):
    minutes = forms.CharField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 6}))


class ItemForm(forms.Form):
    title = forms.CharField(label="议题", max_length=150)
    description = forms.CharField(
        label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    duration = forms.IntegerField(label="时长(分钟)", min_value=1, max_value=240, initial=10)
    units = forms.MultipleChoiceField(
        label="相关单位", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [  # type: ignore[attr-defined]
            (str(o.pk), o.name) for o in meeting.organisations.all()
        ]

    def item(self) -> ItemInput:
        data = self.cleaned_data
        return ItemInput(
            title=data["title"],
            source=ItemSource.MANUAL,
            description=data["description"],
            duration=data["duration"],
            unit_ids=[int(i) for i in data["units"]],
        )


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.scope.name if obj.scope else ''}）"


class DecisionForm(forms.Form):
    decision = forms.CharField(label="会议决定", widget=forms.Textarea(attrs={"rows": 3}))
    owner = OwnerField(label="责任人", queryset=get_user_model().objects.none(), required=False)
    lead_unit = forms.ModelChoiceField(
        label="牵头单位", queryset=Organisation.objects.none(), required=False
    )
    deadline = forms.DateField(
        label="办结时限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    category = forms.ModelChoiceField(
        label="事项类别（临时动议登记为事项）",
        queryset=Category.objects.filter(active=True).order_by("code"),
        required=False,
    )
    redispatch = forms.BooleanField(label="改派办理中的事项", required=False)

    def __init__(
        self, *args: Any, meeting: Meeting, needs_case: bool, handling: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        lead = self.fields["lead_unit"]
        assert isinstance(owner, forms.ModelChoiceField) and isinstance(
            lead, forms.ModelChoiceField
        )
        owner.queryset = owner_choices(meeting)
        lead.queryset = unit_choices(meeting.area)
        if not needs_case:
            del self.fields["category"]
        if handling:
            self.fields["redispatch"].label = (
                f"把已在办理中的{handling}件改派给上面的责任人"
                "（不勾选：保持原承办人，只更新办结时限）"
            )
        else:
            del self.fields["redispatch"]
