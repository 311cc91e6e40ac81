"""Writes of 林长制: patrol tasks (set-based), patrols (start, point batches, pause/resume,
finish, GPX), events found (each one a case, routed to the zone's chiefs and escalated up the
chief levels), signboards and plantings."""

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.cases import images
from apps.cases.actions import do_create_case
from apps.cases.choices import CaseKind, CaseSource, Priority, Status
from apps.cases.dispatch import route_for_claim
from apps.cases.models import Case, Category
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.duties.choices import DutyKind
from apps.duties.models import Duty
from apps.notifications.choices import NotificationKind
from apps.notifications.services import notify
from apps.orgs.models import Membership, Organisation
from apps.places.choices import PlaceKind
from apps.places.models import Place

from . import gpx, track
from .choices import (
    CHIEF_LEVELS,
    DEFAULT_RULES,
    EVENT_CATEGORY,
    FOREST_LEVELS,
    EventKind,
    PatrolSource,
    PatrolStatus,
    Period,
    PlantingKind,
    TaskStatus,
)
from .models import (
    ForestEvent,
    Patrol,
    PatrolRule,
    PatrolTask,
    Planting,
    PlantingTarget,
    Signboard,
    TrackBatch,
    ZoneProfile,
)

MAX_BATCH = 2000  # fixes in one batch (a phone sends every minute or so; a GPX file in chunks)
MAX_PATROL_POINTS = 200_000


