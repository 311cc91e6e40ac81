from django.db import models


class EntryKind(models.TextChoices):
    """What a phone may queue while offline (issue 18, item 3)."""

    VISIT = "visit", "入户走访记录"
    CASE = "case", "登记诉求"
    NEED = "need", "走访中登记诉求"
    HAZARD = "hazard", "巡查发现隐患"
    REINSPECT = "reinspect", "隐患复查"
    CARE = "care", "关爱联系"
    ERRAND = "errand", "帮办步骤"
    FOREST_EVENT = "forest_event", "巡护上报事件"
    UNREACHABLE = "unreachable", "未能入户"
    DISPUTE = "dispute", "走访中发现纠纷"
