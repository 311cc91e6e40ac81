"""林长制 figures, registered with the stats registry: 巡林率 by level, 巡护里程 and patrol days,
events found and answered in time, chiefs and rangers by level, signboards needing a re-print,
planting in 亩. Every figure is limited to a place subtree (a village chief's zone, a county
chief's county)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse

from apps.accounts.permissions import Cap, has_role_for
from apps.cases.choices import OPEN_STATUSES, Action
from apps.cases.models import CaseEvent
from apps.duties.models import Duty
from apps.orgs.models import Organisation
from apps.places.choices import ABOVE_TOWN, PlaceKind
from apps.places.models import Place, subtree_q
from apps.stats.indicators import Indicator, register
from apps.stats.selectors import local_midnight

from .actions import current_chiefs, period_bounds
from .choices import FOREST_LEVELS, PlantingKind, TaskStatus
from .models import (
    ForestEvent,
    Patrol,
    PatrolTask,
    Planting,
    PlantingTarget,
    Signboard,
    ZoneProfile,
)

LEVEL_NAMES = {k.value: k.label for k in FOREST_LEVELS}


def patrol_rate_by_level(place: Place, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """巡林率 per level: tasks done ÷ tasks due in [start, end] (by due date)."""
    rows = (
        PatrolTask.objects.filter(subtree_q(place, "zone"), due_date__gte=start, due_date__lte=end)
        .values("level")
        .annotate(due=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE)))
    )
    by_level = {r["level"]: r for r in rows}
    out = []
    for level in FOREST_LEVELS:
        r = by_level.get(level.value)
        if r:
            out.append(
                {
                    "code": level.value,
                    "name": level.label,
                    "n": round(r["done"] / r["due"], 4) if r["due"] else None,
                    "due": r["due"],
                    "done": r["done"],
                }
            )
    return out


def patrol_rate(place: Place, start: dt.date, end: dt.date) -> float | None:
    rows = patrol_rate_by_level(place, start, end)
    due = sum(r["due"] for r in rows)
    return round(sum(r["done"] for r in rows) / due, 4) if due else None


def _patrols(place: Place, start: dt.date, end: dt.date) -> Any:
    return Patrol.objects.filter(
        subtree_q(place, "zone"),
        started_at__gte=local_midnight(start),
        started_at__lt=local_midnight(end + dt.timedelta(days=1)),
    )


def patrol_km(place: Place, start: dt.date, end: dt.date) -> float:
    total = _patrols(place, start, end).aggregate(m=Sum("distance_m"))["m"] or 0
    return round(total / 1000, 1)


def patrol_days(place: Place, start: dt.date, end: dt.date) -> int:
    """Person-days on patrol: distinct (leader, local day) of the period's patrols."""
    return (
        _patrols(place, start, end)
        .annotate(day=TruncDate("started_at"))
        .values("leader_id", "day")
        .distinct()
        .count()
    )


def _events(place: Place, start: dt.date, end: dt.date) -> Any:
    return ForestEvent.objects.filter(
        subtree_q(place, "zone"),
        created_at__gte=local_midnight(start),
        created_at__lt=local_midnight(end + dt.timedelta(days=1)),
    )


def events_answered_in_time(place: Place, start: dt.date, end: dt.date) -> float | None:
    events = _events(place, start, end)
    total = events.count()
    if not total:
        return None
    # Answered = a person took the case on (接单, or 受理 after the engine lifted it): the
    # rule's own dispatch at filing (`route_for_claim`) answers nothing.
    answered = (
        CaseEvent.objects.filter(
            case=OuterRef("case"), action__in=[Action.CLAIM, Action.ACCEPT], actor__isnull=False
        )
        .order_by("at")
        .values("at")[:1]
    )
    in_time = (
        events.annotate(answered_at=Subquery(answered))
        .filter(answered_at__isnull=False, answered_at__lte=F("case__respond_by"))
        .count()
    )
    return round(in_time / total, 4)