# --- the rule table and patrol tasks ---------------------------------------------------------


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the `period` holding `day`."""
    if period == Period.DAY:
        return day, day
    if period == Period.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if period == Period.MONTH:
        start = day.replace(day=1)
    else:
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    months = 1 if period == Period.MONTH else 3
    year, month = divmod(start.month - 1 + months, 12)
    return start, dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)


def rules() -> dict[str, PatrolRule]:
    """The rule table; the defaults are written on first use (idempotent)."""
    found = {r.level: r for r in PatrolRule.objects.all()}
    missing = [
        PatrolRule(level=level, period=period)
        for level, period in DEFAULT_RULES.items()
        if level not in found
    ]
    if missing:
        PatrolRule.objects.bulk_create(missing, ignore_conflicts=True)
        found = {r.level: r for r in PatrolRule.objects.all()}
    return found


def generate_patrol_tasks(on: dt.date | None = None) -> int:
    """For every active rule, one task per current duty holder for the period holding `on`:
    one INSERT … SELECT over the duties per level, ON CONFLICT (duty, period) DO NOTHING, so a
    second run creates nothing. Open tasks whose due date has passed become missed. Returns
    the number of tasks created."""
    on = on or timezone.localdate()
    ops = connection.ops
    table = ops.quote_name(PatrolTask._meta.db_table)
    duty_table = ops.quote_name(Duty._meta.db_table)
    before = PatrolTask.objects.count()
    now = ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        for rule in rules().values():
            if not rule.active:
                continue
            start, end = period_bounds(rule.period, on)
            cursor.execute(
                f"INSERT INTO {table} (duty_id, person_id, zone_id, level, period_start, "
                f"due_date, status, created_at) "
                f"SELECT d.id, d.person_id, d.place_id, d.kind, %s, %s, %s, %s "
                f"FROM {duty_table} d WHERE d.kind = %s AND d.start_date <= %s "
                f"AND (d.end_date IS NULL OR d.end_date >= %s) "
                # ids in the duties' order on both engines (the demo and lists rely on it)
                f"ORDER BY d.id "
                f"ON CONFLICT (duty_id, period_start) DO NOTHING",
                [
                    ops.adapt_datefield_value(start),
                    ops.adapt_datefield_value(end),
                    TaskStatus.OPEN.value,
                    now,
                    rule.level,
                    ops.adapt_datefield_value(end),
                    ops.adapt_datefield_value(start),
                ],
            )
        PatrolTask.objects.filter(status=TaskStatus.OPEN, due_date__lt=on).update(
            status=TaskStatus.MISSED
        )
    return PatrolTask.objects.count() - before


# --- patrols ---------------------------------------------------------------------------------


def _zone(place: Place) -> Place:
    if place.kind != PlaceKind.FOREST_ZONE:
        raise ValidationError({"zone": f"“{place.name}”不是林区"})
    return place


def _level_of(actor: User, zone: Place, on: dt.date) -> str:
    person_id = getattr(actor, "person_id", None)
    if not person_id:
        return ""
    kinds = set(
        Duty.objects.current(on)
        .filter(person_id=person_id, place=zone)
        .values_list("kind", flat=True)
    )
    return next((k.value for k in FOREST_LEVELS if k in kinds), "")


@transaction.atomic
def do_start_patrol(zone: Place, *, actor: User, note: str = "") -> Patrol:
    _zone(zone)
    require(actor, Cap.FORESTRY_PATROL, zone)
    going = Patrol.objects.filter(
        leader=actor, status__in=[PatrolStatus.ACTIVE, PatrolStatus.PAUSED]
    ).first()
    if going is not None:
        raise ValidationError(
            f"您在{going.zone.name}还有一次巡护未结束"
            f"（{timezone.localtime(going.started_at):%m-%d %H:%M}开始），请先结束它"
        )
    now = timezone.now()
    patrol = Patrol.objects.create(
        zone=zone,
        leader=actor,
        person_id=getattr(actor, "person_id", None),
        level=_level_of(actor, zone, timezone.localdate()),
        started_at=now,
        note=note.strip()[:300],
    )
    audit.record(actor=actor, verb=AuditVerb.CREATE, obj=patrol, changes={"zone": zone.name})
    return patrol


def _may_walk(patrol: Patrol, actor: User) -> None:
    require(actor, Cap.FORESTRY_PATROL, patrol.zone, what="巡林")


def parse_points(raw: Any) -> list[list[float]]:
    """Check a batch: a list of [t, lat, lng] or [t, lat, lng, accuracy] (t in epoch seconds,
    or milliseconds as phones give them). Errors name the fix and the problem."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError("定位数据应为非空的点列表")
    if len(raw) > MAX_BATCH:
        raise ValidationError(f"一批最多{MAX_BATCH}个定位点，本批有{len(raw)}个，请分批发送")
    out = []
    for n, item in enumerate(raw, 1):
        if isinstance(item, dict):
            item = [item.get("t"), item.get("lat"), item.get("lng"), item.get("acc")]
        if not isinstance(item, (list, tuple)) or len(item) < 3:
            raise ValidationError(f"第{n}个定位点格式不对：应为[时间, 纬度, 经度, 精度]")
        try:
            t, lat, lng = float(item[0]), float(item[1]), float(item[2])
            acc = float(item[3]) if len(item) > 3 and item[3] is not None else 0.0
        except (TypeError, ValueError):
            raise ValidationError(f"第{n}个定位点含有不是数字的值") from None
        if not all(math.isfinite(v) for v in (t, lat, lng, acc)):
            raise ValidationError(f"第{n}个定位点含有无效数字")
        if t > 1e11:
            t /= 1000.0  # milliseconds
        if not -90 <= lat <= 90:
            raise ValidationError(f"第{n}个定位点的纬度 {lat} 超出范围（-90～90）")
        if not -180 <= lng <= 180:
            raise ValidationError(f"第{n}个定位点的经度 {lng} 超出范围（-180～180）")
        if t < 946684800:  # 2000-01-01
            raise ValidationError(f"第{n}个定位点的时间无效")
        out.append([t, round(lat, 7), round(lng, 7), round(acc, 1)])
    return out


@transaction.atomic
def do_add_points(patrol: Patrol, raw: Any, *, key: str, actor: User) -> tuple[int, bool]:
    """Store one batch of fixes from `actor`'s phone; (fixes in the batch, stored now). A
    batch resent with the same key is stored once. A batch arriving after the patrol was
    finished (sent from the phone's store later) is kept and the patrol measured again."""
    _may_walk(patrol, actor)
    key = (key or "").strip()[:64]
    if not key:
        raise ValidationError("缺少批次号，无法确认是否重复发送")
    points = parse_points(raw)
    batch = TrackBatch.objects.filter(patrol=patrol, walker=actor, key=key)
    created = not batch.exists()
    if created:  # ON CONFLICT DO NOTHING as well: a concurrent resend is stored once
        TrackBatch.objects.bulk_create(
            [TrackBatch(patrol=patrol, walker=actor, key=key, points=points, count=len(points))],
            ignore_conflicts=True,
        )
    if created and Patrol.objects.filter(pk=patrol.pk, status=PatrolStatus.FINISHED).exists():
        measure(Patrol.objects.select_related("zone").get(pk=patrol.pk))
    return len(points), created


