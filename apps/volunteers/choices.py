"""Constants of volunteers: registry status, hour states, point kinds, star levels."""

from django.db import models


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACTIVE = "active", "在册"
    SUSPENDED = "suspended", "暂停"
    DECLINED = "declined", "未通过"


class HoursStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已认定"
    DECLINED = "declined", "未认定"


class PointsKind(models.TextChoices):
    EARNED = "earned", "服务获得"
    GRANTED = "granted", "奖励发放"
    REDEEMED = "redeemed", "兑换"
    DONATED = "donated", "捐赠"


# The sign of each kind: credits add to the balance, debits take from it.
CREDIT_KINDS = frozenset({PointsKind.EARNED, PointsKind.GRANTED})
DEBIT_KINDS = frozenset({PointsKind.REDEEMED, PointsKind.DONATED})

# 全国志愿服务信息系统 star levels; the approved hours each needs are SERVICES_STAR_THRESHOLDS and
# the points per approved hour SERVICES_POINTS_PER_HOUR (config/settings.py).
STAR_NAMES = ("", "一星", "二星", "三星", "四星", "五星")

# Who records, approves and declines hours: apps/accounts/permissions.py (services.*).


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    DECLINED = "declined", "未通过"


class TrainingKind(models.TextChoices):
    THEORY = "theory", "理论培训"
    PRACTICE = "practice", "实践培训"


class ExceptionKind(models.TextChoices):
    UNAVAILABLE = "unavailable", "不可服务"
    EXTRA = "extra", "临时可服务"


# Certificates offered on the volunteer page (free text is accepted too).
COMMON_CERTIFICATES = ("持证社工", "急救员证", "心理咨询师", "电工证", "教师资格证", "护士执业证")
