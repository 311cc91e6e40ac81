"""Four months of case history for the demo county, so the inbox, the lamps, the timeline, the
escalations and the KPIs (三率) show a living system on the first start.

Determinism and time: the history ends at the moment of generation, not at a fixed date.
Deadlines are real working-day deadlines (`apps.cases.deadlines.compute_deadline`), and the
lamps, the deadline monitor and the KPIs all read them against the clock, so a history that
ended on a fixed date would show nothing but red lamps a week later. Everything else repeats
for a seed: each case draws from its own random generator its category, matter, household,
reporter, kind, source, priority, age in days, fate (the status it ends in) and every step and
person on the way (`case_plot`). Only the timestamps move: ages count back from now, and the
steps fall at drawn fractions of deadline windows that depend on the working calendar.

Rows go in the way the rest of the county does (pre-allocated ids, executemany / COPY), with
no audit row per case: the load's one audit event counts them. Case numbers rise with the
registration time. Stored word features (`Case.tokens`) are those of the title and the
matter's text, without the address, so a few hundred segmentations serve every case.
"""

import datetime as dt
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from apps.cases import similarity
from apps.cases.choices import OPEN_STATUSES, CaseSource, Priority
from apps.cases.models import Case, CaseEvent, CaseRevisit, Category
from apps.people.models import Person
from apps.places.models import Place

from . import case_texts as texts
from .case_cast import Cast, Home, Spot, load_homes
from .case_plot import CANCELLED, OPEN_FATES, Plot, choose_fate
from .case_story import RESIDENT, Infeasible, Limits, Story
from .writer import Sink

PERIOD_DAYS = 120
CASES_PER_HOUSEHOLD = 0.22  # over the period: about 10,000 for the county size
MINIMUM = 160  # enough for every fate in the tiny county
MAXIMUM = 20_000  # the large size gets this many, spread over its households
DUPLICATES = 0.03  # share of cases reported again by a neighbour and merged
BEIJING = dt.timezone(dt.timedelta(hours=8))
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


@dataclass
class Planned:
    """One case ready to write: its story and the columns the story does not hold."""

    story: Story
    home: Home
    place: Spot
    category: Limits
    kind: str
    source: str
    priority: str
    title: str
    description: str
    tokens: str
    reporter: tuple[int, str] | None
    created_by: int | None
    persons: list[int] = field(default_factory=list)
    fate: str = ""
    id: int = 0


def case_count(size: str, households: int) -> int:
    return min(MAXIMUM, max(MINIMUM, round(households * CASES_PER_HOUSEHOLD)))