def _pauses(patrol: Patrol) -> list[tuple[float, float | None]]:
    return [(float(a), None if b is None else float(b)) for a, b in patrol.pauses]


@transaction.atomic
def do_pause_patrol(patrol: Patrol, *, actor: User) -> Patrol:
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    _may_walk(patrol, actor)
    if patrol.status != PatrolStatus.ACTIVE:
        raise ValidationError(f"巡护当前为“{patrol.get_status_display()}”，不能暂停")
    patrol.pauses = [*patrol.pauses, [timezone.now().timestamp(), None]]
    patrol.status = PatrolStatus.PAUSED
    patrol.save(update_fields=["pauses", "status", "updated_at"])
    return patrol


@transaction.atomic
def do_resume_patrol(patrol: Patrol, *, actor: User) -> Patrol:
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    _may_walk(patrol, actor)
    if patrol.status != PatrolStatus.PAUSED:
        raise ValidationError(f"巡护当前为“{patrol.get_status_display()}”，不能继续")
    pauses = [list(p) for p in patrol.pauses]
    pauses[-1][1] = timezone.now().timestamp()
    patrol.pauses = pauses
    patrol.status = PatrolStatus.ACTIVE
    patrol.save(update_fields=["pauses", "status", "updated_at"])
    return patrol


def measure(patrol: Patrol) -> Patrol:
    """Distance, duration, coverage and the map track, from every batch (server-side)."""
    walkers: dict[Any, list[list[float]]] = defaultdict(list)
    for walker_id, points in TrackBatch.objects.filter(patrol=patrol).values_list(
        "walker_id", "points"
    ):
        walkers[walker_id].extend(points)
    best, each = track.measure_walkers(dict(walkers), pauses=_pauses(patrol))  # type: ignore[arg-type]
    patrol.distance_m = round(best.distance_m, 1)
    patrol.duration_s = best.duration_s
    patrol.points = best.points
    patrol.dropped = sum(m.dropped for m in each.values())
    every = max(1, best.points // 400)
    patrol.track = track.compact(best.segments, every)
    patrol.coverage = round(track.coverage(patrol.zone.geometry, best.segments), 4)
    patrol.save(
        update_fields=[
            "distance_m",
            "duration_s",
            "points",
            "dropped",
            "track",
            "coverage",
            "updated_at",
        ]
    )
    return patrol


def _complete_tasks(patrol: Patrol) -> int:
    """The open tasks this patrol fulfils: every walker's (a patrol walked together counts for
    each walker's duty, once for the distance), on this zone, in the period of its start."""
    rule_minutes = {r.level: r.min_minutes for r in rules().values()}
    day = timezone.localdate(patrol.started_at)
    walkers: set[int] = {
        person_id
        for person_id in TrackBatch.objects.filter(patrol=patrol).values_list(
            "walker__person_id", flat=True
        )
        if person_id is not None
    }
    if patrol.person_id is not None:
        walkers.add(patrol.person_id)
    done = 0
    for task in PatrolTask.objects.filter(
        zone=patrol.zone,
        person_id__in=walkers,
        status__in=[TaskStatus.OPEN, TaskStatus.MISSED],
        period_start__lte=day,
        due_date__gte=day,
    ):
        if patrol.duration_s >= 60 * rule_minutes.get(task.level, 0):
            task.status, task.patrol = TaskStatus.DONE, patrol
            task.save(update_fields=["status", "patrol"])
            done += 1
    return done


@transaction.atomic
def do_finish_patrol(patrol: Patrol, *, actor: User, note: str = "") -> Patrol:
    patrol = Patrol.objects.select_for_update().select_related("zone").get(pk=patrol.pk)
    _may_walk(patrol, actor)
    if patrol.status == PatrolStatus.FINISHED:
        raise ValidationError("该巡护已经结束")
    now = timezone.now()
    if patrol.pauses and patrol.pauses[-1][1] is None:
        patrol.pauses = [*patrol.pauses[:-1], [patrol.pauses[-1][0], now.timestamp()]]
    patrol.status = PatrolStatus.FINISHED
    patrol.finished_at = now
    if note.strip():
        patrol.note = note.strip()[:300]
    patrol.save(update_fields=["pauses", "status", "finished_at", "note", "updated_at"])
    measure(patrol)
    tasks = _complete_tasks(patrol)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=patrol,
        changes={"finished": True, "distance_m": patrol.distance_m, "tasks": tasks},
    )
    return patrol


