"""Constants of activities: kinds, states, sign-up states, check-in methods, who may manage."""

from django.db import models


class ActivityKind(models.TextChoices):
    READING = "reading", "阅读文化"
    SCIENCE = "science", "科普宣传"
    VOLUNTEER = "volunteer", "志愿服务"
    HEALTH = "health", "健康义诊"
    ELDERLY = "elderly", "助老敬老"
    CHILDREN = "children", "关爱儿童"
    PARTY = "party", "党建学习"
    OTHER = "other", "其他"


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", "已发布"
    CANCELLED = "cancelled", "已取消"


class SignupStatus(models.TextChoices):
    REGISTERED = "registered", "已报名"
    WAITLISTED = "waitlisted", "候补"
    CANCELLED = "cancelled", "已取消"


class ParticipantRole(models.TextChoices):
    PARTICIPANT = "participant", "参与者"
    VOLUNTEER = "volunteer", "志愿者"


class CheckinMethod(models.TextChoices):
    ACCOUNT = "account", "扫码签到（账号）"
    PHONE = "phone", "扫码签到（姓名+手机尾号）"
    STAFF = "staff", "工作人员登记"


class SignupSource(models.TextChoices):
    STAFF = "staff", "工作人员代报名"
    SELF = "self", "本人报名"
    WALK_IN = "walk_in", "现场签到"


# Who may create and run activities: apps/accounts/permissions.py (activities.*); the
# activity's own organiser accounts may run it too.

# A check-in link is valid from this long before the start …
CHECKIN_OPENS_BEFORE_MINUTES = 60
# … until ACTIVITIES_CHECKIN_GRACE_MINUTES after the end (config/settings.py).
