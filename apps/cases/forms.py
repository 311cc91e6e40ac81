"""Forms of the case pages: intake by staff, one transition form, the KPI period, revisits."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.permissions import Cap, roles_with
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.places.filters import area_choices
from apps.places.models import Place

from .choices import CaseKind, CaseSource, LimitUnit, Priority, RevisitResult
from .models import Case, Category

STAFF_SOURCES = [c for c in CaseSource.choices if c[0] not in (CaseSource.API, CaseSource.OPEN311)]
# The source a new case is most likely to have, by who registers it: a grid worker's from the
# grid patrol, a party member's or volunteer's from a household visit, others' by telephone.
SOURCE_BY_ROLE: dict[str, CaseSource] = {
    Role.GRID_WORKER: CaseSource.PATROL,
    Role.PARTY_MEMBER: CaseSource.VISIT,
    Role.VOLUNTEER: CaseSource.VISIT,
}


class CaseForm(forms.Form):
    """Staff intake (hotline, visit, patrol, meeting …)."""

    category = forms.ModelChoiceField(
        label="事项类别", queryset=Category.objects.none(), empty_label="请选择"
    )
    kind = forms.ChoiceField(label="类型", choices=CaseKind.choices, initial=CaseKind.NEED)
    source = forms.ChoiceField(label="来源", choices=STAFF_SOURCES, initial=CaseSource.HOTLINE)
    priority = forms.ChoiceField(
        label="紧急程度", choices=Priority.choices, initial=Priority.NORMAL
    )
    title = forms.CharField(label="标题", max_length=100)
    description = forms.CharField(
        label="详细描述", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    area = forms.TypedChoiceField(label="所在区域", coerce=int, required=False, empty_value=None)
    place_code = forms.CharField(
        label="户或地点编码（可选，精确到户）", required=False, max_length=40
    )
    reporter_name = forms.CharField(label="提出人", required=False, max_length=50)
    reporter_phone = forms.CharField(
        label="联系电话",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    photo = forms.ImageField(label="现场照片（可选）", required=False)

    def __init__(self, data: Any = None, files: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, files, **kwargs)
        self.user = user
        self.fields["source"].initial = SOURCE_BY_ROLE.get(
            getattr(user, "role", ""), CaseSource.HOTLINE
        )
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = Category.objects.filter(active=True)
        area = self.fields["area"]
        assert isinstance(area, forms.TypedChoiceField)
        area.choices = area_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        places = Place.objects.visible_to(self.user)
        place = None
        if data.get("place_code"):
            place = places.filter(code=data["place_code"].strip()).first()
            if place is None:
                self.add_error("place_code", "编码不存在或不在您的管辖范围内")
        elif data.get("area"):
            place = places.filter(pk=data["area"]).first()
        if place is None and not self.errors:
            self.add_error("area", "请选择所在区域或填写户编码")
        data["place"] = place
        return data

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            k: d[k]
            for k in (
                "category",
                "kind",
                "source",
                "priority",
                "title",
                "description",
                "place",
                "reporter_name",
                "reporter_phone",
            )
        }


def handler_choices(case: Case) -> QuerySet[Any]:
    """Accounts the case may be dispatched to (cf. rules.may_handle)."""
    prefixes = case.place.ancestor_paths(include_self=True)
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=roles_with(Cap.CASES_HANDLE))
        .filter(Q(scope__path__in=prefixes) | Q(scope__path__startswith=case.handling_unit.path))
        .select_related("scope")
        .order_by("role", "username")
    )


class TransitionForm(forms.Form):
    note = forms.CharField(
        label="说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    assignee = forms.ModelChoiceField(
        label="承办人",
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label="不指定（辖区内人员抢单）",
    )
    department = forms.ModelChoiceField(
        label="职能部门",
        required=False,
        empty_label="不指定",
        queryset=Organisation.objects.filter(kind=OrgKind.DEPARTMENT, active=True),
    )
    amount = forms.IntegerField(label="延期时长", required=False, min_value=1, max_value=60)
    unit = forms.ChoiceField(
        label="单位", required=False, choices=LimitUnit.choices, initial=LimitUnit.WORKDAYS
    )
    into = forms.IntegerField(label="合并到事项编号", required=False, min_value=1)
    photo = forms.ImageField(label="照片", required=False)

    def __init__(self, data: Any = None, files: Any = None, *, case: Case, **kwargs: Any) -> None:
        super().__init__(data, files, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = handler_choices(case)

    def action_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data: dict[str, Any] = {}
        if d.get("assignee"):
            data["assignee"] = d["assignee"].pk
        if d.get("department"):
            data["department"] = d["department"].pk
        if d.get("amount"):
            data["amount"], data["unit"] = d["amount"], d.get("unit") or LimitUnit.WORKDAYS
        if d.get("into"):
            data["into"] = d["into"]
        return data


class PeriodForm(forms.Form):
    area = forms.TypedChoiceField(label="区域", coerce=int, required=False, empty_value=None)
    date_from = forms.DateField(
        label="从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="到", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        area = self.fields["area"]
        assert isinstance(area, forms.TypedChoiceField)
        area.choices = area_choices(user)

    def period(self) -> tuple[Place | None, dt.date, dt.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to.replace(day=1)
        place = self.user.scope
        if data.get("area"):
            place = Place.objects.visible_to(self.user).filter(pk=data["area"]).first()
        return place, date_from, date_to


class RevisitForm(forms.Form):
    result = forms.ChoiceField(label="回访结果", choices=RevisitResult.choices)
    note = forms.CharField(label="回访记录", required=False, max_length=500)


class HotForm(forms.Form):
    """The area and look-back window of the hot-issue page."""

    area = forms.TypedChoiceField(label="区域", coerce=int, required=False, empty_value=None)
    days = forms.TypedChoiceField(
        label="近",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[(7, "7天"), (14, "14天"), (30, "30天"), (90, "90天")],
        initial=14,
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        area = self.fields["area"]
        assert isinstance(area, forms.TypedChoiceField)
        area.choices = area_choices(user)

    def area_and_days(self) -> tuple[Place | None, int]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        place = self.user.scope
        if data.get("area"):
            place = Place.objects.visible_to(self.user).filter(pk=data["area"]).first()
        return place, data.get("days") or 14