@transaction.atomic
def do_upload_gpx(zone: Place, upload: UploadedFile, *, actor: User, note: str = "") -> Patrol:
    """A patrol recorded on a GPS unit: the file is read whole before anything is written, so
    a malformed file leaves nothing behind (and touches no other patrol)."""
    _zone(zone)
    require(actor, Cap.FORESTRY_PATROL, zone)
    fixes = gpx.read(upload)
    patrol = Patrol.objects.create(
        zone=zone,
        leader=actor,
        person_id=getattr(actor, "person_id", None),
        level=_level_of(actor, zone, timezone.localdate()),
        source=PatrolSource.GPX,
        status=PatrolStatus.FINISHED,
        started_at=dt.datetime.fromtimestamp(fixes[0][0], tz=dt.UTC),
        finished_at=dt.datetime.fromtimestamp(fixes[-1][0], tz=dt.UTC),
        note=(note.strip() or f"GPX：{upload.name}")[:300],
    )
    TrackBatch.objects.bulk_create(
        [
            TrackBatch(
                patrol=patrol,
                walker=actor,
                key=f"gpx-{n}",
                points=fixes[i : i + MAX_BATCH],
                count=len(fixes[i : i + MAX_BATCH]),
            )
            for n, i in enumerate(range(0, len(fixes), MAX_BATCH))
        ]
    )
    measure(patrol)
    tasks = _complete_tasks(patrol)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=patrol,
        changes={"gpx": upload.name, "points": len(fixes), "tasks": tasks},
    )
    return patrol


# --- events → cases ----------------------------------------------------------------------------


def holders(zone: Place, kinds: list[str] | tuple[str, ...]) -> Any:
    """Active accounts of the people holding current `kinds` duties on `zone`."""
    people = Duty.objects.current().filter(place=zone, kind__in=kinds).values("person_id")
    return get_user_model().objects.filter(is_active=True, person_id__in=people)


def zone_offices(zone: Place) -> dict[str, Organisation]:
    """The 林长制 offices answering for `zone`, by level: "town" the zone's own office (its
    township's, or its state forest farm's), "county" that office's parent (the county's
    office). A level without a registered office is left out."""
    profile = (
        ZoneProfile.objects.filter(zone=zone)
        .select_related("office_org__parent", "farm__office_org__parent")
        .first()
    )
    if profile is None:
        return {}
    office = profile.office_org or (profile.farm.office_org if profile.farm else None)
    if office is None:
        return {}
    found = {"town": office}
    if office.parent is not None:
        found["county"] = office.parent
    return found


def office_staff(offices: list[Organisation]) -> Any:
    """Active accounts of the people holding a current seat (组织成员) in `offices`."""
    today = timezone.localdate()
    seats = (
        Membership.objects.filter(organisation__in=offices)
        .exclude(start_date__gt=today)
        .exclude(end_date__lt=today)
        .values("person_id")
    )
    return get_user_model().objects.filter(is_active=True, person_id__in=seats)


# The chief level an event climbed to → the level of the office that is told.
OFFICE_OF_LEVEL: dict[str, str] = {
    DutyKind.FOREST_CHIEF_TOWN: "town",
    DutyKind.FOREST_CHIEF_COUNTY: "county",
}


def escalation_offices_staff(case: Case) -> list[int]:
    """The case engine's escalation hook (`cases.notify.register_escalation_recipients`): a
    case in a forest zone escalated to the township or county level tells that level's 林长制
    office."""
    if case.place.kind != PlaceKind.FOREST_ZONE:
        return []
    office = zone_offices(case.place).get(case.level)
    if office is None:
        return []
    return list(office_staff([office]).values_list("pk", flat=True))


