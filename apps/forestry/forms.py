from django import forms

from .choices import EventKind, PlantingKind


class EventForm(forms.Form):
    kind = forms.ChoiceField(label="事件类型", choices=EventKind.choices)
    description = forms.CharField(
        label="情况说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    photo = forms.ImageField(label="现场照片", required=False)


class GpxForm(forms.Form):
    file = forms.FileField(label="GPX 轨迹文件")


class SignboardForm(forms.Form):
    zone = forms.TypedChoiceField(label="林区", coerce=int)
    code = forms.CharField(label="编号", max_length=40)
    location = forms.CharField(label="位置说明", max_length=100, required=False)

    def __init__(self, *args, zones=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(z.pk, z.name) for z in zones]


class PlantingForm(forms.Form):
    zone = forms.TypedChoiceField(label="地点（林区）", coerce=int)
    kind = forms.ChoiceField(label="类型", choices=PlantingKind.choices)
    area_mu = forms.CharField(label="面积（亩）", required=False)
    count = forms.CharField(label="株数", required=False)
    species = forms.CharField(label="树种", max_length=50, required=False)
    date = forms.DateField(
        label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, zones=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(z.pk, z.name) for z in zones]


class PlantingTargetForm(forms.Form):
    """A planting task's target (国家储备林 by default) for a place and year; the action checks
    the values and says what is wrong in Chinese."""

    place = forms.TypedChoiceField(label="地点（县、乡镇或林区）", coerce=int)
    kind = forms.ChoiceField(
        label="类型", choices=PlantingKind.choices, initial=PlantingKind.RESERVE
    )
    year = forms.CharField(label="年度", max_length=4)
    area_mu = forms.CharField(label="目标面积（亩）", max_length=20)
    note = forms.CharField(label="任务说明", max_length=200, required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["place"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(p.pk, p.name) for p in places]
        field.error_messages["invalid_choice"] = "请选择您管辖范围内的地点"
        for name in ("place", "year", "area_mu"):
            self.fields[name].error_messages["required"] = f"请填写{self.fields[name].label}"
