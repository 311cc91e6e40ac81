"""Forms of the village books: a voucher with up to six lines, a decision, a reversal, a
receipt against an instalment, a contract, and the resident's question."""

import secrets

from django import forms

from apps.places.choices import PlaceKind
from apps.places.models import Place, path_upper

from .choices import (
    AssetKind,
    ContractKind,
    Frequency,
    ResourceKind,
    ResourceUse,
    TalentKind,
    VoucherKind,
)

LINES = 6


class VoucherForm(forms.Form):
    kind = forms.ChoiceField(label="凭证类型", choices=VoucherKind.choices)
    date = forms.DateField(label="记账日期", widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label="摘要", max_length=120)
    attachment = forms.FileField(label="附件（原始单据）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, LINES + 1):
            self.fields[f"account_{n}"] = forms.CharField(
                label=f"第{n}行科目编号", required=False, max_length=10
            )
            self.fields[f"sub_{n}"] = forms.CharField(label="明细", required=False, max_length=40)
            self.fields[f"debit_{n}"] = forms.DecimalField(
                label="借方（元）", required=False, min_value=0, decimal_places=2
            )
            self.fields[f"credit_{n}"] = forms.DecimalField(
                label="贷方（元）", required=False, min_value=0, decimal_places=2
            )

    def line_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{name}_{n}"] for name in ("account", "sub", "debit", "credit")]
            for n in range(1, LINES + 1)
        ]


SUPERVISOR, AGENCY = "village_supervisor", "agency_accountant"
SEQUENCES = [
    ("", "无需审批（提交即记账）"),
    (SUPERVISOR, "村务监督委员会"),
    (AGENCY, "乡镇三资代理中心"),
    (f"{SUPERVISOR},{AGENCY}", "村务监督委员会 → 乡镇三资代理中心"),
    (f"{AGENCY},{SUPERVISOR}", "乡镇三资代理中心 → 村务监督委员会"),
]