class CaseHistory:
    """Plans the county's cases (`plan`), then writes them (`write`)."""

    def __init__(self, county: Place, seed: int, now: dt.datetime | None = None) -> None:
        self.county = county
        self.seed = seed
        self.now = now or timezone.now()
        self.homes = load_homes(county)
        self.cast = Cast(county.pk)
        self.cast.load()
        self.categories = {
            c.code: Limits(
                c.pk,
                c.code,
                (c.response_amount, c.response_unit),
                (c.resolve_amount, c.resolve_unit),
                c.default_level,
            )
            for c in Category.objects.filter(active=True)
        }
        self.topics = [t for t in texts.TOPICS if t.code in self.categories]
        self.urban = [h for h in self.homes if h.compound is not None]
        self.rural = [h for h in self.homes if h.rural]
        self.tokens: dict[tuple[str, str], str] = {}
        self.fallbacks = 0
        midnight = self.now.astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
        self.midnight = midnight
        # More cases lately, as a county's use of the system grows; today is not over yet.
        weights = [1.0 + (1 - d / PERIOD_DAYS) + (0.5 if d < 14 else 0) for d in range(PERIOD_DAYS)]
        weights[0] = 1.2
        self.day_weights = weights

    # --- planning -----------------------------------------------------------------------

    def plan(self, count: int) -> list[Planned]:
        plans: list[Planned] = []
        for n in range(count):
            rng = random.Random(self.seed * 1_000_003 + n)
            planned = self.plan_one(rng)
            plans.append(planned)
            if planned.fate not in OPEN_FATES and rng.random() < DUPLICATES:
                twin = self.duplicate(rng, planned)
                if twin is not None:
                    plans.append(twin)
        plans.sort(key=lambda p: p.story.created)
        return plans

    def plan_one(self, rng: random.Random) -> Planned:
        topic = rng.choices(self.topics, [t.weight for t in self.topics])[0]
        matter = rng.choice(topic.matters)
        homes = {texts.URBAN: self.urban, texts.RURAL: self.rural}.get(matter.area, self.homes)
        home = rng.choice(homes or self.homes)
        limits = self.categories[topic.code]
        days = rng.choices(range(PERIOD_DAYS), self.day_weights)[0]
        if days == 0:
            age = dt.timedelta(hours=rng.uniform(0.1, 20))
            created, lo, hi = self.now - age, age, age
        else:  # a daytime hour, `days` calendar days back
            tod = dt.timedelta(hours=rng.uniform(7.5, 21.5))
            created = self.midnight - days * DAY + tod
            lo, hi = days * DAY - 22 * HOUR, days * DAY + 17 * HOUR
        fate = choose_fate(rng, days, lo, hi, limits)
        kind = _pick(rng, topic.kinds)
        source = _pick(rng, topic.sources)
        planned = self.compose(rng, topic, matter, home, limits, kind, source, created)
        planned.fate = fate
        plot = Plot(rng, self.cast, home, planned.story, kind, topic.resolutions)
        try:
            plot.play(fate, lo)
        except Infeasible:  # a calendar the bounds did not foresee: cancel at intake instead
            self.fallbacks += 1
            planned = self.compose(rng, topic, matter, home, limits, kind, source, created)
            planned.fate = CANCELLED
            note = texts.CANCEL_REASONS[0]
            story = planned.story
            dispatcher = self.cast.dispatcher(story.level, story.handling_unit_id, rng)
            story.cancel(dispatcher, note, story.when(0.05))
        return planned

    def compose(
        self,
        rng: random.Random,
        topic: texts.Topic,
        matter: texts.Matter,
        home: Home,
        limits: Limits,
        kind: str,
        source: str,
        created: dt.datetime,
    ) -> Planned:
        """The case as registered: place, reporter, text, and a story at 待受理."""
        place, title = home.place, matter.title
        if matter.where == texts.BUILDING and home.building is not None:
            place, title = home.building, f"{home.building.name}{matter.title}"
        elif matter.where == texts.COMPOUND and home.compound is not None:
            place = home.compound
        elif matter.where == texts.GRID:
            place = home.grid
        adults = [r for r in home.residents if r[2] >= 18]
        reporter_row = rng.choice(adults)
        reporter = None if source == CaseSource.PATROL else (reporter_row[0], reporter_row[1])
        description = f"{matter.body}地点：{place.address}。"
        tokens = self.tokens.get((title, matter.body))
        if tokens is None:
            tokens = self.tokens[(title, matter.body)] = similarity.token_text(title, matter.body)
        persons: list[int] = []
        if topic.serves_person:
            served = max(home.residents, key=lambda r: r[2]) if kind == "errand" else reporter_row
            persons = [served[0]]
        priority = Priority.NORMAL
        roll = rng.random()
        if topic.code.endswith("hazard"):
            priority = (
                Priority.CRITICAL if roll < 0.05 else Priority.URGENT if roll < 0.35 else priority
            )
        elif roll < 0.04:
            priority = Priority.URGENT
        intake = self.cast.intake(home, source)
        story = Story(
            rng,
            created=created,
            now=self.now,
            limits=limits,
            units=home.units,
            department_id=None,
            intake=intake or RESIDENT,
            source=source,
            note=description[:500],
        )
        return Planned(
            story=story,
            home=home,
            place=place,
            category=limits,
            kind=kind,
            source=source,
            priority=priority,
            title=title,
            description=description,
            tokens=tokens,
            reporter=reporter,
            created_by=intake.id if intake else None,
            persons=persons,
        )

    def duplicate(self, rng: random.Random, base: Planned) -> Planned | None:
        """The same matter reported again by a neighbour while the first case was open,
        merged into it by the dispatcher."""
        events = base.story.events
        open_until = next((e.at for e in events if e.to_status not in OPEN_STATUSES), self.now)
        start = base.story.created
        created = start + (open_until - start) * rng.uniform(0.05, 0.5)
        topic = next(t for t in self.topics if t.code == base.category.code)
        matter = next((m for m in topic.matters if base.title.endswith(m.title)), topic.matters[0])
        twin = self.compose(
            rng, topic, matter, base.home, base.category, base.kind, CaseSource.HOTLINE, created
        )
        twin.place, twin.title, twin.tokens = base.place, base.title, base.tokens
        twin.fate = "merged"
        story = twin.story
        dispatcher = self.cast.dispatcher(story.level, story.handling_unit_id, rng)
        try:
            story.merge(dispatcher, base.story, story.when(rng.uniform(0.1, 0.6), cap=open_until))
        except Infeasible:
            return None
        return twin

    # --- writing ------------------------------------------------------------------------

    def write(self, plans: list[Planned], sink: Sink) -> dict[str, int]:
        by_story: dict[int, Planned] = {id(p.story): p for p in plans}
        for p in plans:
            p.id = sink.new_id(Case)
        phones = _phones([p.reporter[0] for p in plans if p.reporter])
        counts = {"cases": 0, "case_events": 0, "case_revisits": 0}
        for p in plans:
            self.write_case(p, by_story, phones, sink)
            counts["cases"] += 1
            counts["case_events"] += len(p.story.events)
            counts["case_revisits"] += p.story.revisit is not None
        sink.flush()
        return counts

    def write_case(
        self,
        p: Planned,
        by_story: dict[int, Planned],
        phones: dict[int, tuple[str, str, str]],
        sink: Sink,
    ) -> None:
        s = p.story
        revisit_id = sink.new_id(CaseRevisit) if s.revisit is not None else None
        merged = by_story[id(s.merged_into)].id if s.merged_into is not None else None
        ext_state, ext_amount, ext_unit, ext_reason = s.extension
        phone = phones.get(p.reporter[0], ("", "", "")) if p.reporter else ("", "", "")
        sink.row(
            Case,
            id=p.id,
            created_at=s.created,
            updated_at=s.t,
            kind=p.kind,
            source=p.source,
            category_id=p.category.id,
            place_id=p.place.id,
            lng=p.place.lng,
            lat=p.place.lat,
            reporter_id=p.reporter[0] if p.reporter else None,
            reporter_name=p.reporter[1] if p.reporter else "",
            reporter_phone_enc=phone[0],
            reporter_phone_index=phone[1],
            reporter_phone_masked=phone[2],
            title=p.title,
            description=p.description,
            attributes={},
            tokens=p.tokens,
            priority=p.priority,
            status=s.status,
            level=s.level,
            handling_unit_id=s.handling_unit_id,
            assignee_id=s.assignee.id if s.assignee else None,
            department_id=s.department_id,
            created_by_id=p.created_by,
            respond_by=s.respond_by,
            resolve_by=s.resolve_by,
            responded_at=s.responded_at,
            resolved_at=s.resolved_at,
            closed_at=s.closed_at,
            escalated_at=s.escalated_at,
            rating=s.rating,
            rating_comment=s.rating_comment,
            rating_source=s.rating_source,
            rated_at=s.rated_at,
            supervised=s.supervised,
            merged_into_id=merged,
            reopen_count=s.reopen_count,
            extension_state=ext_state,
            extension_amount=ext_amount,
            extension_unit=ext_unit,
            extension_reason=ext_reason,
            idempotency_key=None,
            tracking_token=secrets.token_urlsafe(24),
        )
        for e in s.events:
            data = e.data
            if "into" in data:
                data = {**data, "into": merged}
            if "revisit" in data:
                data = {**data, "revisit": revisit_id}
            sink.row(
                CaseEvent,
                case_id=p.id,
                at=e.at,
                actor_id=e.actor.id,
                actor_label=e.actor.label[:150],
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                note=e.note,
                data=data,
            )
        for person in p.persons:
            sink.row(Case.persons.through, id=None, case_id=p.id, person_id=person)
        if s.revisit is not None:
            r = s.revisit
            sink.row(
                CaseRevisit,
                id=revisit_id,
                created_at=r["created_at"],
                updated_at=r.get("done_at") or r["created_at"],
                case_id=p.id,
                unit_id=r["unit"],
                result=r.get("result", ""),
                note=r.get("note", ""),
                done_by_id=r.get("done_by"),
                done_at=r.get("done_at"),
            )


