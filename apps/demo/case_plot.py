"""What becomes of a demo case: its fate (the status it ends in) and the steps that lead there.

A fate is drawn from weights that depend on the case's age (old cases are archived, today's
wait for acceptance) and only among the fates its age allows whatever the calendar: an open
case must be younger than the shortest its deadline window can be, so the deadline monitor
would not have escalated it yet; a case the monitor escalated must be older than the longest
its windows can be. Ages, fates and every choice on the way are drawn from the case's own
random generator, so they repeat for a seed; the times in between are fractions of the
windows, so they shift with the calendar and with now.
"""

import datetime as dt
import random

from apps.cases.choices import LEVEL_ORDER, Level, Status
from apps.cases.rules import next_level

from . import case_texts as texts
from .case_cast import Cast, Home
from .case_story import Actor, Limits, Story, lower_bound, upper_bound

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

# Fates, and their weights by the age of the case in days: 0 (today), 1–2, 3–6, 7–13,
# 14–29, 30 and more.
SUBMITTED = "submitted"
ACCEPTED = "accepted"
DISPATCHED = "dispatched"
CLAIMED = "claimed"
IN_PROGRESS = "in_progress"
EXTENSION_ASKED = "extension_asked"
RETURNED = "returned"
ESCALATED = "escalated"
REOPENED = "reopened"
COUNTY_RED = "county_red"
RESOLVED_FRESH = "resolved_fresh"
REVISIT_PENDING = "revisit_pending"
UNREACHABLE = "unreachable"
AFTER_REOPEN = "after_reopen"
EVALUATED = "evaluated"
CLOSED = "closed"
CANCELLED = "cancelled"

FATES: dict[str, tuple[float, ...]] = {
    SUBMITTED: (14, 0, 0, 0, 0, 0),
    ACCEPTED: (8, 6, 3, 0, 0, 0),
    DISPATCHED: (14, 12, 6, 2, 0, 0),
    CLAIMED: (10, 14, 8, 3, 0, 0),
    IN_PROGRESS: (8, 20, 16, 8, 0, 0),
    EXTENSION_ASKED: (0, 2, 3, 2, 0, 0),
    RETURNED: (2, 2, 1, 0, 0, 0),
    ESCALATED: (3, 4, 3, 2, 0, 0),
    REOPENED: (0, 3, 3, 2, 0, 0),
    COUNTY_RED: (0, 0, 0, 0, 0.5, 0.4),
    RESOLVED_FRESH: (10, 20, 15, 0, 0, 0),
    REVISIT_PENDING: (0, 0, 5, 3, 0.5, 0),
    UNREACHABLE: (0, 0, 0, 1.5, 1.5, 1.5),
    AFTER_REOPEN: (0, 0, 1, 1.5, 1.5, 1.5),
    EVALUATED: (6, 14, 26, 25, 8, 2),
    CLOSED: (2, 6, 16, 50, 85, 90),
    CANCELLED: (3, 3, 3, 2.5, 2.5, 2.5),
}
OPEN_FATES = {
    SUBMITTED: Status.SUBMITTED,
    ACCEPTED: Status.ACCEPTED,
    DISPATCHED: Status.DISPATCHED,
    CLAIMED: Status.CLAIMED,
    IN_PROGRESS: Status.IN_PROGRESS,
    EXTENSION_ASKED: Status.IN_PROGRESS,
    RETURNED: Status.RETURNED,
}
REVISIT_AFTER = dt.timedelta(days=3)  # CASES_REVISIT_AFTER_DAYS
SATISFACTION = (("satisfied", 88), ("basic", 12))


def band(days: int) -> int:
    for i, top in enumerate((0, 2, 6, 13, 29)):
        if days <= top:
            return i
    return 5


def window(limits: Limits) -> dt.timedelta:
    return upper_bound(limits.response) + upper_bound(limits.resolve)


def ladder(level: str) -> list[str]:
    return [str(lv) for lv in LEVEL_ORDER[LEVEL_ORDER.index(Level(level)) :]]


def feasible(fate: str, lo: dt.timedelta, hi: dt.timedelta, limits: Limits) -> bool:
    """Whether a case aged between `lo` and `hi` can end in `fate` on any calendar."""
    respond, resolve = lower_bound(limits.response), lower_bound(limits.resolve)
    if fate == SUBMITTED:
        return hi < respond * 0.9
    if fate in OPEN_FATES or fate == ESCALATED:
        top = next_level(limits.level) is not None or fate != ESCALATED
        return top and hi < min(resolve * 0.9, resolve - HOUR)
    if fate == REOPENED:  # resolved in the 60 hours before the last 0.9 of a window
        return resolve * 0.9 + 2 * HOUR < lo and hi < resolve * 1.9 + 60 * HOUR
    if fate == COUNTY_RED:
        return lo > window(limits) * len(ladder(limits.level)) + DAY
    if fate == RESOLVED_FRESH:
        return hi < resolve + 60 * HOUR
    if fate in (REVISIT_PENDING, UNREACHABLE):
        return lo > REVISIT_AFTER + 6 * HOUR
    return True