class ApprovalsForm(forms.Form):
    """The approval sequence of each voucher kind, one of the orders of the two roles that may
    approve (the action checks the roles again)."""

    def __init__(self, *args, current: dict[str, list[str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in VoucherKind.choices:
            choices = list(SEQUENCES)
            now = ",".join((current or {}).get(kind, []))
            if now not in dict(choices):  # a sequence set otherwise (the API) stays offered
                choices.append((now, now.replace(",", " → ")))
            self.fields[kind] = forms.ChoiceField(
                label=f"{label}审批顺序", choices=choices, required=False, initial=now
            )

    def approvals(self) -> dict[str, list[str]]:
        return {
            kind: [s for s in (self.cleaned_data.get(kind) or "").split(",") if s]
            for kind in VoucherKind.values
        }


class CloseForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    month = forms.IntegerField(label="月份", min_value=1, max_value=12)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="意见", choices=[("approved", "同意"), ("rejected", "退回")])
    note = forms.CharField(label="说明", required=False, max_length=200)


class ReverseForm(forms.Form):
    date = forms.DateField(label="冲销日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="冲销原因", max_length=100)


class ReceiptForm(forms.Form):
    instalment = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label="收款金额（元）", min_value=0, decimal_places=2)
    date = forms.DateField(label="收款日期", widget=forms.DateInput(attrs={"type": "date"}))
    via = forms.ChoiceField(label="收款方式", choices=[("102", "银行存款"), ("101", "库存现金")])
    attachment = forms.FileField(label="附件（收据）", required=False)


class ContractForm(forms.Form):
    kind = forms.ChoiceField(label="合同类型", choices=ContractKind.choices)
    number = forms.CharField(label="合同编号", max_length=40)
    title = forms.CharField(label="标的", max_length=100)
    counterparty = forms.CharField(label="对方", max_length=80)
    counterparty_is_person = forms.BooleanField(label="对方是自然人", required=False)
    start = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="终止日期", widget=forms.DateInput(attrs={"type": "date"}))
    area_mu = forms.DecimalField(label="面积（亩）", required=False, min_value=0)
    rent_per_mu = forms.DecimalField(label="每亩每年租金（元）", required=False, min_value=0)
    annual_amount = forms.DecimalField(
        label="每年应收（元，非流转合同）", required=False, min_value=0
    )
    frequency = forms.ChoiceField(label="收款方式", choices=Frequency.choices)
    jobs = forms.IntegerField(label="带动就业（人）", required=False, min_value=0)


class QuestionForm(forms.Form):
    question = forms.CharField(
        label="您的问题", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    name = forms.CharField(label="称呼", max_length=20, required=False)
    phone = forms.RegexField(
        label="手机号", regex=r"^1\d{10}$", error_messages={"invalid": "请填写 11 位手机号"}
    )
    form_token = forms.CharField(widget=forms.HiddenInput)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)


# --- the registers page: assets and resources (add and edit), jobs, labour, talents, visitors


class PlaceInVillage(forms.ModelChoiceField):
    def label_from_instance(self, obj: Place) -> str:
        return f"{obj.get_kind_display()} {obj.name}"


def _where_fields(form: forms.Form, village: Place | None) -> None:
    """The place field: the village itself or a place inside it (grid, group, compound …)."""
    qs = Place.objects.none()
    if village is not None:
        qs = (
            Place.objects.filter(path__gte=village.path, path__lt=path_upper(village.path))
            .exclude(kind__in=[PlaceKind.HOUSEHOLD, PlaceKind.UNIT])
            .order_by("path")
        )
    form.fields["place"] = PlaceInVillage(label="所在地点", queryset=qs, required=False)


class HoldingForm(forms.Form):
    location = forms.CharField(label="坐落", max_length=100, required=False)
    lng = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)

    def __init__(self, *args, village: Place | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _where_fields(self, village)


class ResourceForm(HoldingForm):
    kind = forms.ChoiceField(label="类别", choices=ResourceKind.choices)
    name = forms.CharField(label="名称/地块编号", max_length=60)
    area_mu = forms.DecimalField(label="面积（亩）", min_value=0, decimal_places=2, max_digits=10)
    use = forms.ChoiceField(label="利用状况", choices=ResourceUse.choices)
    field_order = ["kind", "name", "area_mu", "use", "location", "place", "lng", "lat"]


class AssetForm(HoldingForm):
    kind = forms.ChoiceField(label="类别", choices=AssetKind.choices)
    name = forms.CharField(label="名称", max_length=80)
    value = forms.DecimalField(label="原值（元）", min_value=0, decimal_places=2)
    acquired = forms.DateField(
        label="取得日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    share_percent = forms.DecimalField(
        label="持股比例（%）", required=False, min_value=0, max_value=100, decimal_places=2
    )
    field_order = ["kind", "name", "value", "acquired", "share_percent", "location", "place"]


class JobForm(forms.Form):
    employer = forms.CharField(label="用工单位/项目", max_length=80)
    trade = forms.CharField(label="行业", max_length=30)
    count = forms.IntegerField(label="人数", min_value=1)
    since = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(label="用工地点", max_length=80, required=False)


class LabourForm(forms.Form):
    year = forms.IntegerField(label="调查年度", min_value=2000, max_value=2100)
    trade = forms.CharField(label="行业", max_length=30)
    count = forms.IntegerField(label="人数", min_value=0)


class TalentForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=TalentKind.choices)
    name = forms.CharField(label="姓名", max_length=30)
    field = forms.CharField(label="专长/产业", max_length=60)


class MentoringForm(forms.Form):
    talent = forms.IntegerField(label="带头人", widget=forms.HiddenInput)
    mentee = forms.CharField(label="帮带对象", max_length=30)
    goal = forms.CharField(label="帮带内容", max_length=100)
    since = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))


class VisitorsForm(forms.Form):
    month = forms.DateField(label="月份（任一天）", widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(label="游客人次", min_value=0)
    source = forms.CharField(label="数据来源", max_length=60)
