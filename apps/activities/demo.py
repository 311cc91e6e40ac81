"""Demo activities: every community of the demo county holds a few activities over the last
four months (book fairs with a live stream, science days at schools, health checks for the
elderly, children's classes …), with sign-ups, a waiting list where full, attendance, a few
volunteers' hours pending approval, and some activities still to come.

Rows are written in bulk (a few thousand at county size, well under a second on SQLite); the
volunteers' hours go through apps.services' own action, for a handful of them.
"""

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts.choices import Role
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.models import CareTag, Person
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q
from apps.volunteers.actions import do_record_hours
from apps.volunteers.models import Volunteer

from .choices import ActivityKind, CheckinMethod, ParticipantRole, SignupSource, SignupStatus
from .models import Activity, Participation

DEMO_ORDER = 60
HISTORY_DAYS = 120
HOURS_RECORDED = 12  # volunteers' hours recorded through apps.services (pending approval)

# (title, kind, project, care-tag codes, capacity range, online viewers range, org kinds)
TEMPLATES: list[
    tuple[str, str, str, tuple[str, ...], tuple[int, int], tuple[int, int], tuple[str, ...]]
] = [
    (
        "倡导全民阅读·共建书香社区惠民书展",
        ActivityKind.READING,
        "书香社区",
        (),
        (40, 80),
        (200, 900),
        (OrgKind.BUSINESS,),
    ),
    (
        "科普进校园·科技嘉年华",
        ActivityKind.SCIENCE,
        "科普进校园",
        ("left_behind_child",),
        (30, 60),
        (0, 300),
        (OrgKind.SCHOOL,),
    ),
    (
        "暖巢行动·健康义诊",
        ActivityKind.HEALTH,
        "暖巢行动",
        ("alone_elderly", "aged"),
        (20, 40),
        (0, 0),
        (OrgKind.CLINIC, OrgKind.CO_BUILDING_UNIT),
    ),
    (
        "童心港湾·周末绘本课",
        ActivityKind.CHILDREN,
        "童心港湾",
        ("left_behind_child",),
        (15, 25),
        (0, 80),
        (OrgKind.SCHOOL, OrgKind.VOLUNTEER_TEAM),
    ),
    (
        "妈妈课堂·育儿分享会",
        ActivityKind.CHILDREN,
        "妈妈课堂",
        (),
        (15, 30),
        (0, 150),
        (OrgKind.SOCIAL_ORG,),
    ),
    (
        "邻里帮帮站·家电义修",
        ActivityKind.VOLUNTEER,
        "邻里帮帮站",
        ("alone_elderly",),
        (20, 40),
        (0, 0),
        (OrgKind.VOLUNTEER_TEAM, OrgKind.CO_BUILDING_UNIT),
    ),
    ("红心课堂·党史学习", ActivityKind.PARTY, "", (), (30, 50), (0, 120), (OrgKind.PARTY_BRANCH,)),
    (
        "防范电信诈骗宣传",
        ActivityKind.SCIENCE,
        "",
        ("aged",),
        (30, 60),
        (0, 0),
        (OrgKind.DEPARTMENT,),
    ),
]
START_HOURS = (9, 9, 14, 15, 19)


