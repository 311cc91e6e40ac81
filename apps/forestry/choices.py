from django.db import models

from apps.duties.choices import DutyKind


class Period(models.TextChoices):
    DAY = "day", "每天"
    WEEK = "week", "每周"
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"


# The duty kinds that patrol, top level first (escalation climbs this list backwards).
FOREST_LEVELS = (
    DutyKind.RANGER,
    DutyKind.FOREST_CHIEF_VILLAGE,
    DutyKind.FOREST_CHIEF_TOWN,
    DutyKind.FOREST_CHIEF_COUNTY,
)
CHIEF_LEVELS = FOREST_LEVELS[1:]

# The default rule table (editable in the admin): how often each level must patrol.
DEFAULT_RULES = {
    DutyKind.RANGER: Period.DAY,
    DutyKind.FOREST_CHIEF_VILLAGE: Period.WEEK,
    DutyKind.FOREST_CHIEF_TOWN: Period.MONTH,
    DutyKind.FOREST_CHIEF_COUNTY: Period.QUARTER,
}


class TaskStatus(models.TextChoices):
    OPEN = "open", "待巡护"
    DONE = "done", "已巡护"
    MISSED = "missed", "未巡护"


class PatrolStatus(models.TextChoices):
    ACTIVE = "active", "巡护中"
    PAUSED = "paused", "已暂停"
    FINISHED = "finished", "已结束"


class PatrolSource(models.TextChoices):
    PHONE = "phone", "手机定位"
    GPX = "gpx", "GPX 轨迹文件"


class EventKind(models.TextChoices):
    FIRE = "fire", "火情隐患"
    LOGGING = "logging", "乱砍滥伐"
    PEST = "pest", "病虫害"
    LAND = "land", "违法占地"
    WILDLIFE = "wildlife", "野生动物"
    OTHER = "other", "其他"


# The case category each event kind files under (apps/cases catalogue; added by migration).
EVENT_CATEGORY = {
    EventKind.FIRE: "forest-fire",
    EventKind.LOGGING: "forest-logging",
    EventKind.PEST: "forest-pest",
    EventKind.LAND: "forest-land",
    EventKind.WILDLIFE: "forest-wildlife",
    EventKind.OTHER: "forest-hazard",
}


class PlantingKind(models.TextChoices):
    VOLUNTARY = "voluntary", "义务植树"
    AFFORESTATION = "afforestation", "人工造林"
    RESTORATION = "restoration", "退化林修复"
    CAMELLIA = "camellia", "油茶种植"
    RESERVE = "reserve", "国家储备林"
    OTHER = "other", "其他"
