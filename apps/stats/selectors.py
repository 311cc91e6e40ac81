"""Reads for the dashboards: case figures of a place subtree and period from the rollups
(`case_figures`, the same `CaseKpis` as `apps.cases.selectors.case_kpis`), per child area and
per month. Places below grid level are not rolled up on their own: their (small) subtrees are
counted from the cases."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from apps.accounts.scoping import get_in_scope, place_in_scope, place_visible
from apps.cases.choices import (
    OPEN_STATUSES,
    SATISFIED_RATINGS,
    WITHDRAWN_STATUSES,
    CaseKind,
    CaseSource,
    Status,
)
from apps.cases.measures import Measure, counted, measure_q
from apps.cases.models import CASE_COUNTERS, Case, CaseMonthRollup, CaseRollup, Category
from apps.cases.rollups import exact_for
from apps.cases.selectors import CaseKpis, case_kpis
from apps.places.choices import SPECIAL
from apps.places.models import SEGMENT, Place, path_upper, subtree_q


def access_place_for_user(user: Any, pk: Any) -> Place:
    """A place in the user's scope, or 404."""
    return get_in_scope(Place.objects.visible_to(user), pk=pk)


def rollup_rows(place: Place, date_from: dt.date, date_to: dt.date) -> QuerySet[CaseRollup]:
    """The counted rollup rows of `place`'s subtree and the period: one indexed range."""
    return CaseRollup.objects.filter(
        place_path__gte=place.path,
        place_path__lt=path_upper(place.path),
        day__gte=date_from,
        day__lte=date_to,
    ).exclude(status__in=sorted(WITHDRAWN_STATUSES))


def whole_months(date_from: dt.date, date_to: dt.date) -> bool:
    return date_from.day == 1 and date_to == month_end(date_to) and date_from <= date_to


def headline_rows(place: Place, date_from: dt.date, date_to: dt.date) -> QuerySet[Any]:
    """The rows to sum for the headline figures: the month table when the period is whole
    months (about thirty times fewer rows), the day table otherwise."""
    if whole_months(date_from, date_to):
        return CaseMonthRollup.objects.filter(
            place_path__gte=place.path,
            place_path__lt=path_upper(place.path),
            month__gte=date_from,
            month__lte=date_to,
        )
    return rollup_rows(place, date_from, date_to)


def _open_cases(place: Place, date_from: dt.date, date_to: dt.date) -> QuerySet[Case]:
    """Open cases of the subtree and period: the only figures that move with the clock
    (due to respond, overdue) are counted here, on the open-case partial indexes."""
    return Case.objects.filter(
        subtree_q(place),
        status__in=sorted(OPEN_STATUSES),
        created_at__gte=local_midnight(date_from),
        created_at__lt=local_midnight(date_to + dt.timedelta(days=1)),
    )


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the current time zone: `created_at >= this` is the same set as
    `created_at__date >= day`, but a range the (status, created_at) index can serve."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _sums(rows: QuerySet[Any]) -> dict[str, int]:
    figures = rows.aggregate(**{c: Sum(c) for c in CASE_COUNTERS})
    return {name: value or 0 for name, value in figures.items()}


def _labelled(rows: QuerySet[CaseRollup], name: str, enum: Any) -> list[dict[str, Any]]:
    data = rows.values(name).annotate(n=Sum("n")).filter(n__gt=0).order_by("-n", name)
    return [{"code": r[name], "name": enum(r[name]).label, "n": r["n"]} for r in data]