def choose_fate(
    rng: random.Random, days: int, lo: dt.timedelta, hi: dt.timedelta, limits: Limits
) -> str:
    i = band(days)
    options = [(f, w[i]) for f, w in FATES.items() if w[i] > 0 and feasible(f, lo, hi, limits)]
    return rng.choices([f for f, _ in options], [w for _, w in options])[0]


class Plot:
    """Plays one fate on a Story, choosing the people from the Cast."""

    def __init__(
        self,
        rng: random.Random,
        cast: Cast,
        home: Home,
        story: Story,
        kind: str,
        notes: tuple[str, ...],
    ) -> None:
        self.rng = rng
        self.cast = cast
        self.home = home
        self.s = story
        self.kind = kind
        self.notes = notes
        self.now = story.now

    def frac(self, quick: bool = False) -> float:
        return max(0.01, self.rng.betavariate(1.0, 4.0 if quick else 2.2))

    def dispatcher(self) -> Actor:
        return self.cast.dispatcher(self.s.level, self.s.handling_unit_id, self.rng)

    # --- the common path ----------------------------------------------------------------

    def accept(self, cap: dt.datetime | None = None) -> None:
        self.s.accept(self.dispatcher(), self.s.when(self.frac(quick=True), cap=cap))

    def dispatch(self, cap: dt.datetime | None = None, avoid: Actor | None = None) -> Actor:
        handler, dept = self.cast.handler(self.home, self.s.level, self.kind, self.rng)
        if handler == avoid:
            handler, dept = self.cast.handler(self.home, self.s.level, self.kind, self.rng)
        pool = self.rng.random() < 0.25 and self.s.level != Level.COUNTY  # 抢单
        at = self.s.when(self.frac(quick=True), cap=cap)
        self.s.dispatch(self.dispatcher(), None if pool else handler, at, dept)
        return handler

    def walk(
        self,
        stop: str,
        *,
        cap: dt.datetime | None = None,
        resolve_after: dt.datetime | None = None,
        detours: bool = True,
    ) -> None:
        """Accept, dispatch, claim, start and resolve, stopping once the case reaches `stop`;
        with `detours`, some cases are escalated by hand, returned, or ask for more time."""
        s, rng = self.s, self.rng
        if stop == SUBMITTED:
            return
        self.accept(cap)
        if detours and rng.random() < 0.05 and s.level in (Level.GRID, Level.COMMUNITY):
            note = rng.choice(texts.ESCALATE_NOTES)
            s.escalate(self.dispatcher(), s.when(self.frac(), cap=cap), note)
            self.accept(cap)
        if stop == ACCEPTED:
            return
        handler = self.dispatch(cap)
        if stop == DISPATCHED:
            return
        s.claim(handler, s.when(self.frac(quick=True), cap=cap))
        if stop == RETURNED or (detours and rng.random() < 0.03):
            s.give_back(rng.choice(texts.RETURN_REASONS), s.when(self.frac(), cap=cap))
            if stop == RETURNED:
                return
            handler = self.dispatch(cap, avoid=handler)
            s.claim(handler, s.when(self.frac(quick=True), cap=cap))
        if stop == CLAIMED:
            return
        if stop in (IN_PROGRESS, EXTENSION_ASKED) or rng.random() < 0.7:
            s.start(s.when(self.frac(quick=True), cap=cap))
        if stop == EXTENSION_ASKED or (detours and rng.random() < 0.04):
            amount = rng.choice((2, 3, 5))
            s.ask_extension(
                amount, rng.choice(texts.EXTENSION_REASONS), s.when(self.frac(), cap=cap)
            )
            if stop == EXTENSION_ASKED:
                return
            approve = rng.random() < 0.85
            note = "" if approve else "请按原时限办结"
            s.decide_extension(
                self.dispatcher(), approve, s.when(self.frac(quick=True), cap=cap), note
            )
        if stop == IN_PROGRESS:
            return
        if detours and rng.random() < 0.01:
            supervisor = self.cast.supervisor(self.home, rng)
            s.supervise(supervisor, rng.choice(texts.SUPERVISE_NOTES), s.when(self.frac(), cap=cap))
        self.resolve(cap, resolve_after)

    def resolve(self, cap: dt.datetime | None = None, after: dt.datetime | None = None) -> None:
        note = self.rng.choice(self.notes)
        self.s.resolve(note, self.s.when(self.frac(), cap=cap, after=after))

    # --- fates --------------------------------------------------------------------------

    def play(self, fate: str, lo: dt.timedelta) -> None:
        if fate in OPEN_FATES:
            self.walk(fate)
        elif fate == ESCALATED:
            self.escalated()
        elif fate == REOPENED:
            self.reopened()
        elif fate == COUNTY_RED:
            self.county_red()
        elif fate == CANCELLED:
            self.cancelled()
        else:
            self.completed(fate, lo)

    def escalated(self) -> None:
        """Escalated by hand within the last hours; the next level has not accepted yet."""
        s = self.s
        self.accept()
        after = self.now - lower_bound(s.limits.response) * 0.9
        note = self.rng.choice(texts.ESCALATE_NOTES)
        s.escalate(self.dispatcher(), s.when(self.frac(), after=after), note)

    def reopened(self) -> None:
        """Resolved, rated 不满意 recently, back with the same handler."""
        s = self.s
        cap = self.now - lower_bound(s.limits.resolve) * 0.9
        self.walk(CLOSED, cap=cap, resolve_after=cap - 60 * HOUR, detours=False)
        self.rate("unsatisfied", after=cap)
        if self.rng.random() < 0.5 and s.assignee is not None:
            s.claim(s.assignee, s.when(self.frac()))

    def county_red(self) -> None:
        """Nobody acted in time, level after level, up to the county, where it is overdue."""
        s, rng = self.s, self.rng
        if rng.random() < 0.7:
            self.accept()
            handler = self.dispatch()
            s.claim(handler, s.when(self.frac(quick=True)))
        while s.level != Level.COUNTY:
            s.auto_escalate()
        if rng.random() < 0.5:
            self.accept()
            self.dispatch()
        if rng.random() < 0.6:
            note = rng.choice(texts.SUPERVISE_NOTES)
            s.supervise(self.cast.supervisor(self.home, rng), note, s.when(self.frac(), late=True))

    def cancelled(self) -> None:
        s = self.s
        if self.rng.random() < 0.5:
            self.accept()
        note = self.rng.choice(texts.CANCEL_REASONS)
        s.cancel(self.dispatcher(), note, s.when(self.frac()))

    def completed(self, fate: str, lo: dt.timedelta) -> None:
        s, rng = self.s, self.rng
        rated = fate in (EVALUATED, CLOSED)
        revisit = fate in (REVISIT_PENDING, UNREACHABLE) or (
            rated and lo > REVISIT_AFTER + 12 * HOUR and rng.random() < 0.35
        )
        cap = self.now - REVISIT_AFTER - 2 * HOUR if revisit else None
        late_bound = window(s.limits) * 2 + REVISIT_AFTER + 2 * DAY
        if rated and next_level(s.level) and lo > late_bound and rng.random() < 0.05:
            self.late(cap)
        else:
            after = self.now - 60 * HOUR if fate == RESOLVED_FRESH else None
            self.walk(CLOSED, cap=cap, resolve_after=after)
        if fate == RESOLVED_FRESH:
            return
        if revisit:
            self.open_revisit()
        if fate == REVISIT_PENDING:
            return
        if fate == UNREACHABLE:
            assert s.revisit is not None
            at = s.when(self.frac(), after=s.revisit["created_at"])
            s.revisit.update(result="unreachable", note="多次电话联系不上", done_at=at)
            s.revisit["done_by"] = self.dispatcher().id
            return
        if fate == AFTER_REOPEN or rng.random() < 0.03:
            self.rate("unsatisfied")
            handler = s.assignee
            assert handler is not None
            s.claim(handler, s.when(self.frac(quick=True)))
            self.resolve()
            if fate == AFTER_REOPEN:
                return
        good = rng.choices([r for r, _ in SATISFACTION], [w for _, w in SATISFACTION])[0]
        self.rate(good)
        if fate == CLOSED:
            s.close(self.dispatcher(), s.when(self.frac(), cap=s.t + 7 * DAY))

    def late(self, cap: dt.datetime | None) -> None:
        """Late at the first level, escalated by the monitor, handled at the next."""
        s = self.s
        if self.rng.random() < 0.6:
            self.accept(cap)
            handler = self.dispatch(cap)
            s.claim(handler, s.when(self.frac(quick=True), cap=cap))
        s.auto_escalate(cap)
        self.walk(CLOSED, cap=cap, detours=False)

    def open_revisit(self) -> None:
        s = self.s
        assert s.resolved_at is not None
        created = s.resolved_at + REVISIT_AFTER + dt.timedelta(minutes=self.rng.uniform(1, 59))
        s.revisit = {"created_at": created, "unit": s.handling_unit_id}

    def rate(self, rating: str, after: dt.datetime | None = None) -> None:
        """The resident rates within three days, or the revisit asks (when one is open)."""
        s = self.s
        comment = self.rng.choice(texts.RATING_COMMENTS[rating])
        if s.revisit is not None and "result" not in s.revisit:
            start = s.revisit["created_at"]
            at = s.when(self.frac(), after=start, cap=start + 4 * DAY)
            s.rate(rating, comment, at, revisitor=self.dispatcher())
            return
        assert s.resolved_at is not None
        at = s.when(self.frac(), after=after, cap=max(s.resolved_at + REVISIT_AFTER, after or s.t))
        s.rate(rating, comment, at)
