from django.db import models


class ProjectLevel(models.TextChoices):
    PROVINCE = "province", "省重点"
    CITY = "city", "市重点"
    COUNTY = "county", "县重点"


class ProjectType(models.TextChoices):
    TRANSPORT = "transport", "交通"
    INDUSTRY = "industry", "产业"
    ENERGY = "energy", "能源"
    WATER = "water", "水利"
    URBAN = "urban", "城建"
    SOCIAL = "social", "社会民生"
    OTHER = "other", "其他"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "推进中"
    LANDED = "landed", "已落地"
    SUSPENDED = "suspended", "暂缓"


class StageStatus(models.TextChoices):
    PENDING = "pending", "未开始"
    ACTIVE = "active", "进行中"
    DONE = "done", "已完成"


class DispatchReportStatus(models.TextChoices):
    """Where a weekly 调度 report is (DispatchReport.status)."""

    PENDING = "pending", "生成中"
    DONE = "done", "已生成"
    FAILED = "failed", "生成失败"


# The stage template (migration 0002) whose completion records the land supplied (供地面积).
LAND_SUPPLY_STAGE = "supply"


class Lamp(models.IntegerChoices):
    """The stage lamp by working days late; the number orders them (the worst is the max)."""

    GREEN = 0, "绿灯"
    YELLOW = 1, "黄灯"
    ORANGE = 2, "橙灯"
    RED = 3, "红灯"


LAMP_CSS = {Lamp.GREEN: "green", Lamp.YELLOW: "yellow", Lamp.ORANGE: "orange", Lamp.RED: "red"}


class StageEventKind(models.TextChoices):
    PLAN = "plan", "排期"
    ASSIGN = "assign", "指定专人"
    START = "start", "开始"
    COMPLETE = "complete", "完成"
    BLOCKER = "blocker", "登记卡点"
    ESCALATE = "escalate", "卡点超期上报"


class NoteKind(models.TextChoices):
    QA = "qa", "现场答疑"
    POLICY = "policy", "政策解读"


class LandCategory(models.TextChoices):
    """The land columns of the register (亩)."""

    AGRICULTURAL = "agricultural", "农用地"
    FARMLAND = "farmland", "其中耕地"
    CONSTRUCTION = "construction", "建设用地"
    UNUSED = "unused", "未利用地"
