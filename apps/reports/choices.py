from django.db import models


class ReportKind(models.TextChoices):
    MONTH = "month", "月报"
    QUARTER = "quarter", "季报"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已生成"
    FAILED = "failed", "生成失败"


# Who may ask for a briefing of an area: apps/accounts/permissions.py (reports.request).
