"""Demo meetings: the county's communities met over the last months (P5: "209 次议事会议"
for the `county` size), with agendas of their real demo cases, attendance and decisions; and,
in a few communities, yesterday's meeting decided through the actions and next week's
meeting prepared from the proposed agenda.

Past meetings are bulk rows, each a few days after an 上报 / 退单 / 重办 in the community's
case history: its items are the cases the proposal would have listed that day (open, and
overdue or escalated, returned or reopened before it); each decision names the case's own
handler, unit and deadline, and whether it is solved is read from the cases' real status, so
the figures are computed, not typed. (Their case timelines are not rewritten: the demo's
history is generated before.) The recent meetings go through `do_create_meeting`,
`do_hold_meeting` and `do_decide_item`, so their decisions appear on the cases' timelines as
会议决定.
"""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.cases.choices import WITHDRAWN_STATUSES, Action, Level
from apps.cases.models import Case, CaseEvent, Category
from apps.orgs.models import Organisation
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .actions import ItemInput, ParticipantInput, do_create_meeting, do_decide_item, do_hold_meeting
from .choices import ItemSource, MeetingKind, MeetingStatus
from .models import AgendaItem, Meeting, Participant
from .selectors import propose_agenda

DEMO_ORDER = 60
# Past meetings per size (the `county` size: the 209 of 九洲街道), over MONTHS months.
PAST: dict[str, int] = {"tiny": 8, "small": 30, "county": 209, "large": 600}
MONTHS = 6
LIVE_COMMUNITIES = {"tiny": 1, "small": 2, "county": 3, "large": 3}
CAPACITIES = [
    "居民代表",
    "楼栋长",
    "业委会委员",
    "物业项目经理",
    "网格员",
    "党员代表",
    "共建单位代表",
]
TITLES = {
    MeetingKind.JOINT: "{area}民情联席会议",
    MeetingKind.FIVE_PARTY: "{area}五方议事会",
    MeetingKind.ROUND_TABLE: "{area}幸福圆桌会",
    MeetingKind.SUNSHINE: "{area}阳光议事会",
}
DECISIONS = [
    "由承办人负责，限期办结并向居民反馈",
    "物业公司配合，网格员跟踪督办",
    "社区牵头协调相关单位，办结后回访",
    "列入本月重点事项，业委会监督落实",
]


def populate_demo(
    county: Place, size: str, seed: int, say: Callable[[str], None]
) -> dict[str, Any]:
    rng = random.Random(f"{seed}/meetings")
    communities = list(Place.objects.subtree(county).filter(kind=PlaceKind.COMMUNITY))
    staff: dict[Any, Any] = {
        u.scope_id: u for u in User.objects.filter(role=Role.COMMUNITY_STAFF, scope__in=communities)
    }
    communities = [c for c in communities if c.pk in staff]
    if not communities:
        return {}
    past = _past_meetings(communities, PAST.get(size, 8), rng, staff)
    live = 0
    for community in rng.sample(communities, min(LIVE_COMMUNITIES.get(size, 1), len(communities))):
        live += _live_meetings(community, staff[community.pk], rng)
    say(f"  议事会议：历史 {past} 次，近期 {live} 次")
    return {"past": past, "live": live}


FLAG_EVENTS = {
    Action.ESCALATE: ItemSource.ESCALATED,
    Action.RETURN: ItemSource.RETURNED,
    Action.REOPEN: ItemSource.REOPENED,
}


def _history(community: Place) -> tuple[list[Any], dict[int, Any]]:
    """The community's 上报 / 退单 / 重办 events (newest 300) and the cases they happened to."""
    events = list(
        CaseEvent.objects.filter(subtree_q(community, "case__place"), action__in=list(FLAG_EVENTS))
        .exclude(case__status__in=sorted(WITHDRAWN_STATUSES))
        .order_by("-at")
        .values_list("case_id", "action", "at")[:300]
    )
    cases = {
        c["id"]: c
        for c in Case.objects.filter(pk__in={e[0] for e in events}).values(
            "id", "title", "created_at", "resolved_at", "resolve_by", "assignee_id", "department_id"
        )
    }
    return events, cases


