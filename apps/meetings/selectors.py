"""Reads on meetings, always starting from the user's scope: the list, one meeting, the
agenda proposed from the area's cases, the decisions and the figures (会议次数, 参会人次,
议定事项数, 已解决问题数)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as When_
from django.http import Http404
from django.utils import timezone

from apps.accounts.permissions import Cap, roles_with
from apps.accounts.scoping import get_in_scope, place_in_scope
from apps.cases import rules
from apps.cases.choices import (
    HANDLING,
    OPEN_STATUSES,
    RESOLVED_STATUSES,
    Action,
    Status,
)
from apps.cases.duplicates import HotIssue, features
from apps.cases.models import Case
from apps.cases.selectors import hot_issues, visible_cases
from apps.cases.similarity import text_similarity
from apps.orgs.models import Organisation
from apps.places.models import Place, subtree_q
from apps.places.selectors import ancestor_ids, count_subquery

from .choices import HELD_STATUSES, HOT_DAYS, ItemSource
from .filters import MeetingFilter
from .models import AgendaItem, Meeting, Participant


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user)


def meeting_list(user: Any, filters: MeetingFilter | None = None) -> QuerySet[Meeting]:
    """Scoped and filtered, latest first, with item, decided and attendance counts (a page
    is a fixed number of queries)."""
    qs = visible_meetings(user)
    if filters is not None:
        qs = filters.filter(qs)
    items = AgendaItem.objects.filter(meeting=OuterRef("pk"))
    return (
        qs.select_related("area")
        .annotate(
            item_count=count_subquery(items),
            decided_count=count_subquery(items.filter(decided_at__isnull=False)),
            present_count=count_subquery(
                Participant.objects.filter(meeting=OuterRef("pk"), present=True)
            ),
        )
        .order_by("-starts_at", "-id")
    )


def access_meeting_for_user(user: Any, pk: Any) -> Meeting:
    """The meeting if its area lies in the user's scope; 404 otherwise."""
    return get_in_scope(visible_meetings(user).select_related("area", "convened_by"), pk=pk)


def access_item_for_user(user: Any, meeting: Meeting, pk: Any) -> AgendaItem:
    return get_in_scope(AgendaItem.objects.filter(meeting=meeting), pk=pk)


# --- solved problems ----------------------------------------------------------------------


