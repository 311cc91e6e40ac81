"""Reads on cases, always starting from the user's scope: the inbox, one case, a handler's
orders, the catalogue and the KPIs (三率 and friends) over any place subtree and period."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import (
    Case as When_,
)
from django.db.models.functions import TruncDay, TruncMonth
from django.http import Http404
from django.utils import timezone

from apps.accounts.scoping import get_in_scope, place_in_scope, place_visible
from apps.places.choices import ABOVE_TOWN, PlaceKind
from apps.places.geometry import PointMap, point_map
from apps.places.models import Place, subtree_q

from . import dispatch, duplicates
from .choices import (
    BUTTON_ORDER,
    OPEN_STATUSES,
    Action,
    CaseKind,
    CaseSource,
    Status,
)
from .filters import CaseFilter
from .measures import Measure, counted, measure_q
from .models import Case, CaseEvent, CaseRevisit, Category
from .rules import allowed_actions, check

MAP_AREA_KINDS = (PlaceKind.GRID, PlaceKind.COMMUNITY)


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases whose place lies in the user's scope, plus the cases assigned to the user."""
    if user is None or not user.is_authenticated:
        return Case.objects.none()
    if user.pk is None:  # an area reading its own figures (a briefing's AreaReader)
        return Case.objects.visible_to(user)
    return Case.objects.visible_to(user) | Case.objects.filter(assignee=user)


def still_visible(case: Case, user: Any) -> bool:
    """`visible_cases` for one case already in memory (its place loaded): no query."""
    if user is None or not user.is_authenticated:
        return False
    if case.assignee_id is not None and case.assignee_id == user.pk:
        return True
    return place_visible(user, case.place)