def _agenda_on(day: dt.datetime, events: list[Any], cases: dict[int, Any]) -> list[Any]:
    """What the proposal would have listed on `day`: cases open that day that were overdue,
    or escalated, returned or reopened before it; with the reason."""
    found: dict[int, str] = {}
    for case_id, action, at in sorted(events, key=lambda e: e[2]):
        case = cases[case_id]
        open_then = case["created_at"] < day and (
            case["resolved_at"] is None or case["resolved_at"] > day
        )
        if at < day and open_then:
            overdue = case["resolve_by"] is not None and case["resolve_by"] < day
            found[case_id] = ItemSource.OVERDUE if overdue else FLAG_EVENTS[action]
    return [(cases[pk], source) for pk, source in found.items()]


def _past_meetings(
    communities: list[Place], total: int, rng: random.Random, staff: dict[Any, Any]
) -> int:
    """`total` meetings in the communities whose history has something to discuss, each a few
    days after one of its 上报 / 退单 / 重办 events, with the agenda the proposal would have
    made that day."""
    now = timezone.now()
    earliest = now - dt.timedelta(days=30 * MONTHS)
    histories = {c.pk: _history(c) for c in communities}
    busy = [c for c in communities if any(e[2] > earliest for e in histories[c.pk][0])]
    if not busy:
        return 0
    per = {c.pk: 0 for c in busy}
    for _ in range(total):
        per[rng.choice(busy).pk] += 1
    meetings: list[Meeting] = []
    plans: list[tuple[Meeting, list[Any], list[int], list[str]]] = []
    for community in busy:
        events, cases = histories[community.pk]
        anchors = [e for e in events if e[2] > earliest]
        orgs = list(
            Organisation.objects.filter(subtree_q(community), active=True).values_list(
                "pk", flat=True
            )[:20]
        )
        people = list(
            Person.objects.filter(subtree_q(community), active=True).values_list("name", flat=True)[
                :60
            ]
        )
        for _ in range(per[community.pk]):
            anchor = rng.choice(anchors)[2]
            starts = min(anchor + dt.timedelta(days=rng.uniform(1, 5)), now - dt.timedelta(days=1))
            starts = starts.replace(minute=0, second=0, microsecond=0)
            kind = rng.choice(MeetingKind.values)
            meeting = Meeting(
                kind=kind,
                title=TITLES[MeetingKind(kind)].format(area=community.name),
                area=community,
                venue=f"{community.name}党群服务中心",
                starts_at=starts,
                status=MeetingStatus.CLOSED,
                minutes="逐项听取情况汇报，参会各方充分协商，形成决定如下。",
                convened_by=staff[community.pk],
                held_at=starts + dt.timedelta(hours=2),
                closed_at=starts + dt.timedelta(hours=3),
            )
            agenda = _agenda_on(starts, events, cases)
            chosen = rng.sample(agenda, min(len(agenda), 4))
            names = rng.sample(people, min(len(people), rng.randint(4, 9)))
            meetings.append(meeting)
            plans.append((meeting, chosen, rng.sample(orgs, min(len(orgs), 3)), names))
    Meeting.objects.bulk_create(meetings, batch_size=500)
    participants, items, links = [], [], []
    for meeting, chosen, _orgs, names in plans:
        participants += [
            Participant(
                meeting=meeting,
                name=name,
                capacity=rng.choice(CAPACITIES),
                present=rng.random() < 0.9,
            )
            for name in names
        ]
        for order, (case, source) in enumerate(chosen, 1):
            item = AgendaItem(
                meeting=meeting,
                order=order,
                source=source,
                title=case["title"],
                duration=rng.choice([10, 15, 20]),
                decision=rng.choice(DECISIONS),
                owner_id=case["assignee_id"],
                lead_unit_id=case["department_id"],
                deadline=case["resolve_by"],
                decided_by=meeting.convened_by,
                decided_at=meeting.starts_at + dt.timedelta(minutes=30 * order),
            )
            items.append(item)
            links.append((item, case["id"]))
    Participant.objects.bulk_create(participants, batch_size=1000)
    AgendaItem.objects.bulk_create(items, batch_size=1000)
    Meeting.organisations.through.objects.bulk_create(
        [
            Meeting.organisations.through(meeting_id=m.pk, organisation_id=o)
            for m, _, orgs, _ in plans
            for o in orgs
        ],
        batch_size=1000,
    )
    AgendaItem.cases.through.objects.bulk_create(
        [AgendaItem.cases.through(agendaitem_id=i.pk, case_id=c) for i, c in links],
        batch_size=1000,
    )
    return len(meetings)


