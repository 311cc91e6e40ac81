"""Deadlines by the Chinese working calendar (holidays and make-up working days)."""

import datetime as dt

import pytest

from apps.cases.choices import Lamp, LimitUnit
from apps.cases.deadlines import BEIJING, compute_deadline, is_workday, lamp

W, H = LimitUnit.WORKDAYS, LimitUnit.HOURS


def bj(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


class TestComputeDeadline:
    def test_it_ends_at_1730_on_the_nth_working_day_after_the_start_day(self):
        # Monday 2025-03-10 15:00 + 1 working day = Tuesday 17:30
        assert compute_deadline(bj(2025, 3, 10, 15), 1, W) == bj(2025, 3, 11, 17, 30)

    def test_it_skips_weekends(self):
        assert compute_deadline(bj(2025, 3, 14, 9), 1, W) == bj(2025, 3, 17, 17, 30)

    def test_it_skips_national_day_2025_and_counts_the_make_up_saturday(self):
        # 2025-09-30 (Tue) + 1 working day: Oct 1–8 are off, Oct 9 is the next working day.
        assert compute_deadline(bj(2025, 9, 30, 10), 1, W) == bj(2025, 10, 9, 17, 30)
        # Oct 9 (Thu), Oct 10 (Fri), Oct 11 (Sat, 调休上班) ⇒ 3 working days from Oct 8.
        assert compute_deadline(bj(2025, 10, 8, 10), 3, W) == bj(2025, 10, 11, 17, 30)

    def test_it_counts_the_make_up_sunday_before_national_day(self):
        # Friday 2025-09-26 + 1 working day = Sunday 2025-09-28 (调休上班)
        assert compute_deadline(bj(2025, 9, 26, 16), 1, W) == bj(2025, 9, 28, 17, 30)

    def test_it_follows_the_2026_spring_festival(self):
        # Feb 14 2026 (Sat) is a make-up working day; Feb 15–23 are off.
        assert is_workday(dt.date(2026, 2, 14))
        assert compute_deadline(bj(2026, 2, 13, 12), 2, W) == bj(2026, 2, 24, 17, 30)

    def test_it_ends_the_same_day_for_zero_working_days(self):
        assert compute_deadline(bj(2025, 10, 3, 9), 0, W) == bj(2025, 10, 9, 17, 30)
        assert compute_deadline(bj(2025, 3, 10, 9), 0, W) == bj(2025, 3, 10, 17, 30)

    def test_it_uses_the_beijing_day_of_a_utc_start(self):
        start = dt.datetime(2025, 3, 9, 20, tzinfo=dt.UTC)  # Monday 04:00 in Beijing
        assert compute_deadline(start, 1, W) == bj(2025, 3, 11, 17, 30)

    def test_it_counts_hours_on_the_clock(self):
        assert compute_deadline(bj(2025, 10, 1, 22), 4, H) == bj(2025, 10, 2, 2)

    def test_it_falls_back_to_weekdays_for_a_year_the_calendar_does_not_know(self):
        assert compute_deadline(bj(2035, 1, 5, 9), 1, W) == bj(2035, 1, 8, 17, 30)

    def test_it_refuses_naive_starts_and_unknown_units(self):
        with pytest.raises(ValueError):
            compute_deadline(dt.datetime(2025, 1, 1), 1, W)
        with pytest.raises(ValueError):
            compute_deadline(bj(2025, 1, 1), 1, "weeks")


class TestLamp:
    start = bj(2025, 3, 10, 9)
    deadline = bj(2025, 3, 14, 9)  # a 96-hour window: yellow in the last 24 hours

    def test_it_is_green_early_yellow_late_and_red_after(self):
        assert lamp(bj(2025, 3, 11, 9), self.start, self.deadline) == Lamp.GREEN
        assert lamp(bj(2025, 3, 13, 10), self.start, self.deadline) == Lamp.YELLOW
        assert lamp(bj(2025, 3, 14, 10), self.start, self.deadline) == Lamp.RED

    def test_it_is_off_once_done(self):
        assert lamp(bj(2025, 3, 20), self.start, self.deadline, bj(2025, 3, 12)) == Lamp.NONE

    def test_it_uses_the_configured_lead_when_longer(self, settings):
        settings.CASES_WARNING_LEAD_HOURS = 48
        assert lamp(bj(2025, 3, 12, 10), self.start, self.deadline) == Lamp.YELLOW