def first_chief_level(zone: Place) -> str:
    """The lowest chief level with a current holder on the zone (village, else town …)."""
    held = set(
        Duty.objects.current()
        .filter(place=zone, kind__in=CHIEF_LEVELS)
        .values_list("kind", flat=True)
    )
    return next((k.value for k in CHIEF_LEVELS if k in held), "")


def _category(kind: str) -> Category | None:
    codes = [EVENT_CATEGORY.get(EventKind(kind), "forest-hazard"), "forest-hazard"]
    found = {c.code: c for c in Category.objects.filter(code__in=codes, active=True)}
    return next((found[c] for c in codes if c in found), None)


@transaction.atomic
def do_report_event(
    zone: Place,
    kind: str,
    *,
    actor: User,
    description: str = "",
    lat: float | None = None,
    lng: float | None = None,
    photo: UploadedFile | None = None,
    patrol: Patrol | None = None,
    signboard: Signboard | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    idempotency_key: str | None = None,
) -> ForestEvent:
    """An event in a zone becomes a case (through the case engine) and is routed to the
    zone's lowest chief level and its rangers. `actor` None is a resident (signboard QR)."""
    _zone(zone)
    if kind not in EventKind.values:
        raise ValidationError({"kind": "请选择事件类型"})
    if actor is not None:
        require(actor, Cap.FORESTRY_PATROL, zone, what="上报林区事件")
    if photo is not None:
        images.check_image(photo)  # refuse a bad photo before anything is written
    label = EventKind(kind).label
    case, created = do_create_case(
        actor=actor,
        category=_category(kind),
        place=zone,
        title=f"{zone.name}：{label}",
        description=description.strip() or f"{label}（{zone.name}）",
        kind=CaseKind.HAZARD,
        source=CaseSource.QR if signboard is not None else CaseSource.PATROL,
        priority=Priority.URGENT if kind == EventKind.FIRE else Priority.NORMAL,
        lat=lat,
        lng=lng,
        landmark=(f"公示牌 {signboard.code}" if signboard is not None else ""),
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        idempotency_key=idempotency_key,
    )
    if not created:
        return case.forest_event
    event = _route(case, kind, actor=actor, patrol=patrol, signboard=signboard)
    if photo is not None:
        images.do_add_attachment(case, photo, actor=actor, note="现场照片")
    return event


def _route(
    case: Case,
    kind: str,
    *,
    actor: User | None,
    patrol: Patrol | None = None,
    signboard: Signboard | None = None,
) -> ForestEvent:
    """The case's forest event: routed to the zone's lowest chief level and its rangers. The
    case is dispatched by rule to the zone (`cases.dispatch.route_for_claim`): its chiefs and
    rangers — and the chiefs above, whose scope holds the zone — 接单 and handle it without
    waiting for a dispatcher; a chief of another zone cannot."""
    zone = case.place
    level = first_chief_level(zone)
    who = DutyKind(level).label if level else ""
    case = route_for_claim(
        case, note=f"林区事件按林长制直接派给{zone.name}的{who + '和' if who else ''}护林员接单"
    )
    event = ForestEvent.objects.create(
        zone=zone,
        patrol=patrol,
        signboard=signboard,
        kind=kind,
        case=case,
        lat=case.lat,
        lng=case.lng,
        routed_level=level,
    )
    label = EventKind(kind).label
    # The zone's chiefs of that level, its rangers and its township's (or farm's) 林长制
    # office: the people who handle it (the case engine's "新事项待受理" to the town's
    # dispatchers was withdrawn by the routing). The reporter is not told of their own report.
    town_office = zone_offices(zone).get("town")
    told = set(
        holders(zone, [level, DutyKind.RANGER] if level else [DutyKind.RANGER]).values_list(
            "pk", flat=True
        )
    )
    if town_office is not None:
        told |= set(office_staff([town_office]).values_list("pk", flat=True))
    told.discard(getattr(actor, "pk", None))
    notify(
        sorted(told),
        f"林区事件：{case.title}",
        f"{case.number} {label}，请及时核查处置"
        f"（{timezone.localtime(case.respond_by):%m-%d %H:%M}前响应）",
        kind=NotificationKind.CASE_ASSIGNED,
        url=f"/forest/events/{event.pk}/",
        obj=case,
    )
    audit.record(
        actor=actor or "居民（扫码）",
        verb=AuditVerb.CREATE,
        obj=event,
        changes={"kind": kind, "case": case.number, "routed": level},
    )
    return event