def populate_demo(
    county: Place, size: str, seed: int, say: Callable[[str], None]
) -> dict[str, int]:
    rng = random.Random(f"{seed}/activities")
    now = timezone.now()
    communities = list(
        Place.objects.subtree(county).filter(kind=PlaceKind.COMMUNITY).order_by("path")
    )
    if not communities:
        return {}
    stations = _stations_by_community(county, communities)
    staff = _staff_by_community(communities)
    tags = {t.code: t for t in CareTag.objects.all()}
    orgs = _orgs_by_kind(county)
    plans: list[tuple[Activity, tuple, Place]] = []
    for community in communities:
        count = 1 + rng.randint(0, 2)
        upcoming = rng.random() < 0.4
        for i in range(count + (1 if upcoming else 0)):
            template = rng.choice(TEMPLATES)
            future = upcoming and i == count
            day = now.date() + dt.timedelta(
                days=rng.randint(2, 25) if future else -rng.randint(1, HISTORY_DAYS)
            )
            plans.append(
                (_activity(rng, template, community, stations, staff, day), template, community)
            )
    Activity.objects.bulk_create([a for a, _, _ in plans], batch_size=500)
    _relations(rng, plans, tags, orgs, staff)
    rows = _participations(rng, plans, now, county, communities)
    Participation.objects.bulk_create(rows, batch_size=1000)
    hours = _volunteer_hours(rows, staff)
    present = sum(1 for r in rows if r.checked_in_at)
    say(f"  活动：{len(plans)} 场，报名 {len(rows)} 人次，签到 {present} 人次")
    return {
        "activities": len(plans),
        "participations": len(rows),
        "present": present,
        "volunteer_hours": hours,
    }


def _stations_by_community(county: Place, communities: list[Place]) -> dict[int, Place]:
    by_path = {c.path: c for c in communities}
    found: dict[int, Place] = {}
    for station in Place.objects.subtree(county).filter(kind=PlaceKind.STATION):
        for path, community in by_path.items():
            if station.path.startswith(path):
                found.setdefault(community.pk, station)
    return found


def _staff_by_community(communities: list[Place]) -> dict[int, Any]:
    users = (
        get_user_model()
        .objects.filter(role=Role.COMMUNITY_STAFF, scope__in=communities, is_active=True)
        .order_by("id")
    )
    found: dict[int, Any] = {}
    for user in users:
        if user.scope_id is not None:
            found.setdefault(user.scope_id, user)
    return found


def _orgs_by_kind(county: Place) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    rows = Organisation.objects.filter(subtree_q(county), active=True).values_list("kind", "id")
    for kind, pk in rows.order_by("id")[:5000]:
        found[kind].append(pk)
    return found


def _activity(rng, template, community, stations, staff, day) -> Activity:
    title, kind, project, _tags, capacity, online, _orgs = template
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(
        day, dt.time(rng.choice(START_HOURS), rng.choice((0, 30))), tzinfo=tz
    )
    station = stations.get(community.pk)
    place = station if station is not None and rng.random() < 0.6 else community
    past = start < timezone.now()
    return Activity(
        title=title,
        kind=kind,
        project=project,
        place=place,
        address=f"{community.name}{'党群服务中心' if place is community else ''}",
        start_at=start,
        end_at=start + dt.timedelta(hours=rng.choice((1.5, 2, 2, 3))),
        capacity=rng.randint(*capacity),
        description=f"{community.name}{title}，欢迎辖区居民参加。",
        online_viewers=rng.randint(*online) if past else 0,
        walk_ins=rng.randint(100, 400) if past and kind == ActivityKind.READING else 0,
        created_by=staff.get(community.pk),
    )


def _relations(rng, plans, tags, orgs, staff) -> None:
    tag_links, org_links, organiser_links = [], [], []
    for activity, template, community in plans:
        for code in template[3]:
            if code in tags:
                tag_links.append(
                    Activity.target_tags.through(activity_id=activity.pk, caretag_id=tags[code].pk)
                )
        candidates = [pk for kind in template[6] for pk in orgs.get(kind, [])]
        if candidates:
            org_links.append(
                Activity.organisations.through(
                    activity_id=activity.pk, organisation_id=rng.choice(candidates)
                )
            )
        if community.pk in staff:
            organiser_links.append(
                Activity.organisers.through(activity_id=activity.pk, user_id=staff[community.pk].pk)
            )
    Activity.target_tags.through.objects.bulk_create(tag_links, batch_size=1000)
    Activity.organisations.through.objects.bulk_create(org_links, batch_size=1000)
    Activity.organisers.through.objects.bulk_create(organiser_links, batch_size=1000)


