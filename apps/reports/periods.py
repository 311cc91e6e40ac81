"""Periods of briefings: a month or a quarter, and the one before it."""

import datetime as dt

from apps.stats.selectors import month_end

from .choices import ReportKind


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month or quarter containing `day`: (first day, last day)."""
    if kind == ReportKind.QUARTER:
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        end = month_end(start.replace(month=start.month + 2))
        return start, end
    start = day.replace(day=1)
    return start, month_end(start)


def previous_period(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    return period_of(kind, start - dt.timedelta(days=1))


def last_finished(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The latest month or quarter that ended before `today`."""
    start, _ = period_of(kind, today)
    return previous_period(kind, start)