def with_solved(qs: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    """`is_solved`: the item was decided, at least one of its cases is resolved and none is
    still open (a merged or cancelled case neither solves nor blocks)."""
    through = AgendaItem.cases.through.objects.filter(agendaitem=OuterRef("pk"))
    return qs.annotate(
        is_solved=When_(
            When(
                Q(decided_at__isnull=False)
                & Exists(through.filter(case__status__in=RESOLVED_STATUSES))
                & ~Exists(through.filter(case__status__in=sorted(OPEN_STATUSES))),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def meeting_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda, in order, each with its cases, units, decision and planned start time."""
    items = list(
        with_solved(meeting.items.all())
        .select_related("owner", "lead_unit")
        .prefetch_related(
            "units",
            "cases__category",
            "cases__place",
            "cases__assignee",
            "cases__handling_unit",
        )
        .order_by("order", "id")
    )
    start = meeting.starts_at
    for item in items:
        item.planned_at = start  # type: ignore[attr-defined]
        start = start + dt.timedelta(minutes=item.duration)
    return items


def decided_items(user: Any, filters: MeetingFilter | None = None) -> QuerySet[AgendaItem]:
    """议定事项: decided items of held meetings in the user's scope, latest first."""
    qs = with_solved(
        AgendaItem.objects.visible_to(user).filter(
            decided_at__isnull=False, meeting__status__in=HELD_STATUSES
        )
    )
    if filters is not None:
        qs = filters.filter_items(qs)
    return qs.select_related("meeting__area", "owner", "lead_unit").order_by("-decided_at", "-id")


@dataclass
class MeetingFigures:
    meetings: int
    attendance: int
    decided: int
    solved: int


def held_meetings(user: Any, place: Place, date_from: dt.date, date_to: dt.date) -> QuerySet:
    if not place_in_scope(user, place):
        raise Http404("地点不存在或不在您的管辖范围内")
    return visible_meetings(user).filter(
        subtree_q(place, "area"),
        status__in=HELD_STATUSES,
        starts_at__date__gte=date_from,
        starts_at__date__lte=date_to,
    )


def meeting_figures(
    user: Any, place: Place, date_from: dt.date, date_to: dt.date
) -> MeetingFigures:
    """Meetings held in the subtree and period; their attendance (person-times present);
    their decided items; and those solved (see `with_solved`)."""
    meetings = held_meetings(user, place, date_from, date_to)
    items = with_solved(
        AgendaItem.objects.filter(meeting__in=meetings.values("pk"), decided_at__isnull=False)
    )
    return MeetingFigures(
        meetings=meetings.count(),
        attendance=Participant.objects.filter(
            meeting__in=meetings.values("pk"), present=True
        ).count(),
        decided=items.count(),
        solved=items.filter(**{"is_solved": True}).count(),
    )


# --- the proposed agenda ------------------------------------------------------------------


@dataclass
class Proposal:
    """A proposed agenda item: one flagged case, or a hot issue's open cases."""

    key: str
    source: str
    title: str
    cases: list[Case]
    reasons: dict[int, list[str]] = field(default_factory=dict)

    @property
    def source_label(self) -> str:
        return ItemSource(self.source).label


FLAG_ORDER = [ItemSource.OVERDUE, ItemSource.ESCALATED, ItemSource.RETURNED, ItemSource.REOPENED]


def _flags(case: Case, now: dt.datetime) -> list[str]:
    flags: list[str] = []
    if (case.responded_at is None and case.respond_by and case.respond_by < now) or (
        case.resolved_at is None and case.resolve_by and case.resolve_by < now
    ):
        flags.append(ItemSource.OVERDUE)
    if case.status == Status.ESCALATED:
        flags.append(ItemSource.ESCALATED)
    if case.status == Status.RETURNED:
        flags.append(ItemSource.RETURNED)
    if case.reopen_count > 0:
        flags.append(ItemSource.REOPENED)
    return flags


def flagged_cases(user: Any, area: Place, now: dt.datetime) -> QuerySet[Case]:
    """Open cases of the area that are overdue, escalated, returned or reopened."""
    overdue = Q(responded_at__isnull=True, respond_by__lt=now) | Q(
        resolved_at__isnull=True, resolve_by__lt=now
    )
    return (
        visible_cases(user)
        .filter(subtree_q(area), status__in=sorted(OPEN_STATUSES))
        .filter(overdue | Q(status__in=[Status.ESCALATED, Status.RETURNED]) | Q(reopen_count__gt=0))
        .select_related("category", "place", "department")
        .order_by("-id")
    )


def propose_agenda(user: Any, area: Place, now: dt.datetime | None = None) -> list[Proposal]:
    """The agenda a meeting of `area` should discuss: every open case of the area that is
    overdue, escalated, returned or reopened, and the open cases of the area's hot issues
    (热点诉求 of the last HOT_DAYS days), each case once: a case of a hot issue is proposed
    with its issue. 404 for an area outside the user's scope."""
    if not place_in_scope(user, area):
        raise Http404("地点不存在或不在您的管辖范围内")
    now = now or timezone.now()
    proposals: list[Proposal] = []
    taken: set[int] = set()
    for index, issue in enumerate(hot_issues(user, area, now - dt.timedelta(days=HOT_DAYS))):
        cases = [c for c in issue.cases if c.status in OPEN_STATUSES and c.pk not in taken]
        if not cases:
            continue
        taken.update(c.pk for c in cases)
        reasons = {c.pk: [ItemSource(f).label for f in _flags(c, now)] for c in cases}
        title = f"{representative(issue).title}（同类{issue.size}件）"
        proposals.append(Proposal(f"hot-{index}", ItemSource.HOT, title, cases, reasons))
    for case in flagged_cases(user, area, now):
        if case.pk in taken:
            continue
        flags = _flags(case, now)
        source = next(f for f in FLAG_ORDER if f in flags)
        reasons = {case.pk: [ItemSource(f).label for f in flags]}
        proposals.append(Proposal(f"case-{case.pk}", source, case.title, [case], reasons))
    for proposal in proposals:
        for case in proposal.cases:
            case.agenda_reasons = proposal.reasons.get(case.pk, [])  # type: ignore[attr-defined]
    order: dict[str, int] = {s: i for i, s in enumerate([*FLAG_ORDER, ItemSource.HOT])}
    proposals.sort(key=lambda p: order[p.source])
    return proposals


def representative(issue: HotIssue) -> Case:
    """The case that stands for a hot issue: the one whose text is, on average, closest to
    the others' (ties: the latest). Its title names the agenda item in words people wrote,
    not a list of keywords."""
    sets = [features(c) for c in issue.cases]

    def closeness(i: int) -> tuple[float, dt.datetime]:
        total = sum(text_similarity(sets[i], other) for j, other in enumerate(sets) if j != i)
        return total, issue.cases[i].created_at

    return issue.cases[max(range(len(issue.cases)), key=closeness)]


def proposal_groups(proposals: list[Proposal]) -> list[tuple[str, str, list[Proposal]]]:
    """The proposals grouped by why they are proposed, in the agenda's order:
    (source, label, proposals) for each non-empty group."""
    groups: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        groups.setdefault(proposal.source, []).append(proposal)
    return [(s, ItemSource(s).label, ps) for s, ps in groups.items()]


# --- who decides what ---------------------------------------------------------------------


@dataclass
class Reach:
    """What a meeting's decision on one item will do to each of its open cases, told before
    the vote: `decide` — the meeting decides it (owner, lead unit, deadline); `handling` —
    of those, the ones already being handled (kept with their handler unless the decision
    says to re-dispatch them); `forward` — beyond the meeting's authority (handled above its
    area, or not the organiser's to decide): the decision goes to their handling unit as a
    recommendation and the case is left as it is."""

    decide: list[Case] = field(default_factory=list)
    handling: list[Case] = field(default_factory=list)
    forward: list[Case] = field(default_factory=list)

    @property
    def forward_units(self) -> list[str]:
        return sorted({c.handling_unit.name for c in self.forward})


def within_authority(meeting: Meeting, case: Case, user: Any) -> bool:
    """A meeting decides the cases handled within its area, when its organiser may record a
    meeting decision on them (the case engine's rule)."""
    area_path = meeting.area.path
    return case.handling_unit.path.startswith(area_path) and bool(
        rules.allowed_actions(case, user, [Action.MEETING_DECIDE])
    )


def decision_reach(meeting: Meeting, cases: list[Case], user: Any) -> Reach:
    reach = Reach()
    for case in cases:
        if case.status not in OPEN_STATUSES:
            continue
        if within_authority(meeting, case, user):
            reach.decide.append(case)
            if case.status in HANDLING:
                reach.handling.append(case)
        else:
            reach.forward.append(case)
    return reach


# --- choices for the forms ----------------------------------------------------------------


def owner_choices(meeting: Meeting) -> QuerySet[Any]:
    """Accounts that may own a decision: handling roles whose scope lies in the meeting's area
    or above it (the town's staff for a community meeting)."""
    area = meeting.area
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=roles_with(Cap.CASES_HANDLE))
        .filter(subtree_q(area, "scope") | Q(scope_id__in=ancestor_ids(area)))
        .select_related("scope")
        .order_by("scope__path", "username")
    )


def area_units(area: Place) -> QuerySet[Organisation]:
    """Organisations that may take part or lead: active ones in the area's subtree or on a
    place above it (the town's offices, the county's departments)."""
    return Organisation.objects.filter(active=True).filter(
        subtree_q(area) | Q(place_id__in=ancestor_ids(area))
    )


def unit_choices(area: Place) -> QuerySet[Organisation]:
    return area_units(area).select_related("place").order_by("kind", "name")


def meetings_about(user: Any, place: Place, limit: int = 10) -> list[Meeting]:
    """The latest meetings of `place` (an area in it) or that discussed its cases, scoped."""
    about = AgendaItem.objects.filter(subtree_q(place, "cases__place")).values("meeting_id")
    return list(
        visible_meetings(user)
        .filter(subtree_q(place, "area") | Q(pk__in=about))
        .select_related("area")
        .order_by("-starts_at", "-id")[:limit]
    )