def _live_meetings(community: Place, actor: User, rng: random.Random) -> int:
    """Yesterday's meeting, held and decided through the actions; next week's, prepared."""
    proposals = propose_agenda(actor, community)
    category = (
        Category.objects.filter(active=True, default_level=Level.COMMUNITY).order_by("code").first()
    )
    owners = list(
        User.objects.filter(
            Q(role=Role.GRID_WORKER) | Q(role=Role.COMMUNITY_STAFF),
            is_active=True,
            scope__path__startswith=community.path,
        ).order_by("pk")[:10]
    )
    units = list(
        Organisation.objects.filter(subtree_q(community), active=True).values_list("pk", flat=True)[
            :3
        ]
    )
    now = timezone.localtime()
    yesterday = (now - dt.timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
    held = do_create_meeting(
        actor=actor,
        kind=MeetingKind.FIVE_PARTY,
        title=f"{community.name}五方议事会",
        area=community,
        starts_at=yesterday,
        venue=f"{community.name}党群服务中心",
        organisation_ids=units,
        participants=[
            ParticipantInput(n, c)
            for n, c in (
                ("王建国", "居民代表"),
                ("李秀兰", "楼栋长"),
                ("陈志强", "物业项目经理"),
                ("刘芳", "业委会主任"),
            )
        ],
        items=[
            ItemInput(title=p.title, source=p.source, case_ids=[c.pk for c in p.cases])
            for p in proposals[:4]
        ]
        + [
            ItemInput(
                title="小区楼道杂物清理", description="多户居民反映楼道堆放杂物，存在消防隐患"
            )
        ],
    )
    do_hold_meeting(
        held,
        actor=actor,
        present_ids=list(held.participants.values_list("pk", flat=True)),
        minutes="听取各议题情况汇报，五方协商形成决定。",
    )
    for item in held.items.all():
        try:
            do_decide_item(
                item,
                actor=actor,
                decision=rng.choice(DECISIONS),
                owner=rng.choice(owners) if owners else None,
                deadline=timezone.localdate() + dt.timedelta(days=rng.choice([3, 5, 7, 10])),
                category=category,
            )
        except (PermissionDenied, ValidationError):
            continue  # e.g. a case escalated to the town: the community cannot decide it
    do_create_meeting(
        actor=actor,
        kind=MeetingKind.JOINT,
        title=f"{community.name}民情联席会议",
        area=community,
        starts_at=(now + dt.timedelta(days=7)).replace(hour=15, minute=0, second=0, microsecond=0),
        venue=f"{community.name}党群服务中心",
        organisation_ids=units,
        participants=[
            ParticipantInput("王建国", "居民代表"),
            ParticipantInput("刘芳", "业委会主任"),
        ],
        items=[
            ItemInput(title=p.title, source=p.source, case_ids=[c.pk for c in p.cases])
            for p in proposals[4:8]
        ]
        + [ItemInput(title="小区停车秩序整治")],
    )
    return 2
