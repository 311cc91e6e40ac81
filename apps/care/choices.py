from django.db import models


class CarerKind(models.TextChoices):
    TEACHER = "teacher", "教师"
    VOLUNTEER = "volunteer", "志愿者"
    PARTY_MEMBER = "party_member", "党员"
    CADRE = "cadre", "村（社区）干部"
    OTHER = "other", "其他"


class ContactKind(models.TextChoices):
    HOME_VISIT = "home_visit", "家访"
    FAMILY_SCHOOL = "family_school", "家校联系"
    PHONE = "phone", "电话联系"


# The care tag the 1+1 programme is about; the care-group view also takes other tags
# (独居老人 …) for the elderly paired the same way.
CHILD_TAG = "left_behind_child"
# A paired person with no contact for this many days is highlighted in the care group.
DEFAULT_STALE_DAYS = 30
