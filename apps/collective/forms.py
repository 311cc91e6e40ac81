"""Forms of the village books: a voucher with up to six lines, a decision, a reversal, a
receipt against an instalment, a contract, and the resident's question."""

import secrets

from django import forms

from .choices import ContractKind, Frequency, VoucherKind

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
