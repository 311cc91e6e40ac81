from django.db import models


class MediatorKind(models.TextChoices):
    """三官一律 and the people's mediators."""

    JUDGE = "judge", "法官"
    PROSECUTOR = "prosecutor", "检察官"
    POLICE = "police", "警官"
    LAWYER = "lawyer", "律师"
    PEOPLES_MEDIATOR = "peoples_mediator", "人民调解员"


class MediationStatus(models.TextChoices):
    OPEN = "open", "调解中"
    AGREED = "agreed", "调解成功"
    FAILED = "failed", "调解不成"


class Referral(models.TextChoices):
    """Where a dispute goes when mediation fails (引导分流)."""

    LITIGATION = "litigation", "诉讼"
    ARBITRATION = "arbitration", "仲裁"
    ADMINISTRATIVE = "administrative", "行政处理"
    PETITION = "petition", "信访"
    ESCALATE = "escalate", "上报上级调解"
    OTHER = "other", "其他"
