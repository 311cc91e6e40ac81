"""Time limits as pure functions of a start time, an amount and a unit.

The rule (docs/cases.md):

* **hours** are elapsed clock hours: an urgent hazard does not wait for Monday.
* **working days** follow the Chinese working calendar (public holidays off, make-up working
  days 调休上班 on) as published in the `chinese_calendar` package: N working days end at 17:30
  Beijing time on the Nth working day *after* the day of the start, whatever the hour of the
  start. 0 working days end at 17:30 on the start day if it is a working day, else on the next
  working day. For a year the package does not know yet, Monday to Friday count as working days.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

from .choices import Lamp, LimitUnit

BEIJING = ZoneInfo("Asia/Shanghai")
END_OF_WORKDAY = dt.time(17, 30)
MAX_WORKDAYS = 3650


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not cover yet
        return day.weekday() < 5


def nth_workday_after(day: dt.date, n: int) -> dt.date:
    """The nth working day after `day` (n=0: `day` itself if a working day, else the next)."""
    if n == 0:
        while not is_workday(day):
            day += dt.timedelta(days=1)
        return day
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def compute_deadline(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """The deadline `amount` `unit`s after `start` (an aware datetime); returned in UTC-aware
    form comparable with any aware datetime."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if amount < 0:
        raise ValueError("amount must not be negative")
    if unit == LimitUnit.HOURS:
        return start + dt.timedelta(hours=amount)
    if unit == LimitUnit.WORKDAYS:
        if amount > MAX_WORKDAYS:
            raise ValueError("amount too large")
        local_day = start.astimezone(BEIJING).date()
        end_day = nth_workday_after(local_day, amount)
        return dt.datetime.combine(end_day, END_OF_WORKDAY, tzinfo=BEIJING)
    raise ValueError(f"unknown unit {unit!r}")


def warning_lead(start: dt.datetime, deadline: dt.datetime) -> dt.timedelta:
    """How long before the deadline the lamp turns yellow: the last quarter of the window
    (CASES_WARNING_FRACTION) or CASES_WARNING_LEAD_HOURS, whichever is longer."""
    fraction = float(settings.CASES_WARNING_FRACTION)
    lead_hours = float(settings.CASES_WARNING_LEAD_HOURS)
    window = max(deadline - start, dt.timedelta(0))
    return max(window * fraction, dt.timedelta(hours=lead_hours))


def lamp(
    now: dt.datetime,
    start: dt.datetime,
    deadline: dt.datetime | None,
    done_at: dt.datetime | None = None,
) -> str:
    """The lamp of one deadline: red after it, yellow in its warning lead, else green; none
    once the thing is done or when there is no deadline."""
    if deadline is None or done_at is not None:
        return Lamp.NONE
    if now > deadline:
        return Lamp.RED
    if now >= deadline - warning_lead(start, deadline):
        return Lamp.YELLOW
    return Lamp.GREEN
