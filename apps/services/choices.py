"""Constants of volunteer services: hour states, point kinds, star levels, who may do what."""

from django.db import models

from apps.accounts.choices import Role


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

# 全国志愿服务信息系统 star levels: approved hours needed for 一星 … 五星 (settings may override
# with SERVICES_STAR_THRESHOLDS).
DEFAULT_STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)
STAR_NAMES = ("", "一星", "二星", "三星", "四星", "五星")
# Points earned per approved hour (SERVICES_POINTS_PER_HOUR overrides).
DEFAULT_POINTS_PER_HOUR = 10

# Staff who record, approve and decline hours and grant points inside their scope.
SERVICE_STAFF_ROLES = frozenset({Role.ADMIN, Role.TOWN_STAFF, Role.COMMUNITY_STAFF})
