"""The delivery log filter, shared by the page and any future API list."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from .choices import ChannelKind, DeliveryStatus

GAVE_UP = "gave_up"


class DeliveryFilter(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *DeliveryStatus.choices, (GAVE_UP, "已放弃")],
    )
    channel_kind = forms.ChoiceField(
        label="渠道类型", required=False, choices=[("", "全部"), *ChannelKind.choices]
    )
    channel = forms.IntegerField(label="渠道", required=False, widget=forms.HiddenInput)
    kind = forms.CharField(label="通知类别", required=False, max_length=40)
    since = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label="标题或错误", required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("user", None)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not self.is_bound or not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["status"] == GAVE_UP:
            qs = qs.filter(status=DeliveryStatus.FAILED, next_attempt_at__isnull=True)
        elif data["status"]:
            qs = qs.filter(status=data["status"])
        if data["channel_kind"]:
            qs = qs.filter(channel__kind=data["channel_kind"])
        if data["channel"]:
            qs = qs.filter(channel_id=data["channel"])
        if data["kind"]:
            qs = qs.filter(notification__kind=data["kind"])
        if data["since"]:
            qs = qs.filter(created_at__date__gte=data["since"])
        if data["until"]:
            qs = qs.filter(created_at__date__lte=data["until"])
        if data["q"]:
            qs = qs.filter(
                Q(notification__title__icontains=data["q"]) | Q(last_error__icontains=data["q"])
            )
        return qs