def route_case(case: Case) -> ForestEvent | None:
    """A case filed elsewhere (the resident portal, from a signboard's QR) in a forest zone:
    routed like an event found on patrol. None when the place is not a zone or it already is."""
    if case.place.kind != PlaceKind.FOREST_ZONE or ForestEvent.objects.filter(case=case).exists():
        return None
    by_code = {code: kind for kind, code in EVENT_CATEGORY.items()}
    kind = by_code.get(case.category.code, EventKind.OTHER)
    return _route(case, kind, actor=None)


UNANSWERED = (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.ESCALATED)


def escalate_events(now: dt.datetime | None = None) -> int:
    """Events whose case was not answered by its response deadline climb one chief level
    (village → town → county); that level's chiefs are told. Each step restarts the clock by
    one response time. Returns the number escalated."""
    now = now or timezone.now()
    moved = 0
    due = ForestEvent.objects.filter(
        case__status__in=UNANSWERED, case__respond_by__lt=now
    ).select_related("case", "zone")
    for event in due:
        levels = [k.value for k in CHIEF_LEVELS]
        current = levels.index(event.routed_level) if event.routed_level in levels else -1
        if current + 1 >= len(levels):
            continue
        if event.case.respond_by is None:
            continue
        step = event.case.respond_by - event.case.created_at
        if event.updated_at > now - step and event.escalations:
            continue  # the last step's time has not run out yet
        with transaction.atomic():
            locked = ForestEvent.objects.select_for_update().get(pk=event.pk)
            if locked.routed_level != event.routed_level:
                continue
            nxt = next(
                (lv for lv in levels[current + 1 :] if holders(event.zone, [lv]).exists()),
                levels[-1],
            )
            locked.routed_level, locked.escalations = nxt, locked.escalations + 1
            # updated_at is the escalation time (the next step waits one response time)
            ForestEvent.objects.filter(pk=locked.pk).update(
                routed_level=nxt, escalations=locked.escalations, updated_at=now
            )
            office = zone_offices(event.zone).get(OFFICE_OF_LEVEL.get(nxt, ""))
            told = list(holders(event.zone, [nxt]).values_list("pk", flat=True))
            if office is not None:  # that level's 林长制 office is told too
                told += list(office_staff([office]).values_list("pk", flat=True))
            notify(
                told,
                f"林区事件超时未响应，已上报：{event.case.title}",
                f"{event.case.number} 已超过响应时限，请督促处置",
                kind=NotificationKind.CASE_ESCALATED,
                url=f"/forest/events/{event.pk}/",
                obj=event.case,
            )
            audit.record(
                actor="系统",
                verb=AuditVerb.UPDATE,
                obj=locked,
                changes={"escalated_to": nxt},
            )
        moved += 1
    return moved


# --- signboards and plantings --------------------------------------------------------------------


def current_chiefs(zone: Place) -> list[list[str]]:
    """[[level label, name], …] of the zone's current chiefs, top level first (the board's
    text, and what a printed board is compared with)."""
    rows = (
        Duty.objects.current()
        .filter(place=zone, kind__in=CHIEF_LEVELS)
        .select_related("person")
        .order_by("kind", "person__name")
    )
    order = {k.value: n for n, k in enumerate(reversed(CHIEF_LEVELS))}
    chiefs = sorted(
        ([d.get_kind_display(), d.person.name] for d in rows),
        key=lambda r: (
            order.get(next(k.value for k in CHIEF_LEVELS if k.label == r[0]), 9),
            r[1],
        ),
    )
    return chiefs