def generate_cases(
    county: Place,
    size: str,
    seed: int,
    sink: Sink,
    say: Callable[[str], None] = lambda _line: None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Plan and write the county's case history; return the counts."""
    history = CaseHistory(county, seed, now)
    if not history.homes:
        return {"cases": 0}
    count = case_count(size, len(history.homes))
    if count == MAXIMUM:
        share = MAXIMUM / len(history.homes)
        say(f"  事项：规模较大，只生成 {MAXIMUM:,} 件（约每户 {share:.2f} 件）")
    plans = history.plan(count)
    counts = history.write(plans, sink)
    if history.fallbacks:
        counts["case_fallbacks"] = history.fallbacks
    open_count = sum(p.story.is_open for p in plans)
    events = counts["case_events"]
    say(f"  事项：{counts['cases']:,} 件（在办 {open_count:,} 件），办理记录 {events:,} 条")
    return counts


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _phones(person_ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """Reporters' phones as stored on their Person rows (already encrypted and masked)."""
    found: dict[int, tuple[str, str, str]] = {}
    wanted = sorted(set(person_ids))
    for i in range(0, len(wanted), 900):
        rows = Person.objects.filter(pk__in=wanted[i : i + 900]).values_list(
            "id", "phone_enc", "phone_index", "phone_masked"
        )
        for pk, enc, index, masked in rows:
            found[pk] = (enc, index, masked)
    return found
