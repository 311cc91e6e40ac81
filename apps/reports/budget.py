"""A briefing's time budget (REPORT_MAX_SECONDS), checked inside its generation: between the
stages (figures, PDF, Excel, HTML) and before every indicator, so a briefing that runs too long
stops by itself with a plain error instead of running on after the sweep marked it failed."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("report_deadline", default=None)
_limit: ContextVar[int] = ContextVar("report_limit", default=0)


class OutOfTime(Exception):
    pass


def clock() -> float:
    return time.monotonic()


@contextmanager
def within(seconds: int) -> Iterator[None]:
    """Run the block under a budget of `seconds` (the checks inside raise `OutOfTime`)."""
    token = _deadline.set(clock() + seconds)
    limit = _limit.set(seconds)
    try:
        yield
    finally:
        _deadline.reset(token)
        _limit.reset(limit)


def check(stage: str = "") -> None:
    deadline = _deadline.get()
    if deadline is not None and clock() > deadline:
        where = f"（{stage}）" if stage else ""
        raise OutOfTime(
            f"简报生成超过 {_limit.get()} 秒的时限，已在{where or '中途'}停止，请稍后重新生成"
        )
