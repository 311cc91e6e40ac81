from typing import Any, cast

from django import forms

from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.places.models import Place

from .choices import NoteKind, ProjectLevel, ProjectType
from .models import Project

DATE = forms.DateInput(attrs={"type": "date"})


def departments_for(place: Place) -> Any:
    """The departments of the project's area: those placed on its ancestors or inside it."""
    paths = place.ancestor_paths(include_self=True)
    return Organisation.objects.filter(kind=OrgKind.DEPARTMENT).filter(
        place__path__in=paths
    ) | Organisation.objects.filter(kind=OrgKind.DEPARTMENT, place__path__startswith=place.path)


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "level",
            "type",
            "investment_wan",
            "owner_unit",
            "bureau",
            "place",
            "lng",
            "lat",
            "geometry",
            "land_agricultural_mu",
            "land_farmland_mu",
            "land_construction_mu",
            "land_unused_mu",
            "start_date",
            "finish_date",
            "departments",
        ]
        widgets = {
            "start_date": DATE,
            "finish_date": DATE,
            "geometry": forms.Textarea(attrs={"rows": 3, "placeholder": '{"type": "Polygon", …}'}),
        }
        help_texts = {"geometry": "可选：用地范围的 GeoJSON 面（从 GIS 导出），地图上按范围画出"}

    def __init__(self, *args: Any, places: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["place"]).queryset = places
        cast(forms.ModelChoiceField, self.fields["departments"]).queryset = departments
        cast(forms.ChoiceField, self.fields["level"]).choices = ProjectLevel.choices
        cast(forms.ChoiceField, self.fields["type"]).choices = ProjectType.choices


class StageDateForm(forms.Form):
    on_date = forms.DateField(label="日期", widget=DATE, required=False)
    note = forms.CharField(label="说明", max_length=500, required=False)
    land_supplied_mu = forms.DecimalField(
        label="供地面积（亩）", max_digits=12, decimal_places=2, required=False
    )


class AssignForm(forms.Form):
    owner_name = forms.CharField(label="责任人（专人）", max_length=40)
    team = forms.CharField(label="工作专班", max_length=200, required=False)


class ReplanForm(forms.Form):
    planned_end = forms.DateField(label="新的计划完成日期", widget=DATE)
    note = forms.CharField(label="调整原因", max_length=500)


class BlockerForm(forms.Form):
    department = forms.ModelChoiceField(label="责任部门", queryset=Organisation.objects.none())
    title = forms.CharField(label="卡点问题", max_length=80)
    description = forms.CharField(label="详细情况", widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = departments


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=NoteKind.choices)
    question = forms.CharField(label="问题", max_length=300)
    answer = forms.CharField(label="答复", widget=forms.Textarea)
    on_date = forms.DateField(label="日期", widget=DATE, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="项目台账（Excel）")
    commit = forms.BooleanField(label="检查无误后直接导入", required=False)
