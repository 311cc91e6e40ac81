"""Sending one message through one channel: e-mail, generic webhook, WeCom and DingTalk
robots, SMS. Each sender raises `SendError` (with the HTTP status when there was one) on any
failure; the caller logs it and schedules the retry.

HTTP goes through the standard library (urllib) with a 5-second timeout, so no extra
dependency is needed on an intranet machine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .choices import HTTP_TIMEOUT_SECONDS, ChannelKind, MessageFormat, kind_label
from .httpclient import SendError, SendResult, post_bytes, post_json
from .models import Channel
from .sms import gateway_for

log = logging.getLogger("gongzhi.notifications")

# The robots reject longer messages (WeCom: text 2048 bytes, markdown 4096 bytes;
# DingTalk: 20000 bytes); cut with room to spare.
MAX_TEXT_BYTES = {"wecom_text": 2000, "wecom_markdown": 4000, "dingtalk": 18000}


@dataclass
class Message:
    """What every channel needs to know about one notification."""

    title: str
    body: str
    url: str = ""
    kind: str = "general"
    object_type: str = ""
    object_id: str = ""
    notification_id: int | None = None
    delivery_id: int | None = None
    created_at: str = ""
    audience: list[str] = field(default_factory=list)
    email: str = ""
    phone: str = ""

    def plain(self) -> str:
        lines = [f"【共治】{self.title}"]
        if self.body:
            lines.append(self.body)
        if self.audience:
            lines.append("接收人：" + "、".join(self.audience))
        if self.url:
            lines.append(self.url)
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        if self.body:
            lines += [self.body, ""]
        lines.append(f"> 类别：{kind_label(self.kind)}")
        if self.audience:
            lines.append(f"> 接收人：{'、'.join(self.audience)}")
        if self.url:
            lines += ["", f"[查看详情]({self.url})"]
        return "\n".join(lines)


def site_url() -> str:
    return str(settings.SITE_URL)


def absolute_url(url: str) -> str:
    if not url or "://" in url:
        return url
    return site_url().rstrip("/") + url if site_url() else url


def truncate_bytes(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def robot_errcode(status: int, answer: bytes) -> SendResult:
    """WeCom and DingTalk answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else failed."""
    try:
        data = json.loads(answer or b"{}")
    except ValueError as exc:
        raise SendError(f"机器人返回的不是 JSON：{answer[:200]!r}", status) from exc
    errcode = data.get("errcode", -1) if isinstance(data, dict) else -1
    if errcode != 0:
        errmsg = data.get("errmsg", "") if isinstance(data, dict) else ""
        raise SendError(f"机器人返回错误 errcode={errcode}：{errmsg}", status)
    return SendResult(status, "ok")


# --- channels -------------------------------------------------------------------------------


def send_email(channel: Channel, message: Message) -> SendResult:
    if not message.email:
        raise SendError("接收人没有登记电子邮箱", final=True)
    sender = (
        channel.options.get("from_email")
        or os.environ.get("GONGZHI_MAIL_FROM")
        or settings.DEFAULT_FROM_EMAIL
    )
    connection = get_connection(fail_silently=False, **smtp_settings())
    mail = EmailMessage(
        subject=f"【共治】{message.title}",
        body="\n\n".join(part for part in (message.body, message.url) if part),
        from_email=sender,
        to=[message.email],
        connection=connection,
    )
    try:
        mail.send()
    except Exception as exc:  # smtplib and socket errors have no common base worth naming
        raise SendError(f"邮件发送失败：{exc}") from exc
    return SendResult(None, "sent")


def smtp_settings() -> dict[str, Any]:
    """SMTP options from the environment (GONGZHI_SMTP_*); the e-mail backend itself stays
    Django's EMAIL_BACKEND, so tests use the locmem outbox."""
    env = os.environ
    found: dict[str, Any] = {"timeout": HTTP_TIMEOUT_SECONDS}
    if env.get("GONGZHI_SMTP_HOST"):
        found["host"] = env["GONGZHI_SMTP_HOST"]
    if env.get("GONGZHI_SMTP_PORT"):
        found["port"] = int(env["GONGZHI_SMTP_PORT"])
    if env.get("GONGZHI_SMTP_USER"):
        found["username"] = env["GONGZHI_SMTP_USER"]
        found["password"] = env.get("GONGZHI_SMTP_PASSWORD", "")
    if env.get("GONGZHI_SMTP_TLS"):
        found["use_tls"] = env["GONGZHI_SMTP_TLS"].lower() in {"1", "true", "yes", "starttls"}
    if env.get("GONGZHI_SMTP_SSL"):
        found["use_ssl"] = env["GONGZHI_SMTP_SSL"].lower() in {"1", "true", "yes"}
    return found


