"""One demo case played forward under the rules of apps.cases, without touching the database.

A Story holds a case's fields and its timeline. Each step checks the transitions table of
`apps.cases.choices` and changes the fields the way `apps.cases.actions._apply` does, so
every generated history is one the real actions could have written: statuses chain from → to,
deadlines come from `compute_deadline`, 上报 moves the level and unit up and gives fresh
windows, 重办 gives a fresh resolve window, 延期 moves the deadline on from the old one.

Times: a step happens at a fraction of the time left before the next running deadline (or
the story's cap, at most now), so nothing is late unless the story says so; a late case is
escalated by the monitor (actor None, "系统（超时自动上报）") at the instant its deadline
passes, as `escalate_overdue` would have done. A step with no room left raises Infeasible.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.cases.actions import RESIDENT_LABEL, SYSTEM_LABEL
from apps.cases.choices import (
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    ExtensionState,
    Level,
    LimitUnit,
    RatingSource,
    Status,
)
from apps.cases.deadlines import compute_deadline
from apps.cases.rules import next_level

SECOND = dt.timedelta(seconds=1)


class Infeasible(Exception):
    """The story does not fit between its start, its deadlines and now."""


@dataclass(frozen=True)
class Actor:
    id: int | None
    label: str


SYSTEM = Actor(None, SYSTEM_LABEL)
RESIDENT = Actor(None, RESIDENT_LABEL)


@dataclass(frozen=True)
class Limits:
    """A category's time limits and default level."""

    id: int
    code: str
    response: tuple[int, str]
    resolve: tuple[int, str]
    level: str


def lower_bound(limit: tuple[int, str]) -> dt.timedelta:
    """The shortest a window of `limit` can be, whatever the start and the calendar."""
    amount, unit = limit
    if unit == LimitUnit.HOURS:
        return dt.timedelta(hours=amount)
    return dt.timedelta(hours=max(0, amount - 1) * 24 + 17.5)