def case_figures(
    user: Any,
    place: Place,
    date_from: dt.date,
    date_to: dt.date,
    *,
    now: dt.datetime | None = None,
    breakdowns: bool = True,
) -> CaseKpis:
    """The KPIs of `case_kpis` (same definitions, `apps.cases.measures`), from the rollups;
    `breakdowns=False` leaves out the counts by category, source, kind, status and month.
    404 for a place outside the user's scope."""
    if not place_in_scope(user, place):
        raise Http404("地点不存在或不在您的管辖范围内")
    now = now or timezone.now()
    if not exact_for(place.path):
        kpis = case_kpis(user, place, date_from, date_to, now=now)
        kpis.overdue = overdue_now(place, now).count()
        return kpis
    late = _open_cases(place, date_from, date_to).aggregate(**_late(now))
    late["overdue"] = overdue_now(place, now).count()
    sums = _sums(headline_rows(place, date_from, date_to))
    kpis = kpis_from(place, date_from, date_to, sums, late)
    if not breakdowns:
        return kpis
    rows = rollup_rows(place, date_from, date_to)
    kpis.by_category = _by_category(rows)
    kpis.by_source = _labelled(rows, "source", CaseSource)
    kpis.by_kind = _labelled(rows, "kind", CaseKind)
    kpis.by_status = _labelled(rows, "status", Status)
    kpis.by_period = [
        {"period": r["month"], "period_end": month_end(r["month"]), "n": r["n"]}
        for r in month_rows(place, date_from, date_to)
        if r["n"]
    ]
    return kpis


def _late(now: dt.datetime) -> dict[str, Count]:
    """Open cases unanswered past the response limit, and overdue ones, at `now` (of the
    period's cases; the figure 超期未办 is `overdue_now`, whatever the period)."""
    return {
        "unanswered": Count("pk", filter=Q(responded_at__isnull=True, respond_by__lt=now)),
        "overdue": Count("pk", filter=measure_q(Measure.OVERDUE, now)),
    }


def overdue_now(place: Place, now: dt.datetime) -> QuerySet[Case]:
    """超期未办, the one definition the card, the red list and the briefing share: open cases
    of the subtree past a running deadline (to respond or to resolve) at `now`, whenever
    they were registered."""
    return Case.objects.overdue(now).filter(subtree_q(place))