@transaction.atomic
def do_register_signboard(
    zone: Place,
    *,
    actor: User,
    code: str,
    location: str = "",
    lat: float | None = None,
    lng: float | None = None,
) -> Signboard:
    _zone(zone)
    require(actor, Cap.FORESTRY_MANAGE, zone, what="登记公示牌")
    code = code.strip()
    if not code:
        raise ValidationError({"code": "请填写公示牌编号"})
    if Signboard.objects.filter(code=code).exists():
        raise ValidationError({"code": f"编号 {code} 已被使用"})
    board = Signboard.objects.create(zone=zone, code=code, location=location, lat=lat, lng=lng)
    audit.record(actor=actor, verb=AuditVerb.CREATE, obj=board, changes={"code": code})
    return board


@transaction.atomic
def do_mark_printed(boards: list[Signboard], *, actor: User) -> int:
    now = timezone.now()
    for board in boards:
        require(actor, Cap.FORESTRY_MANAGE, board.zone, what="印制公示牌")
        board.printed_chiefs = current_chiefs(board.zone)
        board.printed_at = now
        board.save(update_fields=["printed_chiefs", "printed_at", "updated_at"])
    if boards:
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            obj=boards[0],
            changes={"printed": [b.code for b in boards]},
        )
    return len(boards)


def needs_reprint(board: Signboard) -> bool:
    return board.printed_at is None or board.printed_chiefs != current_chiefs(board.zone)


@transaction.atomic
def do_record_planting(
    place: Place,
    *,
    actor: User,
    kind: str,
    area_mu: Any,
    count: Any,
    species: str,
    date: dt.date | None,
    note: str = "",
) -> Planting:
    require(actor, Cap.FORESTRY_MANAGE, place, what="登记植树造林")
    errors = {}
    if kind not in PlantingKind.values:
        errors["kind"] = "请选择类型"
    try:
        area = Decimal(str(area_mu or 0))
        if area < 0:
            raise InvalidOperation
    except InvalidOperation:
        errors["area_mu"] = "面积应为不小于0的数字（亩）"
        area = Decimal(0)
    try:
        trees = int(count or 0)
        if trees < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["count"] = "株数应为不小于0的整数"
        trees = 0
    if not species.strip():
        errors["species"] = "请填写树种"
    if date is None:
        errors["date"] = "请填写日期"
    if not errors and area == 0 and trees == 0:
        errors["area_mu"] = "面积和株数至少填写一项"
    if errors:
        raise ValidationError(errors)
    assert date is not None
    row = Planting.objects.create(
        place=place,
        kind=kind,
        area_mu=area,
        count=trees,
        species=species.strip(),
        date=date,
        note=note.strip(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=row,
        changes={"kind": kind, "area_mu": str(area), "count": trees},
    )
    return row


MAX_TARGET_MU = 10_000_000  # the column holds up to 9,999,999.9 亩


@transaction.atomic
def do_set_planting_target(
    place: Place,
    *,
    actor: User,
    year: Any,
    area_mu: Any,
    kind: str = PlantingKind.RESERVE,
    note: str = "",
) -> PlantingTarget:
    """Set (or change) the target of a planting task for `place` and `year` (国家储备林 by
    default); the progress comes from the ledger."""
    require(actor, Cap.FORESTRY_MANAGE, place, what="下达造林任务")
    errors = {}
    if kind not in PlantingKind.values:
        errors["kind"] = "请选择类型"
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = "年度应为2000～2100之间的整数"
    try:
        area = Decimal(str(area_mu).strip())
        if not area > 0:
            raise InvalidOperation
        if area >= MAX_TARGET_MU:
            errors["area_mu"] = f"目标面积不能超过{MAX_TARGET_MU - 1}亩"
        elif area != area.quantize(Decimal("0.1")):
            errors["area_mu"] = "目标面积最多保留一位小数"
    except InvalidOperation:
        errors["area_mu"] = "目标面积应为大于0的数字（亩）"
    if errors:
        raise ValidationError(errors)
    before = (
        PlantingTarget.objects.filter(place=place, year=year, kind=kind)
        .values_list("area_mu", flat=True)
        .first()
    )
    row, created = PlantingTarget.objects.update_or_create(
        place=place, year=year, kind=kind, defaults={"area_mu": area, "note": note.strip()[:200]}
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE if created else AuditVerb.UPDATE,
        obj=row,
        changes={"year": year, "kind": kind, "area_mu": str(area)}
        | ({} if before is None else {"area_mu_before": str(before)}),
    )
    return row