def upper_bound(limit: tuple[int, str]) -> dt.timedelta:
    """The longest a window of `limit` can be: weekends and the longest holiday (9 days)."""
    amount, unit = limit
    if unit == LimitUnit.HOURS:
        return dt.timedelta(hours=amount)
    return dt.timedelta(days=amount + 2 * (amount // 5 + 1) + 10)


@dataclass
class Event:
    at: dt.datetime
    actor: Actor
    action: str
    from_status: str
    to_status: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class Story:
    """The fields and the timeline of one case (see the module docstring)."""

    def __init__(
        self,
        rng: random.Random,
        *,
        created: dt.datetime,
        now: dt.datetime,
        limits: Limits,
        units: dict[str, int],
        department_id: int | None,
        intake: Actor,
        source: str,
        note: str,
    ) -> None:
        self.rng = rng
        self.now = now
        self.limits = limits
        self.units = units  # level → the place handling that level for this case's place
        self.t = created
        self.created = created
        self.status = ""
        self.level = limits.level
        self.handling_unit_id = units[self.level]
        self.assignee: Actor | None = None
        self.department_id = department_id
        self.respond_by = compute_deadline(created, *limits.response)
        self.resolve_by = compute_deadline(created, *limits.resolve)
        self.responded_at: dt.datetime | None = None
        self.resolved_at: dt.datetime | None = None
        self.closed_at: dt.datetime | None = None
        self.escalated_at: dt.datetime | None = None
        self.rating = ""
        self.rating_comment = ""
        self.rating_source = ""
        self.rated_at: dt.datetime | None = None
        self.supervised = False
        self.merged_into: Any = None  # the Story this case was merged into
        self.reopen_count = 0
        self.extension: tuple[str, int | None, str, str] = ("", None, "", "")
        self.revisit: dict[str, Any] | None = None
        self.events: list[Event] = []
        self._step(Action.SUBMIT, intake, created, Status.SUBMITTED, note, {"source": source})

    # --- time ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def running_deadline(self) -> dt.datetime | None:
        """The earliest deadline still running, as `Case.objects.overdue` reads them."""
        if not self.is_open:
            return None
        running = [
            d
            for d, done in (
                (self.respond_by, self.responded_at),
                (self.resolve_by, self.resolved_at),
            )
            if done is None
        ]
        return min(running) if running else None

    def when(
        self,
        frac: float,
        *,
        cap: dt.datetime | None = None,
        after: dt.datetime | None = None,
        late: bool = False,
    ) -> dt.datetime:
        """A time `frac` of the way from now-in-the-story (or `after`) to the first of the
        running deadline (unless `late`), `cap` and the real now."""
        limit = min(cap or self.now, self.now)
        deadline = self.running_deadline()
        if deadline is not None and not late:
            limit = min(limit, deadline)
        start = max(self.t, after) if after else self.t
        if limit - start < SECOND:
            raise Infeasible(f"no room at {self.status}")
        return start + (limit - start) * frac

    # --- steps --------------------------------------------------------------------------

    def _step(
        self,
        action: str,
        actor: Actor,
        at: dt.datetime,
        to_status: str,
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(Event(at, actor, action, self.status, to_status, note, data or {}))
        self.status = to_status
        self.t = at

    def act(
        self,
        action: str,
        actor: Actor,
        at: dt.datetime,
        note: str = "",
        data: dict[str, Any] | None = None,
        apply: Callable[[], None] | None = None,
    ) -> None:
        spec = TRANSITIONS[action]
        if self.status not in spec.sources:
            raise AssertionError(f"{action} from {self.status}")
        if spec.note_required and not note:
            raise AssertionError(f"{action} needs a note")
        if apply is not None:
            apply()
        self._step(action, actor, at, spec.target or self.status, note, data)

    def accept(self, actor: Actor, at: dt.datetime) -> None:
        def apply() -> None:
            self.responded_at = self.responded_at or at

        self.act(Action.ACCEPT, actor, at, apply=apply)

    def dispatch(
        self, actor: Actor, assignee: Actor | None, at: dt.datetime, department: int | None = None
    ) -> None:
        self.assignee = assignee
        self.department_id = department or self.department_id
        data = {"assignee": assignee.id if assignee else None, "department": self.department_id}
        self.act(Action.DISPATCH, actor, at, data=data)

    def claim(self, actor: Actor, at: dt.datetime) -> None:
        assert self.assignee is None or self.assignee == actor
        self.assignee = actor
        self.act(Action.CLAIM, actor, at)

    def start(self, at: dt.datetime) -> None:
        assert self.assignee is not None
        self.act(Action.START, self.assignee, at)

    def resolve(self, note: str, at: dt.datetime) -> None:
        assert self.assignee is not None

        def apply() -> None:
            self.resolved_at = at

        self.act(Action.RESOLVE, self.assignee, at, note, apply=apply)

    def give_back(self, note: str, at: dt.datetime) -> None:
        assert self.assignee is not None
        data = {"assignee": self.assignee.id}
        who = self.assignee
        self.assignee = None
        self.act(Action.RETURN, who, at, note, data)

    def escalate(self, actor: Actor, at: dt.datetime, note: str = "") -> None:
        level = next_level(self.level)
        assert level is not None
        data: dict[str, Any] = {"from_level": self.level, "from_unit": self.handling_unit_id}
        if actor is SYSTEM:
            reason = (
                "响应超时" if self.responded_at is None and self.respond_by < at else "办结超时"
            )
            note = f"{reason}，自动上报"
            data = {"automatic": True, **data}

        def apply() -> None:
            self.level = Level(level)
            self.handling_unit_id = self.units[level]
            self.assignee = None
            self.responded_at = None
            self.respond_by = compute_deadline(at, *self.limits.response)
            self.resolve_by = max(self.resolve_by, compute_deadline(at, *self.limits.resolve))
            self.escalated_at = at
            data.update(level=self.level, unit=self.handling_unit_id)

        self.act(Action.ESCALATE, actor, at, note, data, apply)

    def auto_escalate(self, cap: dt.datetime | None = None) -> None:
        """The monitor's 上报 at the instant the running deadline passes (within its minute)."""
        deadline = self.running_deadline()
        assert deadline is not None and next_level(self.level) is not None
        at = deadline + dt.timedelta(seconds=self.rng.uniform(1, 59))
        if at > min(cap or self.now, self.now) or at <= self.t:
            raise Infeasible("deadline not passed yet")
        self.escalate(SYSTEM, at)

    def ask_extension(self, amount: int, note: str, at: dt.datetime) -> None:
        assert self.assignee is not None
        self.extension = (ExtensionState.ASKED, amount, LimitUnit.WORKDAYS, note)
        data = {"amount": amount, "unit": LimitUnit.WORKDAYS}
        self.act(Action.REQUEST_EXTENSION, self.assignee, at, note, data)

    def decide_extension(
        self, actor: Actor, approve: bool, at: dt.datetime, note: str = ""
    ) -> None:
        _state, amount, unit, reason = self.extension
        if not approve:
            self.extension = (ExtensionState.REFUSED, amount, unit, reason)
            self.act(Action.REFUSE_EXTENSION, actor, at, note)
            return
        old = self.resolve_by
        self.resolve_by = compute_deadline(old, amount or 0, unit)
        self.extension = (ExtensionState.APPROVED, amount, unit, reason)
        data = {"resolve_by": [str(old), str(self.resolve_by)]}
        self.act(Action.APPROVE_EXTENSION, actor, at, data=data)

    def supervise(self, actor: Actor, note: str, at: dt.datetime) -> None:
        self.supervised = True
        self.act(Action.SUPERVISE, actor, at, note)

    def rate(
        self, rating: str, comment: str, at: dt.datetime, revisitor: Actor | None = None
    ) -> None:
        """评价 by the resident (revisitor None) or through a revisit; 不满意 is 重办."""
        self.rating, self.rating_comment, self.rated_at = rating, comment, at
        self.rating_source = RatingSource.REVISIT if revisitor else RatingSource.RESIDENT
        data: dict[str, Any] = {"rating": rating, "comment": comment}
        if revisitor is not None:
            assert self.revisit is not None
            data["revisit"] = None  # the revisit's id, set when it is written
            self.revisit.update(result=rating, note=comment, done_by=revisitor.id, done_at=at)
        if rating != "unsatisfied":
            self.act(Action.RATE, revisitor or RESIDENT, at, comment, data)
            return

        def apply() -> None:
            self.reopen_count += 1
            self.resolved_at = None
            self.resolve_by = compute_deadline(at, *self.limits.resolve)

        self.act(Action.REOPEN, revisitor or RESIDENT, at, comment, data, apply)

    def close(self, actor: Actor, at: dt.datetime) -> None:
        self.closed_at = at
        self.act(Action.CLOSE, actor, at)

    def merge(self, actor: Actor, into: Any, at: dt.datetime) -> None:
        """合并 into another story's case; its id goes into the event when written."""
        self.merged_into = into
        self.act(Action.MERGE, actor, at, data={"into": None})

    def cancel(self, actor: Actor, note: str, at: dt.datetime) -> None:
        self.act(Action.CANCEL, actor, at, note)
