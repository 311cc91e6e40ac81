"""Forms of the channel and preferences pages. Validation of scope and addresses lives in the
actions; the views copy their errors beside the fields."""

from typing import Any

from django import forms

from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import KIND_LABELS, ChannelKind, MessageFormat, SmsGatewayKind
from .models import Channel, QuietHours
from .sms import DEFAULT_TEMPLATE

# Channels belong to administrative areas: a county's, a town's, a community's or a grid's.
CHANNEL_PLACE_KINDS = (PlaceKind.COUNTY, PlaceKind.TOWN, PlaceKind.COMMUNITY, PlaceKind.GRID)
KIND_CHOICES = list(KIND_LABELS.items())


class ChannelForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=ChannelKind.choices)
    place = forms.ModelChoiceField(
        label="适用区域",
        queryset=Place.objects.none(),
        required=False,
        help_text="区域内（含下级）账号的通知走这个渠道",
        error_messages={"invalid_choice": "所选区域不存在或不在您的管辖范围内"},
    )
    enabled = forms.BooleanField(label="启用", required=False, initial=True)
    kinds = forms.MultipleChoiceField(
        label="转发的通知类别",
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="都不选表示转发所有类别",
    )
    message_format = forms.ChoiceField(
        label="消息格式", choices=MessageFormat.choices, initial=MessageFormat.TEXT
    )
    endpoint = forms.CharField(
        label="地址",
        required=False,
        max_length=1000,
        help_text="Webhook / 机器人 / 短信网关的 URL；修改时留空表示不变",
    )
    secret = forms.CharField(
        label="密钥",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text="Webhook 签名密钥、钉钉加签密钥（SEC 开头）或短信网关令牌；留空表示不变",
    )
    clear_secret = forms.BooleanField(label="清除已保存的密钥", required=False)
    from_email = forms.EmailField(label="发件人（电子邮件）", required=False)
    mentioned_mobiles = forms.CharField(
        label="@手机号（企业微信，逗号分隔，@all 表示所有人）", required=False, max_length=500
    )
    sms_gateway = forms.ChoiceField(
        label="短信网关", choices=SmsGatewayKind.choices, initial=SmsGatewayKind.LOG
    )
    sms_template = forms.CharField(
        label="短信请求模板（JSON）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="可用占位符 {phone} {text} {sign}；留空用 " + DEFAULT_TEMPLATE,
    )
    sms_sign = forms.CharField(label="短信签名", required=False, max_length=40)
    sms_success_field = forms.CharField(label="成功标志字段", required=False, max_length=40)
    sms_success_value = forms.CharField(label="成功标志值", required=False, max_length=40)

    def __init__(self, *args: Any, user: Any, channel: Channel | None = None, **kwargs: Any):
        if channel is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(channel)
        super().__init__(*args, **kwargs)
        self.channel = channel
        field: Any = self.fields["place"]
        field.queryset = (
            Place.objects.visible_to(user).filter(kind__in=CHANNEL_PLACE_KINDS).order_by("path")
        )
        if channel is not None and channel.endpoint_hint:
            self.fields["endpoint"].widget.attrs["placeholder"] = channel.endpoint_hint

    @staticmethod
    def initial_from(channel: Channel) -> dict[str, Any]:
        options = channel.options or {}
        return {
            "name": channel.name,
            "kind": channel.kind,
            "place": channel.place_id,
            "enabled": channel.enabled,
            "kinds": channel.kinds,
            "message_format": channel.message_format,
            "from_email": options.get("from_email", ""),
            "mentioned_mobiles": ",".join(options.get("mentioned_mobile_list", [])),
            "sms_gateway": options.get("gateway", SmsGatewayKind.LOG),
            "sms_template": options.get("template", ""),
            "sms_sign": options.get("sign", ""),
            "sms_success_field": options.get("success_field", ""),
            "sms_success_value": options.get("success_value", ""),
        }

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == ChannelKind.EMAIL:
            return {"from_email": data["from_email"]} if data["from_email"] else {}
        if kind == ChannelKind.WECOM:
            mobiles = [m.strip() for m in data["mentioned_mobiles"].split(",") if m.strip()]
            return {"mentioned_mobile_list": mobiles} if mobiles else {}
        if kind == ChannelKind.SMS:
            found = {
                "gateway": data["sms_gateway"],
                "template": data["sms_template"].strip(),
                "sign": data["sms_sign"],
                "success_field": data["sms_success_field"],
                "success_value": data["sms_success_value"],
            }
            return {k: v for k, v in found.items() if v}
        return {}

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        endpoint = data["endpoint"].strip()
        if data["clear_secret"]:
            secret: str | None = ""
        else:
            secret = data["secret"] or None
        return {
            "name": data["name"],
            "kind": data["kind"],
            "place": data["place"],
            "enabled": data["enabled"],
            "kinds": list(data["kinds"]),
            "message_format": data["message_format"],
            "options": self.options(),
            "endpoint": endpoint if endpoint or self.channel is None else None,
            "secret": secret,
        }


EXTERNAL_CHOICES = ChannelKind.choices


class PreferencesForm(forms.Form):
    """One row of channel checkboxes per notification kind (the first row is the default for
    kinds not listed) and the quiet hours."""

    quiet_start = forms.TimeField(
        label="免打扰开始", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label="免打扰结束", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    ROWS = [("", "默认（其他类别）"), *KIND_CHOICES]

    def __init__(
        self,
        *args: Any,
        current: dict[str, list[str]],
        defaults: list[str],
        quiet: QuietHours | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in self.ROWS:
            name = self.field_name(kind)
            self.fields[name] = forms.MultipleChoiceField(
                label=label,
                choices=EXTERNAL_CHOICES,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            fallback = current.get("", defaults) if kind else defaults
            self.fields[name].initial = current.get(kind, fallback)
        if quiet is not None:
            self.fields["quiet_start"].initial = quiet.start
            self.fields["quiet_end"].initial = quiet.end

    @staticmethod
    def field_name(kind: str) -> str:
        return "kind__" + (kind.replace(".", "_") or "default")

    def kind_rows(self) -> list[tuple[str, Any]]:
        return [(kind, self[self.field_name(kind)]) for kind, _ in self.ROWS]

    def channels_by_kind(self) -> dict[str, list[str]]:
        return {kind: list(self.cleaned_data[self.field_name(kind)]) for kind, _ in self.ROWS}
