"""Background job of 双报告: a thin wrapper that calls the action."""

import datetime as dt

from django.utils import timezone

from apps.core.tasks import periodic

from .actions import do_generate_dual_reports


@periodic(seconds=3600, name="services.dual_reports")
def dual_reports() -> int:
    """双报告 at month end: every hour, (re)write the report rows of the month just ended and
    notify each unit's contact once. Running hourly rather than once on the 1st means a worker
    that was down at midnight catches up, and services confirmed late still reach the rows."""
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return len(do_generate_dual_reports(last_month))
