"""Constants of 双报到双报告: who registers, a registration's and a service's state."""

from django.db import models


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    DECLINED = "declined", "未通过"


class DualKind(models.TextChoices):
    UNIT = "unit", "单位报到"
    MEMBER = "member", "在职党员报到"


class DualServiceStatus(models.TextChoices):
    PICKED = "picked", "已认领"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"
