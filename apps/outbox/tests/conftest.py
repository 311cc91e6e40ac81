import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

# Friday 2026-12-04 10:00 in Shanghai, the day of the visit tasks of these tests: they never
# depend on the day they run (the task's window, the bounds of a capture time).
NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[dt.datetime]:
    with time_machine.travel(NOW, tick=True):
        yield NOW