def webhook_payload(message: Message) -> dict[str, Any]:
    return {
        "event": "notification",
        "delivery_id": message.delivery_id,
        "notification_id": message.notification_id,
        "kind": message.kind,
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "object_type": message.object_type,
        "object_id": message.object_id,
        "created_at": message.created_at,
        "audience": message.audience,
    }


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """sha256=HEX(HMAC-SHA256(secret, "<timestamp>." + body)); the timestamp is signed too so
    a captured request cannot be replayed later."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def send_webhook(channel: Channel, message: Message) -> SendResult:
    url = channel.endpoint
    payload = webhook_payload(message)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"X-Gongzhi-Event": "notification", "X-Gongzhi-Delivery": str(message.delivery_id)}
    if channel.has_secret:
        timestamp = str(int(time.time()))
        headers["X-Gongzhi-Timestamp"] = timestamp
        headers["X-Gongzhi-Signature"] = webhook_signature(channel.secret, timestamp, body)
    if not url.startswith(("http://", "https://")):
        raise SendError("地址必须以 http:// 或 https:// 开头", final=True)
    status, _, _ = post_bytes(url, body, headers)
    return SendResult(status, "ok")


def wecom_payload(channel: Channel, message: Message) -> dict[str, Any]:
    if channel.message_format == MessageFormat.MARKDOWN:
        content = truncate_bytes(message.markdown(), MAX_TEXT_BYTES["wecom_markdown"])
        return {"msgtype": "markdown", "markdown": {"content": content}}
    text: dict[str, Any] = {
        "content": truncate_bytes(message.plain(), MAX_TEXT_BYTES["wecom_text"])
    }
    mentioned = channel.options.get("mentioned_mobile_list") or []
    if mentioned:
        text["mentioned_mobile_list"] = mentioned
    return {"msgtype": "text", "text": text}


def send_wecom(channel: Channel, message: Message) -> SendResult:
    status, _, answer = post_json(channel.endpoint, wecom_payload(channel, message))
    return robot_errcode(status, answer)


def dingtalk_payload(channel: Channel, message: Message) -> dict[str, Any]:
    limit = MAX_TEXT_BYTES["dingtalk"]
    if channel.message_format == MessageFormat.MARKDOWN:
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": truncate_bytes(message.markdown(), limit)},
        }
    return {"msgtype": "text", "text": {"content": truncate_bytes(message.plain(), limit)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: base64(HMAC-SHA256(key=secret, "<timestamp>\\n<secret>")), URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(url: str, secret: str, now_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"


def send_dingtalk(channel: Channel, message: Message) -> SendResult:
    url = dingtalk_url(channel.endpoint, channel.secret if channel.has_secret else "")
    status, _, answer = post_json(url, dingtalk_payload(channel, message))
    return robot_errcode(status, answer)


def send_sms(channel: Channel, message: Message) -> SendResult:
    if not message.phone:
        raise SendError("接收人没有登记手机号码", final=True)
    text = truncate_bytes(
        f"【共治】{message.title}" + (f"：{message.body}" if message.body else ""), 600
    )
    return gateway_for(channel).send(message.phone, text)


SENDERS: dict[str, Callable[[Channel, Message], SendResult]] = {
    ChannelKind.EMAIL: send_email,
    ChannelKind.WEBHOOK: send_webhook,
    ChannelKind.WECOM: send_wecom,
    ChannelKind.DINGTALK: send_dingtalk,
    ChannelKind.SMS: send_sms,
}


def send(channel: Channel, message: Message) -> SendResult:
    sender = SENDERS.get(channel.kind)
    if sender is None:
        raise SendError(f"未知的渠道类型：{channel.kind}", final=True)
    return sender(channel, message)