def holders_by_level(place: Place) -> list[dict[str, Any]]:
    rows = (
        Duty.objects.current()
        .filter(subtree_q(place, "place"), kind__in=list(LEVEL_NAMES))
        .values("kind")
        .annotate(n=Count("person_id", distinct=True))
    )
    found = {r["kind"]: r["n"] for r in rows}
    return [{"code": k.value, "name": k.label, "n": found.get(k.value, 0)} for k in FOREST_LEVELS]


def offices(place: Place) -> int:
    """林长制 offices (organisations) answering for the zones under `place`, and the offices
    above them located under `place` (the county's office in a county view)."""
    ids = set(
        ZoneProfile.objects.filter(subtree_q(place, "zone"), office_org__isnull=False).values_list(
            "office_org_id", flat=True
        )
    )
    parents = Organisation.objects.filter(
        subtree_q(place, "place"), pk__in=Organisation.objects.filter(pk__in=ids).values("parent")
    ).values_list("pk", flat=True)
    return len(ids | set(parents))


def zones_by_unit(place: Place) -> list[dict[str, Any]]:
    """The zones under `place` by the unit managing them — each township (the zone's town)
    and each state forest farm (国有林场, the zone's profile names it) — with the number of
    zones, their area (亩) and the unit's 林长制 office: townships by path, then farms by
    name. Two queries."""
    profiles = list(
        ZoneProfile.objects.filter(subtree_q(place, "zone")).values_list(
            "zone__path", "area_mu", "farm__name", "office_org__name"
        )
    )
    if not profiles:
        return []
    towns = list(
        Place.objects.filter(kind=PlaceKind.TOWN)
        .filter(subtree_q(place, "") | Q(path__in=place.ancestor_paths(include_self=True)))
        .order_by("path")
        .values_list("path", "name", "code")
    )
    units: dict[tuple[int, str], dict[str, Any]] = {}
    for path, mu, farm, office in profiles:
        if farm:
            key, code, kind, name = (1, farm), f"farm:{farm}", "国有林场", farm
        else:
            town = next((t for t in towns if path.startswith(t[0])), None)
            if town is None:
                continue  # a zone right under the county, managed by no farm
            key, code, kind, name = (0, town[0]), f"town:{town[2]}", "乡镇", town[1]
        row = units.setdefault(key, {"code": code, "name": name, "kind": kind, "n": 0, "mu": 0.0})
        row["n"] += 1
        row["mu"] = round(row["mu"] + float(mu or 0), 1)
        row.setdefault("office", office or "")
    return [units[k] for k in sorted(units)]


def boards_needing_reprint(place: Place) -> int:
    """Boards never printed, or whose printed chiefs differ from the zone's current ones
    (the chiefs read once per zone)."""
    boards = list(
        Signboard.objects.filter(subtree_q(place, "zone")).values_list(
            "zone_id", "printed_at", "printed_chiefs"
        )
    )
    zones = {z: current_chiefs(Place(pk=z)) for z in {b[0] for b in boards}}
    return sum(1 for z, at, chiefs in boards if at is None or chiefs != zones[z])