def _overdue_flag(now: dt.datetime) -> When_:
    return When_(
        When(
            Q(status__in=sorted(OPEN_STATUSES))
            & (
                Q(responded_at__isnull=True, respond_by__lt=now)
                | Q(resolved_at__isnull=True, resolve_by__lt=now)
            ),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )


def case_list(user: Any, filters: CaseFilter | None = None) -> QuerySet[Case]:
    """The inbox: scoped, filtered, overdue first, then the nearest deadline; each row's
    category, place, unit and assignee joined (a page costs a fixed number of queries)."""
    qs = visible_cases(user)
    if filters is not None:
        qs = filters.filter(qs)
    # Open cases by their running deadline; finished ones after them, newest first (an
    # archived case's old deadline must not put it at the top of the inbox).
    open_deadline = When_(
        When(status__in=sorted(OPEN_STATUSES), then=F("resolve_by")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    return (
        qs.select_related("category", "place", "handling_unit", "assignee", "department")
        .annotate(overdue_flag=_overdue_flag(timezone.now()), open_deadline=open_deadline)
        .order_by("-overdue_flag", F("open_deadline").asc(nulls_last=True), "-id")
    )


def _visible_or_404(case: Case, user: Any) -> Case:
    # One case by its id, then `still_visible` in Python: the same rule as `visible_cases`,
    # whose OR across the join to places costs PostgreSQL ~5 ms of *planning* per query
    # (measured; executing it takes 0.2 ms) — on every case page and API call.
    if not still_visible(case, user):
        raise Http404("未找到，或不在您的管辖范围内")
    return case


def access_case_for_user(user: Any, pk: Any) -> Case:
    """The case if the user may see it; 404 otherwise (never a 403 that confirms it exists)."""
    qs = Case.objects.select_related(
        "category",
        "place",
        "handling_unit",
        "assignee",
        "department",
        "reporter",
        "merged_into",
    )
    return _visible_or_404(get_in_scope(qs, pk=pk), user)


def case_ref_for_user(user: Any, pk: Any) -> Case:
    """The case to act on, if the user may see it (404 otherwise): its id, status and place,
    the status being what the actor saw (`do_transition` locks and reads the row itself)."""
    qs = Case.objects.select_related("place").only("id", "status", "assignee_id", "place__path")
    return _visible_or_404(get_in_scope(qs, pk=pk), user)


def case_ref_by_token(token: str) -> Case:
    """The case to act on for the holder of the tracking token: id and status only."""
    if not token or len(token) > 64:
        raise Http404("查询码无效")
    return get_in_scope(Case.objects.only("id", "status"), tracking_token=token)


def case_by_token(token: str) -> Case:
    """The case a resident follows with the tracking token (404 for a wrong token)."""
    if not token or len(token) > 64:
        raise Http404("查询码无效")
    qs = Case.objects.select_related("category", "place", "handling_unit")
    return get_in_scope(qs, tracking_token=token)


@dataclass
class CaseLocation:
    """Where a case is, for the staff page: the place's whole path (town … room), the
    reporter's own words for the spot, and a small map of the point in its grid."""

    path: list[Place]
    landmark: str
    lat: float | None
    lng: float | None
    map: PointMap | None

    @property
    def path_text(self) -> str:
        return " · ".join(p.name for p in self.path)


def case_location(case: Case) -> CaseLocation:
    """Two queries: the place's ancestors, with the boundary of its grid or community."""
    chain = [*case.place.ancestors().exclude(kind__in=ABOVE_TOWN), case.place]
    lat, lng = (case.lat, case.lng) if case.lat is not None else (case.place.lat, case.place.lng)
    area = next(
        (p for p in reversed(chain) if p.kind in MAP_AREA_KINDS and p.geometry is not None), None
    )
    drawn = None
    if area is not None and lat is not None and lng is not None:
        drawn = point_map(area, lat, lng)
    return CaseLocation(chain, case.landmark, lat, lng, drawn)


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").prefetch_related("attachments").order_by("at", "id")


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    """The events as the API shows them (labels, no joins, no attachments)."""
    return CaseEvent.objects.filter(case_id=case.pk).order_by("at", "id")


def case_buttons(case: Case, user: Any) -> list[str]:
    return allowed_actions(case, user, BUTTON_ORDER)


def my_orders(user: Any) -> QuerySet[Case]:
    """A handler's work: cases assigned to the user and still open, then orders dispatched to
    nobody in particular in the user's scope (抢单)."""
    mine = Case.objects.filter(assignee=user, status__in=sorted(OPEN_STATUSES))
    pool = Case.objects.filter(status=Status.DISPATCHED, assignee__isnull=True).visible_to(user)
    return (
        (mine | pool)
        .select_related("category", "place", "handling_unit")
        .annotate(overdue_flag=_overdue_flag(timezone.now()))
        .order_by("-overdue_flag", F("resolve_by").asc(nulls_last=True), "-id")
    )


def open_revisits(user: Any) -> QuerySet[CaseRevisit]:
    return (
        CaseRevisit.objects.visible_to(user)
        .filter(done_at__isnull=True)
        .select_related("case", "case__category", "case__place")
        .order_by("id")
    )


def category_list(*, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.select_related("parent", "default_department")
    return qs.filter(active=True) if active_only else qs


# Categories that only staff raise (a key project's blocker is raised by the project's own
# people): the residents' portal and Open311's service list leave them out. The programmes
# add their codes when they load (e.g. apps/projects/apps.py).
STAFF_ONLY: set[str] = set()


def public_categories() -> QuerySet[Category]:
    """The active categories a resident (portal) or an outside system (Open311) may report."""
    return category_list().exclude(code__in=sorted(STAFF_ONLY))


# --- dispatch suggestions, duplicates, hot issues -----------------------------------------


def dispatch_suggestions(
    user: Any, case: Case, *, now: dt.datetime | None = None
) -> list[dispatch.Candidate]:
    """Ranked handlers for `case` (see `dispatch`). Only for someone who may dispatch it now:
    raises the transition's own error otherwise (CaseError)."""
    check(case, Action.DISPATCH, user)
    return dispatch.suggest(case, now=now)


def possible_duplicates(user: Any, case: Case) -> list[duplicates.Duplicate]:
    """Open cases the user can see that may be the same matter as `case`."""
    if user is None or not user.is_authenticated:
        return duplicates.possible_duplicates(case, Case.objects.none())
    return duplicates.possible_duplicates(
        case, lambda: visible_cases(user), covers=lambda area: place_visible(user, area)
    )


def hot_issues(
    user: Any, place: Place, since: dt.datetime, *, min_cases: int = 3
) -> list[duplicates.HotIssue]:
    """热点诉求: clusters of similar cases since `since` per community of `place`'s subtree,
    within the user's scope (a place outside it is a 404). Meetings take their agenda items
    from here."""
    if not place_in_scope(user, place):
        raise Http404("地点不存在或不在您的管辖范围内")
    return duplicates.hot_issues(visible_cases(user), place, since, min_cases=min_cases)


# --- KPIs ---------------------------------------------------------------------------------


@dataclass
class CaseKpis:
    """The figures of one place subtree and period. Rates are fractions (None: nothing to
    divide); times are timedeltas (None: no case to average)."""

    place: Place
    date_from: dt.date
    date_to: dt.date
    total: int = 0
    due_to_respond: int = 0
    responded_in_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue: int = 0
    person_times: int = 0
    mean_response: dt.timedelta | None = None
    mean_handling: dt.timedelta | None = None
    by_category: list[dict[str, Any]] = field(default_factory=list)
    by_source: list[dict[str, Any]] = field(default_factory=list)
    by_status: list[dict[str, Any]] = field(default_factory=list)
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    by_period: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return round(num / den, 4) if den else None

    @property
    def response_rate(self) -> float | None:
        return self._rate(self.responded_in_time, self.due_to_respond)

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.resolved, self.total)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.rated)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.resolved_on_time, self.resolved)


def kpi_cases(user: Any, place: Place, date_from: dt.date, date_to: dt.date) -> QuerySet[Case]:
    """The cases behind the KPIs: visible, in the subtree, registered in [from, to], not
    merged or cancelled (those are not matters of their own)."""
    if not place_in_scope(user, place):
        raise Http404("地点不存在或不在您的管辖范围内")
    return (
        visible_cases(user)
        .filter(subtree_q(place))
        .filter(created_at__date__gte=date_from, created_at__date__lte=date_to)
        .filter(counted())
    )


def _duration(end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F("created_at"), output_field=DurationField())


def _as_timedelta(value: Any) -> dt.timedelta | None:
    if value is None or isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(microseconds=float(value))  # SQLite averages microseconds


def case_kpis(
    user: Any,
    place: Place,
    date_from: dt.date,
    date_to: dt.date,
    *,
    period: str = "month",
    now: dt.datetime | None = None,
) -> CaseKpis:
    now = now or timezone.now()
    cases = kpi_cases(user, place, date_from, date_to)
    responded = Q(responded_at__isnull=False)
    done = Q(resolved_at__isnull=False)
    figures: dict[str, Any] = cases.aggregate(
        **{m.value: Count("pk", filter=measure_q(m, now) or None) for m in Measure},
        mean_response=Avg(_duration("responded_at"), filter=responded),
        mean_handling=Avg(_duration("resolved_at"), filter=done),
    )
    kpis = CaseKpis(place=place, date_from=date_from, date_to=date_to)
    for name, value in figures.items():
        if name.startswith("mean_"):
            value = _as_timedelta(value)
        setattr(kpis, name, value)
    resolved = cases.filter(done)
    kpis.person_times = (
        Case.persons.through.objects.filter(case__in=resolved.values("pk")).count()
        + resolved.filter(persons__isnull=True).count()
    )
    kpis.by_category = [
        dict(row)
        for row in cases.values("category__code", "category__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    ]
    kpis.by_source = _labelled(cases, "source", CaseSource)
    kpis.by_kind = _labelled(cases, "kind", CaseKind)
    kpis.by_status = _labelled(cases, "status", Status)
    trunc = TruncDay if period == "day" else TruncMonth
    rows = cases.annotate(p=trunc("created_at")).values("p").annotate(n=Count("pk")).order_by("p")
    for row in rows:
        start = row["p"].date() if isinstance(row["p"], dt.datetime) else row["p"]
        kpis.by_period.append(
            {"period": start, "period_end": _period_end(start, period), "n": row["n"]}
        )
    return kpis


# The 三率 page's reader of an area's figures. Counting the cases themselves is right and
# slow at county size (nine aggregates over every case of the subtree: 10 s for the demo
# county's leader on a loaded machine); apps.stats, which sits above, registers its reader of
# the case rollups (the same CaseKpis, the same definitions: `stats.selectors.case_figures`)
# when it loads (0.6 s on the same machine).
_area_readers: list[Callable[[Any, Place, dt.date, dt.date], CaseKpis]] = []


def use_area_reader(reader: Callable[[Any, Place, dt.date, dt.date], CaseKpis]) -> None:
    _area_readers[:] = [reader]


def area_kpis(user: Any, place: Place, date_from: dt.date, date_to: dt.date) -> CaseKpis:
    """The figures of the cases registered in `place`'s subtree in the period (the caller
    checked the place is in the user's scope)."""
    if _area_readers:
        return _area_readers[0](user, place, date_from, date_to)
    return case_kpis(user, place, date_from, date_to)


def _period_end(start: dt.date, period: str) -> dt.date:
    if period == "day":
        return start
    following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _labelled(cases: QuerySet[Case], name: str, enum: Any) -> list[dict[str, Any]]:
    rows = cases.values(name).annotate(n=Count("pk")).order_by("-n", name)
    return [{"code": r[name], "name": enum(r[name]).label, "n": r["n"]} for r in rows]
