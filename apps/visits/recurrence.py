"""Occurrences of a plan's RRULE and the visit window around them (pure functions).

Holiday rule: an occurrence is never moved. A Friday visit that falls on a public holiday stays
on that Friday (residents are at home; the 周五入户 habit is kept); instead the window's closing
day, when it is a statutory public holiday (法定节假日 of the `chinese_calendar` package), moves
on to the first day after the holiday, so nobody is marked missed in the middle of a holiday.
"""

import datetime as dt

import chinese_calendar
from dateutil.rrule import rrule, rrulestr


def parse_rule(rule: str, start: dt.date) -> rrule:
    """The rrule of `rule` (an RRULE body such as "FREQ=WEEKLY;BYDAY=FR") from `start`;
    ValueError for an invalid rule."""
    body = rule.strip().removeprefix("RRULE:")
    if not body:
        raise ValueError("empty rule")
    parsed = rrulestr(body, dtstart=dt.datetime.combine(start, dt.time()))
    if not isinstance(parsed, rrule):
        raise ValueError("not a single RRULE")
    return parsed


def next_occurrence(rule: str, start: dt.date, on_or_after: dt.date) -> dt.date | None:
    found = parse_rule(rule, start).after(dt.datetime.combine(on_or_after, dt.time()), inc=True)
    return found.date() if found else None


def is_occurrence(rule: str, start: dt.date, day: dt.date) -> bool:
    return next_occurrence(rule, start, day) == day


def is_public_holiday(day: dt.date) -> bool:
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year the package does not cover: no holidays known
        return False
    return bool(on_holiday and name)


def window_end(occurrence: dt.date, window_days: int) -> dt.date:
    """The last day of the visit window: occurrence + window_days, moved past a holiday."""
    end = occurrence + dt.timedelta(days=window_days)
    while is_public_holiday(end):
        end += dt.timedelta(days=1)
    return end