def planting_by_kind(place: Place, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows = (
        Planting.objects.filter(subtree_q(place, "place"), date__gte=start, date__lte=end)
        .values("kind")
        .annotate(mu=Sum("area_mu"), trees=Sum("count"))
        .order_by("kind")
    )
    return [
        {
            "code": r["kind"],
            "name": PlantingKind(r["kind"]).label,
            "n": float(r["mu"] or Decimal(0)),
            "trees": r["trees"] or 0,
        }
        for r in rows
    ]


def target_progress(
    place: Place, year: int, kind: str = PlantingKind.RESERVE
) -> list[dict[str, Any]]:
    """The targets of `kind` for `year` under `place` (the place itself included), each with
    what the ledger holds of that kind and year under the target's place: [{place, path,
    target, done, share}], by place path. Two queries."""
    targets = list(
        PlantingTarget.objects.filter(subtree_q(place, "place"), year=year, kind=kind)
        .select_related("place")
        .order_by("place__path")
    )
    if not targets:
        return []
    rows = (
        Planting.objects.filter(
            subtree_q(place, "place"),
            kind=kind,
            date__gte=dt.date(year, 1, 1),
            date__lte=dt.date(year, 12, 31),
        )
        .values("place__path")
        .annotate(mu=Sum("area_mu"))
    )
    done_at = [(r["place__path"], r["mu"] or Decimal(0)) for r in rows]
    out = []
    for t in targets:
        done = sum((mu for path, mu in done_at if path.startswith(t.place.path)), Decimal(0))
        out.append(
            {
                "pk": t.pk,
                "place": t.place.name,
                "path": t.place.path,
                "target": float(t.area_mu),
                "done": float(done),
                "share": round(float(done / t.area_mu), 4),
            }
        )
    return out


def reserve_progress(place: Place, year: int) -> float | None:
    """国家储备林 completion under `place` for `year`: the ledger's 亩 under each target
    (capped at the target, so one place's surplus hides no other's shortfall) ÷ the targets.
    A place with targets at two levels (a town and its zones) counts its lowest ones only."""
    rows = target_progress(place, year)
    paths = [r["path"] for r in rows]
    kept = [r for r in rows if not any(p != r["path"] and p.startswith(r["path"]) for p in paths)]
    total = sum(r["target"] for r in kept)
    if not total:
        return None
    return round(sum(min(r["done"], r["target"]) for r in kept) / total, 4)


def month_figures(user: Any, day: dt.date) -> dict[str, Any]:
    """The forest home page's figures for the account's scope, this month."""
    place = user.scope
    if place is None:
        place = Place.objects.filter(depth=0).first()
    if place is None:
        return {}
    start, end = period_bounds("month", day)
    return {
        "rate": patrol_rate(place, start, end),
        "by_level": patrol_rate_by_level(place, start, end),
        "km": patrol_km(place, start, end),
        "open_events": ForestEvent.objects.filter(
            subtree_q(place, "zone"), case__status__in=list(OPEN_STATUSES)
        ).count(),
        "units": zones_by_unit(place) if place.kind in ABOVE_TOWN else [],
    }


def planting_totals(user: Any) -> list[dict[str, Any]]:
    place = user.scope or Place.objects.filter(depth=0).first()
    if place is None:
        return []
    return planting_by_kind(place, dt.date(1900, 1, 1), dt.date(2999, 12, 31))


def reserve_targets(user: Any, year: int) -> list[dict[str, Any]]:
    """The planting page's 国家储备林 targets of the account's scope for `year`."""
    place = user.scope or Place.objects.filter(depth=0).first()
    return target_progress(place, year) if place is not None else []


def targets_by_kind(user: Any, year: int) -> list[dict[str, Any]]:
    """The planting page's targets of the account's scope for `year`, one table per kind
    that has any (国家储备林 first): [{kind, name, rows}] with `target_progress`'s rows."""
    place = user.scope or Place.objects.filter(depth=0).first()
    if place is None:
        return []
    kinds = set(
        PlantingTarget.objects.filter(subtree_q(place, "place"), year=year).values_list(
            "kind", flat=True
        )
    )
    order = [PlantingKind.RESERVE, *(k for k in PlantingKind if k != PlantingKind.RESERVE)]
    return [
        {"kind": k.value, "name": k.label, "rows": target_progress(place, year, k.value)}
        for k in order
        if k.value in kinds
    ]


def _link(name: str) -> Any:
    """The forestry page, for those who may open it (a grid worker's overview shows the
    figure without a link to a page that would refuse them)."""
    return lambda s: reverse(name) if has_role_for(s.user, Cap.FORESTRY_VIEW) else ""


TASKS = "forestry.PatrolTask"
register(
    Indicator(
        "forest_patrol_rate",
        "巡林率",
        "统计期内应巡（巡林任务的应巡日期在期内）的任务中已巡护的比例；任务按巡林频次规则"
        "（护林员每天、村级林长每周、乡级每月、县级每季度，可配置）为每位在任林长、护林员生成。",
        "%",
        TASKS,
        lambda s: patrol_rate(s.place, s.date_from, s.date_to),
        link=_link("forestry:home"),
        shape="rate",
    ),
    Indicator(
        "forest_patrol_rate_by_level",
        "分层级巡林率",
        "按县级林长、乡级林长、村级林长、护林员分别统计的巡林率（已巡 ÷ 应巡）。",
        "%",
        TASKS,
        lambda s: patrol_rate_by_level(s.place, s.date_from, s.date_to) if s.breakdowns else [],
        shape="breakdown",
    ),
    Indicator(
        "forest_patrol_km",
        "巡护里程",
        "统计期内开始的巡护的里程之和（服务器按清洗后的轨迹计算：剔除不可能的速度和孤立漂移点，"
        "长时间中断和跨天处断开；多人同行的一次巡护只计一次）。",
        "公里",
        "forestry.Patrol",
        lambda s: patrol_km(s.place, s.date_from, s.date_to),
    ),
    Indicator(
        "forest_patrol_days",
        "巡护人天",
        "统计期内每位巡护人有巡护的天数之和。",
        "人天",
        "forestry.Patrol",
        lambda s: patrol_days(s.place, s.date_from, s.date_to),
    ),
    Indicator(
        "forest_events",
        "林区事件",
        "统计期内发现并登记为事项的林区事件数（巡护发现和公示牌扫码上报）。",
        "件",
        "forestry.ForestEvent",
        lambda s: _events(s.place, s.date_from, s.date_to).count(),
        higher_is_better=False,
    ),
    Indicator(
        "forest_events_answered_in_time",
        "林区事件按时响应率",
        "统计期内登记的林区事件中，在响应时限内受理的比例。",
        "%",
        "forestry.ForestEvent",
        lambda s: events_answered_in_time(s.place, s.date_from, s.date_to),
        shape="rate",
    ),
    Indicator(
        "forest_chiefs_by_level",
        "林长和护林员",
        "区域内林区在任的县级、乡级、村级林长和护林员人数，截至今日。",
        "人",
        "duties.Duty",
        lambda s: holders_by_level(s.place) if s.breakdowns else [],
        periodic=False,
        shape="breakdown",
    ),
    Indicator(
        "forest_offices",
        "林长制办公室",
        "区域内林区所属的乡镇、国有林场林长制办公室及其上级（县）林长制办公室数，按组织登记，"
        "截至今日。",
        "个",
        "orgs.Organisation",
        lambda s: offices(s.place),
        periodic=False,
    ),
    Indicator(
        "forest_zones_by_unit",
        "林区（按乡镇、国有林场）",
        "区域内林区按管理单位（所在乡镇，或经营管理的国有林场）统计的个数，及其面积（亩），"
        "截至今日。",
        "个",
        "forestry.ZoneProfile",
        lambda s: zones_by_unit(s.place) if s.breakdowns else [],
        periodic=False,
        shape="breakdown",
    ),
    Indicator(
        "forest_boards_reprint",
        "待重印公示牌",
        "从未印制或印制后林长已调整的林长公示牌数，截至今日。",
        "块",
        "forestry.Signboard",
        lambda s: boards_needing_reprint(s.place),
        periodic=False,
        link=_link("forestry:signboards"),
        higher_is_better=False,
    ),
    Indicator(
        "forest_planting_mu",
        "植树造林面积",
        "统计期内登记的义务植树、造林、修复、油茶等面积（亩），按类型。",
        "亩",
        "forestry.Planting",
        lambda s: planting_by_kind(s.place, s.date_from, s.date_to) if s.breakdowns else [],
        link=_link("forestry:planting"),
        shape="breakdown",
    ),
    Indicator(
        "forest_reserve_progress",
        "国家储备林建设完成率",
        "统计期末所在年度下达到各林区、乡镇的国家储备林任务面积中，植树造林台账已登记完成的"
        "比例（各任务地点按本地点及以下的“国家储备林”台账面积计，超出任务的部分不抵其他地点）。",
        "%",
        "forestry.PlantingTarget",
        lambda s: reserve_progress(s.place, s.date_to.year),
        periodic=False,
        link=_link("forestry:planting"),
        shape="rate",
    ),
    programme="林长制",
)
