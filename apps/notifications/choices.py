"""Channel kinds, delivery states, notification kinds and the retry schedule."""

from django.db import models


class ChannelKind(models.TextChoices):
    """External channels. The in-app inbox is built in: every notification lands there, so it
    needs no configuration row and cannot be switched off."""

    EMAIL = "email", "电子邮件"
    WEBHOOK = "webhook", "通用 Webhook"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"
    SMS = "sms", "短信"


IN_APP = "in_app"
IN_APP_LABEL = "站内信"

# Personal channels reach one person (their e-mail address or phone): one delivery per
# recipient. Group channels post into a group chat or another system: one delivery per send,
# however many recipients of that send the channel covers.
PERSONAL_KINDS = frozenset({ChannelKind.EMAIL, ChannelKind.SMS})
GROUP_KINDS = frozenset({ChannelKind.WEBHOOK, ChannelKind.WECOM, ChannelKind.DINGTALK})

# What a user gets when they never chose: the group robots of their area and e-mail. SMS costs
# money per message, so it is opt-in.
DEFAULT_CHANNELS = (ChannelKind.EMAIL, ChannelKind.WEBHOOK, ChannelKind.WECOM, ChannelKind.DINGTALK)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "失败"


CLAIMABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class MessageFormat(models.TextChoices):
    TEXT = "text", "纯文本"
    MARKDOWN = "markdown", "Markdown"


class SmsGatewayKind(models.TextChoices):
    HTTP = "http", "HTTP 短信网关"
    LOG = "log", "仅记录日志（开发用）"


class NotificationKind(models.TextChoices):
    """What a notification is about: people choose channels per kind on their preferences
    page; `is_urgent` kinds ignore quiet hours."""

    GENERAL = "general", "一般通知"
    CASE_ASSIGNED = "case.assigned", "派单给我"
    CASE_STATUS = "case.status", "事项进展"
    CASE_WARNING = "case.warning", "事项即将超时（黄灯）"
    CASE_OVERDUE = "case.overdue", "事项已超时（红灯）"
    CASE_ESCALATED = "case.escalated", "事项上报、督办"
    CASE_RATED = "case.rated", "群众评价"
    ECG_CRITICAL = "ecg.critical", "心电危急值"
    COLLECTIVE_DUE = "collective.due", "村集体合同收款和到期提醒"
    SERVICES_DUAL_REPORT = "services.dual_report", "双报到月度报告"


GENERAL = NotificationKind.GENERAL.value
# Kinds a user can set preferences for; other kinds follow the user's default row.
KIND_LABELS: dict[str, str] = dict(NotificationKind.choices)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def is_urgent(kind: str) -> bool:
    """Urgent kinds (critical values, alarms) ignore quiet hours."""
    return kind.endswith((".critical", ".urgent"))


# Seconds to wait after the n-th failed attempt; the attempt after the last entry is final.
RETRY_BACKOFF = (60, 120, 300, 900, 1800)
MAX_ATTEMPTS = len(RETRY_BACKOFF) + 1
# A delivery left in "sending" this long belongs to a worker that died: it is failed and retried.
STUCK_AFTER_SECONDS = 300
HTTP_TIMEOUT_SECONDS = 5