def overdue_by_prefix(place: Place, width: int, now: dt.datetime) -> dict[str, int]:
    """`overdue_now` of `place`, counted per child area (path prefix of `width`): one
    GROUP BY on the open-case indexes."""
    rows: Any = (
        overdue_now(place, now)
        .annotate(prefix=Substr("place__path", 1, width))
        .values("prefix")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {str(r["prefix"]): r["n"] for r in rows}


def comparison_period(
    date_from: dt.date, date_to: dt.date, before_from: dt.date, before_to: dt.date, today: dt.date
) -> tuple[dt.date, dt.date, bool]:
    """The period to compare [date_from, date_to] with: the whole period before
    ([before_from, before_to]) once the period is over; while it runs, the same number of
    days from the start of the period before (1–6 December against 1–6 November), never
    past its end. The flag says whether the comparison is of the same days only."""
    if not date_from <= today < date_to:
        return before_from, before_to, False
    same = before_from + (today - date_from)
    return before_from, min(same, before_to), True


def kpis_from(
    place: Place, date_from: dt.date, date_to: dt.date, s: dict[str, int], late: dict[str, int]
) -> CaseKpis:
    """The headline figures from rollup sums `s` and the open cases' clock-bound counts."""
    kpis = CaseKpis(place=place, date_from=date_from, date_to=date_to)
    kpis.total = s["n"]
    kpis.due_to_respond = s["responded"] + s["unresponded_closed"] + late.get("unanswered", 0)
    kpis.responded_in_time = s["responded_in_time"]
    kpis.resolved = s["resolved"]
    kpis.resolved_on_time = s["resolved_on_time"]
    kpis.rated = s["rated"]
    kpis.satisfied = s["satisfied"]
    kpis.overdue = late.get("overdue", 0)
    kpis.person_times = s["person_times"]
    if s["responded"]:
        kpis.mean_response = dt.timedelta(microseconds=s["response_us"] / s["responded"])
    if s["resolved"]:
        kpis.mean_handling = dt.timedelta(microseconds=s["handling_us"] / s["resolved"])
    return kpis


def _by_category(rows: QuerySet[CaseRollup]) -> list[dict[str, Any]]:
    data = rows.values("category_id").annotate(n=Sum("n")).filter(n__gt=0)
    names = dict(
        (c.pk, c) for c in Category.objects.filter(pk__in=[r["category_id"] for r in data])
    )
    out = [
        {
            "category__code": names[r["category_id"]].code,
            "category__name": names[r["category_id"]].name,
            "category_id": r["category_id"],
            "n": r["n"],
        }
        for r in data
        if r["category_id"] in names
    ]
    return sorted(out, key=lambda r: (-r["n"], r["category__code"]))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def child_figures(
    user: Any,
    place: Place,
    date_from: dt.date,
    date_to: dt.date,
    *,
    now: dt.datetime | None = None,
) -> list[CaseKpis]:
    """The headline figures of each child area of `place` (breakdowns left empty): two
    GROUP BYs over the path prefix when the children are rolled up, otherwise per child from
    the cases (below grid level, where subtrees are small)."""
    now = now or timezone.now()
    # Areas of the main tree only: a hospital or a service station is not an area to rank.
    children = list(Place.objects.filter(parent=place).exclude(kind__in=SPECIAL).order_by("code"))
    if not children:
        return []
    if not exact_for(children[0].path):
        return [case_figures(user, c, date_from, date_to, now=now) for c in children]
    width = len(children[0].path)
    sums: dict[str, dict[str, int]] = {}
    rows = headline_rows(place, date_from, date_to).annotate(prefix=Substr("place_path", 1, width))
    grouped: Any = rows.values("prefix").annotate(**{c: Sum(c) for c in CASE_COUNTERS})
    for row in grouped:
        sums[row["prefix"]] = {c: row[c] or 0 for c in CASE_COUNTERS}
    late: dict[str, dict[str, int]] = {}
    open_rows = _open_cases(place, date_from, date_to).annotate(
        prefix=Substr("place__path", 1, width)
    )
    late_rows: Any = open_rows.values("prefix").annotate(**_late(now))
    for row in late_rows:
        late[row["prefix"]] = row
    for prefix, n in overdue_by_prefix(place, width, now).items():
        late.setdefault(prefix, {"unanswered": 0})["overdue"] = n
    zero = dict.fromkeys(CASE_COUNTERS, 0)
    return [
        kpis_from(c, date_from, date_to, sums.get(c.path, zero), late.get(c.path, {}))
        for c in children
    ]


def month_rows(place: Place, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """Per month of [date_from, date_to]: counted cases, resolved, rated and satisfied, from
    the month table (whole months) or the day table (days summed into months here)."""
    names = ("n", "resolved", "rated", "satisfied")
    months: dict[dt.date, dict[str, int]] = {}
    if exact_for(place.path) and whole_months(date_from, date_to):
        by_month: Any = headline_rows(place, date_from, date_to).values("month")
        for row in by_month.annotate(**{c: Sum(c) for c in names}).order_by("month"):
            months[row["month"]] = {c: row[c] or 0 for c in names}
    elif exact_for(place.path):
        data: Any = rollup_rows(place, date_from, date_to).values("day")
        for row in data.annotate(**{c: Sum(c) for c in names}):
            acc = months.setdefault(month_start(row["day"]), dict.fromkeys(names, 0))
            for c in names:
                acc[c] += row[c] or 0
    else:
        for case in counted_cases(place, date_from, date_to).values(
            "created_at", "resolved_at", "rating"
        ):
            day = timezone.localdate(case["created_at"])
            acc = months.setdefault(month_start(day), dict.fromkeys(names, 0))
            acc["n"] += 1
            acc["resolved"] += case["resolved_at"] is not None
            acc["rated"] += case["rating"] != ""
            acc["satisfied"] += case["rating"] in SATISFIED_RATINGS
    return [{"month": m, **months[m]} for m in sorted(months)]


def counted_cases(place: Place, date_from: dt.date, date_to: dt.date) -> QuerySet[Case]:
    """The raw cases behind the figures (for the benchmark's plain GROUP BY and the tests)."""
    return Case.objects.filter(
        subtree_q(place), created_at__date__gte=date_from, created_at__date__lte=date_to
    ).filter(counted())


def overdue_cases(place: Place, *, limit: int = 10) -> QuerySet[Case]:
    """红灯: open cases of the subtree past a running deadline, the longest overdue first
    (the open-case partial indexes; the full list is the case inbox's `overdue` measure)."""
    return (
        overdue_now(place, timezone.now())
        .select_related("category", "place", "handling_unit")
        .order_by("resolve_by", "id")[:limit]
    )


@dataclass
class DashboardFigures:
    """The case figures of one overview: the month and the month before (headline figures,
    three rates and friends), each child area in the month, and the trend of the months up
    to it."""

    place: Place
    month: dt.date
    current: CaseKpis
    previous: CaseKpis
    children: list[CaseKpis]
    trend: list[dict[str, Any]]  # {"month", "n", "resolved", "rated", "satisfied"} per month


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def months_back(month: dt.date, n: int) -> dt.date:
    for _ in range(n):
        month = previous_month(month)
    return month


def area_children(place: Place) -> list[Place]:
    """The child areas of `place` (a hospital or a service station is not an area to rank)."""
    return list(Place.objects.filter(parent=place).exclude(kind__in=SPECIAL).order_by("code"))


def dashboard_figures(
    user: Any,
    place: Place,
    month: dt.date,
    *,
    now: dt.datetime | None = None,
    months: int = 12,
    children: list[Place] | None = None,
    previous: tuple[dt.date, dt.date] | None = None,
) -> DashboardFigures:
    """Everything the overview shows about cases, in two queries when `place` and its
    children are rolled up (grid level or above):

    1. the month table of the subtree over the trend's months, summed per (child prefix,
       month): the headline of the month and of the month before are the sums over all
       prefixes (a case filed on `place` itself has a prefix of its own), each child's
       figures are its prefix, the trend the sums per month;
    2. the open cases of the subtree registered in the month or the month before, their
       clock-bound counts (due to respond, overdue) per child prefix and period, on the
       (status, created_at) index.

    `previous` is the period to compare with (default: the whole month before); when it is
    not a whole month (the same days of the month before, while this month runs), its
    figures are summed from the day rollups instead.

    超期未办 is `overdue_now` (whatever the period), per child in one more GROUP BY.

    404 for a place outside the user's scope."""
    if not place_visible(user, place):
        raise Http404("地点不存在或不在您的管辖范围内")
    now = now or timezone.now()
    end = month_end(month)
    before = previous_month(month)
    first = months_back(month, months - 1)
    kids = area_children(place) if children is None else children
    partial = previous is not None and not whole_months(*previous)
    if not exact_for(place.path) or (kids and not exact_for(kids[0].path)):
        before_from, before_to = previous or (before, month - dt.timedelta(days=1))
        return DashboardFigures(
            place,
            month,
            case_figures(user, place, month, end, now=now, breakdowns=False),
            case_figures(user, place, before_from, before_to, now=now, breakdowns=False),
            child_figures(user, place, month, end, now=now),
            _every_month(first, month, {r["month"]: r for r in month_rows(place, first, end)}),
        )
    width = len(place.path) + SEGMENT
    zero = dict.fromkeys(CASE_COUNTERS, 0)
    per_child: dict[str, dict[str, int]] = {}
    totals: dict[dt.date, dict[str, int]] = {}
    for prefix, row_month, *values in _month_sums(place, width, first, month):
        row = dict(zip(CASE_COUNTERS, (int(v or 0) for v in values), strict=True))
        acc = totals.setdefault(row_month, dict(zero))
        for c in CASE_COUNTERS:
            acc[c] += row[c]
        if row_month == month:
            per_child[prefix] = row
    late_rows = _late_by_prefix(
        place,
        width,
        local_midnight(before),
        local_midnight(end + dt.timedelta(days=1)),
        local_midnight(month),
        now,
    )
    late: dict[str, dict[str, Any]] = {}
    late_now = {"unanswered": 0, "overdue": 0}
    late_before = {"unanswered": 0, "overdue": 0}
    for row in late_rows:
        late[str(row["prefix"])] = row
        for name in ("unanswered", "overdue"):
            late_now[name] += row[name]
            late_before[name] += row[f"before_{name}"]
    overdue = overdue_by_prefix(place, width, now)
    late_now["overdue"] = sum(overdue.values())
    for prefix, row in late.items():
        row["overdue"] = overdue.pop(prefix, 0)
    for prefix, n in overdue.items():  # open, overdue, registered before the two months
        late[prefix] = {"unanswered": 0, "overdue": n}
    current = kpis_from(place, month, end, totals.get(month, zero), late_now)
    if partial and previous is not None:
        compared = case_figures(user, place, *previous, now=now, breakdowns=False)
    else:
        late_before["overdue"] = late_now["overdue"]  # 超期未办 is a count of now
        compared = kpis_from(
            place, before, month - dt.timedelta(days=1), totals.get(before, zero), late_before
        )
    return DashboardFigures(
        place,
        month,
        current,
        compared,
        [kpis_from(c, month, end, per_child.get(c.path, zero), late.get(c.path, {})) for c in kids],
        _every_month(first, month, totals),
    )


# The two statements of the rolled-up dashboard, written out once: the dashboard is read on
# every page load of a leader's overview and 大屏, and building these through the ORM cost
# more than running them (measured at 10M cases; docs/stats.md). Both are plain SQL that
# SQLite and PostgreSQL read alike; `TestDashboardFigures` holds them to the ORM definitions
# (`apps.cases.measures`, through `case_kpis`).


def _month_sums(place: Place, width: int, first: dt.date, last: dt.date) -> list[tuple[Any, ...]]:
    """(child prefix, month, *CASE_COUNTERS summed) of the subtree's month rows."""
    sums = ", ".join(f"SUM({c})" for c in CASE_COUNTERS)
    sql = (
        f"SELECT substr(place_path, 1, %s), month, {sums} FROM {CaseMonthRollup._meta.db_table} "
        "WHERE place_path >= %s AND place_path < %s AND month >= %s AND month <= %s "
        "GROUP BY 1, 2"
    )
    ops = connection.ops
    params: list[Any] = [
        width,
        place.path,
        path_upper(place.path),
        ops.adapt_datefield_value(first),
        ops.adapt_datefield_value(last),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":  # dates come back as text there
        return [(r[0], dt.date.fromisoformat(str(r[1])), *r[2:]) for r in rows]
    return rows


def _late_by_prefix(
    place: Place,
    width: int,
    since: dt.datetime,
    until: dt.datetime,
    split: dt.datetime,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """Per child prefix, the open cases of the subtree registered in
    [since, until), their clock-bound counts from `split` on and (before_…) before it."""
    unanswered = "c.responded_at IS NULL AND c.respond_by < %(now)s"
    overdue = f"({unanswered}) OR (c.resolved_at IS NULL AND c.resolve_by < %(now)s)"
    current = "c.created_at >= %(split)s"

    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    statuses = ", ".join(f"'{s}'" for s in sorted(OPEN_STATUSES))
    sql = (
        f"SELECT substr(p.path, 1, %(width)s), "
        f"{count(f'{current} AND ({unanswered})')}, {count(f'{current} AND ({overdue})')}, "
        f"{count(f'NOT ({current}) AND ({unanswered})')}, "
        f"{count(f'NOT ({current}) AND ({overdue})')} "
        f"FROM {Case._meta.db_table} c JOIN {Place._meta.db_table} p ON p.id = c.place_id "
        f"WHERE p.path >= %(low)s AND p.path < %(high)s AND c.status IN ({statuses}) "
        "AND c.created_at >= %(since)s AND c.created_at < %(until)s GROUP BY 1"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = {
        "width": width,
        "now": adapt(now),
        "split": adapt(split),
        "low": place.path,
        "high": path_upper(place.path),
        "since": adapt(since),
        "until": adapt(until),
    }
    names = ("prefix", "unanswered", "overdue", "before_unanswered", "before_overdue")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {k: (v if k == "prefix" else int(v or 0)) for k, v in zip(names, row, strict=True)}
            for row in cursor.fetchall()
        ]


def _every_month(
    first: dt.date, last: dt.date, found: dict[dt.date, dict[str, Any]]
) -> list[dict[str, Any]]:
    """One trend row per month of [first, last], zeros where nothing was registered."""
    names = ("n", "resolved", "rated", "satisfied")
    rows = []
    cursor = first
    while cursor <= last:
        row = found.get(cursor, {})
        rows.append({"month": cursor, **{c: row.get(c, 0) for c in names}})
        cursor = month_end(cursor) + dt.timedelta(days=1)
    return rows
