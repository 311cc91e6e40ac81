"""Working days on the Chinese calendar (holidays off, make-up days on) and the lamps they
drive, across National Day 2025 (1-8 Oct off; Sun 28 Sep and Sat 11 Oct worked)."""

import datetime as dt

import pytest

from apps.projects.choices import Lamp
from apps.projects.models import ProjectStage
from apps.projects.selectors import with_stage_lamps
from apps.projects.workdays import due_date, workday_number, workdays_between

D = dt.date


def test_holidays_do_not_count_and_make_up_days_do():
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 8)) == 0  # the whole holiday
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert workdays_between(D(2025, 10, 10), D(2025, 10, 11)) == 1  # make-up Saturday
    assert workdays_between(D(2025, 9, 26), D(2025, 9, 28)) == 1  # make-up Sunday
    assert workdays_between(D(2025, 10, 11), D(2025, 10, 12)) == 0  # an ordinary Sunday
    assert workday_number(D(2025, 10, 5)) == workday_number(D(2025, 9, 30))


def test_due_dates_skip_the_holiday():
    assert due_date(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert due_date(D(2025, 9, 26), 1) == D(2025, 9, 28)  # the make-up Sunday is worked
    assert due_date(D(2025, 10, 1), 0) == D(2025, 10, 9)  # starting on a holiday


@pytest.mark.parametrize(
    ("today", "lamp", "late"),
    [
        (D(2025, 9, 30), Lamp.GREEN, 0),  # due today
        (D(2025, 10, 8), Lamp.GREEN, 0),  # eight days on, all holiday
        (D(2025, 10, 9), Lamp.YELLOW, 1),
        (D(2025, 10, 16), Lamp.YELLOW, 7),  # yellow up to 7 working days late
        (D(2025, 10, 17), Lamp.ORANGE, 8),  # 8 only because Sat 11 Oct was worked
        (D(2025, 11, 5), Lamp.RED, 21),
    ],
)
def test_the_lamp_of_a_stage_due_before_national_day(g105, today, lamp, late):
    stage = g105.stages.get(template__code="survey")
    stage.planned_end, stage.due_workday = D(2025, 9, 30), workday_number(D(2025, 9, 30))
    stage.save()
    row = with_stage_lamps(ProjectStage.objects.filter(pk=stage.pk), workday_number(today)).get()
    assert (row.lamp, row.late) == (lamp, late)


def test_thresholds_are_per_template(g105):
    stage = g105.stages.select_related("template").get(template__code="survey")
    stage.planned_end, stage.due_workday = D(2025, 9, 30), workday_number(D(2025, 9, 30))
    stage.save()
    template = stage.template
    template.yellow_days, template.orange_days = 2, 4
    template.save()
    today = workday_number(D(2025, 10, 13))  # 4 working days late
    assert with_stage_lamps(ProjectStage.objects.filter(pk=stage.pk), today).get().lamp == (
        Lamp.ORANGE
    )
    today = workday_number(D(2025, 10, 14))
    assert with_stage_lamps(ProjectStage.objects.filter(pk=stage.pk), today).get().lamp == Lamp.RED
