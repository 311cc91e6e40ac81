"""Working days as numbers, so the database can count days late.

Numbering starts on 1 Jan 2015 (earlier dates are refused): the first call counts the
working days of every year since, a fraction of a second.

The calendar is the one the cases use (`apps.cases.deadlines.is_workday`: Chinese public
holidays off, make-up working days 调休上班 on). `workday_number(day)` is the count of working
days from WORKDAY_EPOCH up to and including `day`; a holiday or weekend carries the number of
the working day before it. So "working days late" on a day is `workday_number(today) -
workday_number(due)`: a Saturday after a Friday deadline is 0 days late, the Monday 1, and a
make-up Sunday counts as a working day. Stages store the numbers of their due and completion
dates; a lamp query compares them with today's number, given as one parameter.
"""

import datetime as dt
from functools import lru_cache

from apps.cases.deadlines import is_workday, nth_workday_after

WORKDAY_EPOCH = dt.date(2015, 1, 1)


@lru_cache(maxsize=256)
def _year(year: int) -> tuple[int, tuple[int, ...]]:
    """(working days in the years before `year` since the epoch, running count in `year`)."""
    before = 0
    if year > WORKDAY_EPOCH.year:
        earlier, counts = _year(year - 1)
        before = earlier + counts[-1]
    running: list[int] = []
    count = 0
    day = dt.date(year, 1, 1)
    while day.year == year:
        count += int(is_workday(day))
        running.append(count)
        day += dt.timedelta(days=1)
    return before, tuple(running)


def workday_number(day: dt.date) -> int:
    if day < WORKDAY_EPOCH:
        raise ValueError("日期早于工作日历起点")
    before, running = _year(day.year)
    return before + running[day.timetuple().tm_yday - 1]


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    return workday_number(end) - workday_number(start)


def due_date(start: dt.date, sla_workdays: int) -> dt.date:
    """The day a stage of `sla_workdays` working days that starts on `start` is due: the Nth
    working day after the start day (the case engine's rule)."""
    return nth_workday_after(start, sla_workdays)