def _by_community(communities: list[Place], rows: Any, limit: int) -> dict[int, list[int]]:
    """(id, place path) rows grouped under the community whose subtree holds them (communities
    all sit at one depth, so their paths have one length), at most `limit` each."""
    width = len(communities[0].path)
    ids = {c.path: c.pk for c in communities}
    found: dict[int, list[int]] = defaultdict(list)
    for pk, path in rows:
        community = ids.get(path[:width])
        if community is not None and len(found[community]) < limit:
            found[community].append(pk)
    return found


def _participations(rng, plans, now, county, communities) -> list[Participation]:
    rows: list[Participation] = []
    residents = _by_community(
        communities,
        Person.objects.filter(subtree_q(county), active=True)
        .order_by("id")
        .values_list("id", "place__path")
        .iterator(chunk_size=5000),
        150,
    )
    volunteers = _by_community(
        communities,
        Volunteer.objects.filter(subtree_q(county, "person__place"))
        .order_by("id")
        .values_list("person_id", "person__place__path"),
        20,
    )
    for activity, _template, community in plans:
        pool, team = residents.get(community.pk, []), volunteers.get(community.pk, [])
        helpers = rng.sample(team, min(len(team), rng.randint(1, 3)))
        wanted = min(len(pool), int(activity.capacity * rng.uniform(0.4, 1.1)))
        chosen = [p for p in rng.sample(pool, wanted) if p not in helpers]
        past = activity.start_at < now
        for order, person_id in enumerate(chosen):
            status = (
                SignupStatus.REGISTERED if order < activity.capacity else SignupStatus.WAITLISTED
            )
            if past and status == SignupStatus.REGISTERED and rng.random() < 0.05:
                status = SignupStatus.CANCELLED
            rows.append(_row(rng, activity, person_id, status, ParticipantRole.PARTICIPANT, past))
        for person_id in helpers:
            rows.append(
                _row(
                    rng,
                    activity,
                    person_id,
                    SignupStatus.REGISTERED,
                    ParticipantRole.VOLUNTEER,
                    past,
                )
            )
    return rows


def _row(rng, activity, person_id, status, role, past) -> Participation:
    signed = activity.start_at - dt.timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
    present = past and status == SignupStatus.REGISTERED and rng.random() < 0.85
    return Participation(
        activity=activity,
        person_id=person_id,
        role=role,
        status=status,
        source=rng.choice((SignupSource.STAFF, SignupSource.SELF)),
        signed_up_at=signed,
        signed_up_by=activity.created_by,
        cancelled_at=signed + dt.timedelta(days=1) if status == SignupStatus.CANCELLED else None,
        checked_in_at=activity.start_at + dt.timedelta(minutes=rng.randint(-30, 20))
        if present
        else None,
        checkin_method=rng.choice((CheckinMethod.ACCOUNT, CheckinMethod.PHONE, CheckinMethod.STAFF))
        if present
        else "",
    )


def _volunteer_hours(rows: list[Participation], staff: dict[int, Any]) -> int:
    """Pending hours for the first present volunteers, recorded through apps.services."""
    done = 0
    today = timezone.localdate()
    for row in rows:
        if done >= HOURS_RECORDED:
            break
        activity = row.activity
        if row.role != ParticipantRole.VOLUNTEER or not row.checked_in_at:
            continue
        if timezone.localtime(activity.start_at).date() > today:
            continue
        actor = activity.created_by
        volunteer = Volunteer.objects.filter(person_id=row.person_id).first()
        if actor is None or volunteer is None:
            continue
        hours = Decimal((activity.end_at - activity.start_at).total_seconds() / 3600).quantize(
            Decimal("0.1")
        )
        hours_row = do_record_hours(
            volunteer,
            actor=actor,
            hours=hours,
            served_on=timezone.localtime(activity.start_at).date(),
            activity=activity.hours_label,
            note="活动签到确认",
        )
        Participation.objects.filter(activity=activity, person_id=row.person_id).update(
            service_hours=hours_row
        )
        done += 1
    return done
