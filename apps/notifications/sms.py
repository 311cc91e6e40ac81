"""SMS gateways. China's SMS providers each speak their own API, so Gongzhi ships an interface,
one generic HTTP gateway configured by a URL and a JSON body template (enough for most
providers and for in-house SMS platforms), and a logging gateway for development.

A provider-specific gateway subclasses `SmsGateway` and is added to `GATEWAYS`.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from .choices import SmsGatewayKind
from .httpclient import SendError, SendResult, post_bytes

if TYPE_CHECKING:
    from .models import Channel

log = logging.getLogger("gongzhi.notifications.sms")

DEFAULT_TEMPLATE = '{"phone": "{phone}", "text": "{text}"}'


class SmsGateway(ABC):
    """Sends one text to one mobile number; raises SendError when the gateway refuses."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    @abstractmethod
    def send(self, phone: str, text: str) -> SendResult: ...


class LoggingSmsGateway(SmsGateway):
    """Writes the message to the log (and `outbox`, for tests and the demo) instead of sending."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> SendResult:
        self.outbox.append((phone, text))
        log.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:], text)
        return SendResult(None, "logged")


class HttpSmsGateway(SmsGateway):
    """POSTs a JSON body built from the channel's template to the channel's URL.

    The template is JSON text with the placeholders {phone}, {text} and {sign} (the SMS
    signature, options["sign"]); values are JSON-escaped before they are put in. The secret,
    when set, goes in the Authorization header as a bearer token. Success is a 2xx answer and,
    when options["success_field"] is set, that field of the JSON answer equal to
    options["success_value"] (default "0", compared as text).
    """

    def body(self, phone: str, text: str) -> bytes:
        template = self.channel.options.get("template") or DEFAULT_TEMPLATE
        values = {"phone": phone, "text": text, "sign": self.channel.options.get("sign", "")}
        rendered = template
        for key, value in values.items():
            rendered = rendered.replace(
                "{" + key + "}", json.dumps(value, ensure_ascii=False)[1:-1]
            )
        try:
            json.loads(rendered)
        except ValueError as exc:
            raise SendError(f"短信模板不是有效的 JSON：{exc}", final=True) from exc
        return rendered.encode()

    def send(self, phone: str, text: str) -> SendResult:
        url = self.channel.endpoint
        if not url.startswith(("http://", "https://")):
            raise SendError("短信网关地址必须以 http:// 或 https:// 开头", final=True)
        headers = {}
        if self.channel.has_secret:
            headers["Authorization"] = f"Bearer {self.channel.secret}"
        status, _, answer = post_bytes(url, self.body(phone, text), headers)
        self.check_answer(status, answer)
        return SendResult(status, "ok")

    def check_answer(self, status: int, answer: bytes) -> None:
        field = self.channel.options.get("success_field")
        if not field:
            return
        try:
            data: Any = json.loads(answer or b"{}")
        except ValueError as exc:
            raise SendError("短信网关返回的不是 JSON", status) from exc
        expected = str(self.channel.options.get("success_value", "0"))
        got = data.get(field) if isinstance(data, dict) else None
        if str(got) != expected:
            raise SendError(f"短信网关返回 {field}={got}", status)


GATEWAYS: dict[str, type[SmsGateway]] = {
    SmsGatewayKind.HTTP: HttpSmsGateway,
    SmsGatewayKind.LOG: LoggingSmsGateway,
}


def gateway_for(channel: Channel) -> SmsGateway:
    kind = channel.options.get("gateway") or SmsGatewayKind.LOG
    if kind not in GATEWAYS:
        raise SendError(f"未知的短信网关类型：{kind}", final=True)
    return GATEWAYS[kind](channel)
