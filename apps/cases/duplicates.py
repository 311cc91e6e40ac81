"""Possible duplicates (可能重复) and hot issues (热点诉求): cases close in place, time and text.

Retrieval first, by index: the same community's subtree (a path range) and a time window
(`created_at`), newest first, at most `POOL` rows; then the stored token sets are compared
(`similarity.text_similarity`). Nothing is segmented again.

A duplicate's score (0 … 1) = 0.6 × text + 0.25 × place + 0.15 × time, where place is 1 for
the same household or place, 0.8 the same unit or building (or within `CASES_DUPLICATE_METRES`,
default 300 m, of each other), 0.7 the same compound, 0.5 the same grid, 0.3 the same
community; time is 1 − days apart / `CASES_DUPLICATE_DAYS` (default 14). Offered when the text
similarity is at least `TEXT_FLOOR` and the score at least `CASES_DUPLICATE_THRESHOLD`
(default 0.45).

A hot issue is a cluster of at least `min_cases` cases of one community in the period,
linked when their texts are similar (≥ `HOT_TEXT`) or they share the category and the grid
(single linkage); the newest `HOT_PER_COMMUNITY` cases of a community are compared pairwise.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from apps.core.compiled import INT_MARKER, CompiledQuery, datetime_marker, str_markers
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q
from apps.places.paths import ancestor_paths, path_upper

from . import similarity
from .choices import OPEN_STATUSES, WITHDRAWN_STATUSES
from .dispatch import haversine_km, point_of
from .models import Case

POOL = 300
# What the comparison and the answer read of a pooled case (up to POOL rows per intake).
POOL_FIELDS = (
    "id",
    "title",
    "description",
    "tokens",
    "status",
    "created_at",
    "lng",
    "lat",
    "place__id",
    "place__path",
    "place__kind",
    "place__lng",
    "place__lat",
)


class _Pooled(NamedTuple):
    """One pooled case as read (`POOL_FIELDS`, in order)."""

    id: int
    title: str
    description: str
    tokens: str
    status: str
    created_at: dt.datetime
    lng: float | None
    lat: float | None
    place_id: int
    place_path: str
    place_kind: str
    place_lng: float | None
    place_lat: float | None

    def point(self) -> tuple[float, float] | None:
        if self.lng is not None and self.lat is not None:
            return self.lng, self.lat
        if self.place_lng is not None and self.place_lat is not None:
            return self.place_lng, self.place_lat
        return None


TEXT_FLOOR = 0.2
HOT_TEXT = 0.3
HOT_POOL = 3000
HOT_PER_COMMUNITY = 400  # pairwise comparison: at most 80,000 pairs per community
SHOWN = 5
PLACE_CLOSENESS: dict[str, float] = {
    PlaceKind.HOUSEHOLD: 1.0,
    PlaceKind.UNIT: 0.8,
    PlaceKind.BUILDING: 0.8,
    PlaceKind.COMPOUND: 0.7,
    PlaceKind.GRID: 0.5,
    PlaceKind.COMMUNITY: 0.3,
}
PLACE_WORDS = {
    1.0: "同一户/地点",
    0.8: "同一楼栋",
    0.7: "同一小区",
    0.5: "同一网格",
    0.3: "同一社区",
}


def features(case: Case) -> frozenset[str]:
    """The stored token set; older rows without tokens are segmented on the fly."""
    stored = case.tokens or similarity.token_text(case.title, case.description)
    return similarity.feature_set(stored)


def _community_of(place: Place, ancestors: list[Place]) -> Place:
    communities = [p for p in ancestors if p.kind == PlaceKind.COMMUNITY]
    return communities[-1] if communities else place


@dataclass
class Duplicate:
    """An open case that may be the same matter as the one in hand."""

    case: Case
    score: float
    text: float
    place_words: str
    days: float

    @property
    def reasons(self) -> str:
        return f"文本相似 {round(100 * self.text)}%；{self.place_words}；相隔 {self.days:.0f} 天"


def _closeness(
    ancestors: list[Place],
    other: "_Pooled",
    case: Case,
    here: tuple[float, float] | None,
    metres: float,
) -> float:
    """How close `other` is to `case` in the place tree (ancestors: case.place and above,
    shallowest first), raised when their points (`here` is the case's) lie within `metres`."""
    closeness = 0.0
    other_path = other.place_path
    for node in ancestors:
        if other_path.startswith(node.path):
            if node.pk == case.place_id and other.place_id == case.place_id:
                closeness = 1.0
            else:
                closeness = max(closeness, PLACE_CLOSENESS.get(node.kind, 0.0))
    there = other.point()
    if here and there and closeness < 0.8 and haversine_km(*here, *there) * 1000 <= metres:
        closeness = 0.8
    return closeness


def _place_words(closeness: float, case: Case, other: "_Pooled") -> str:
    if closeness == 1.0 or case.place_id == other.place_id:
        return PLACE_WORDS[1.0]
    return PLACE_WORDS.get(closeness, "附近")


def _ancestors(place: Place) -> list[Place]:
    """`place.ancestors()` and `place`, shallowest first: id, path, kind and point only, in one
    plain query (the paths are known from `place.path`)."""
    paths = ancestor_paths(place.path)
    if not paths:
        return [place]
    sql = _ANCESTORS.get(len(paths))
    if sql is None:
        table = Place._meta.db_table
        marks = ", ".join(["%s"] * len(paths))
        sql = _ANCESTORS[len(paths)] = (
            f"SELECT id, path, kind FROM {table} WHERE path IN ({marks}) ORDER BY path"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, paths)
        rows = cursor.fetchall()
    found = [_instance(Place, "default", {"id": i, "path": p, "kind": k}) for i, p, k in rows]
    return [*found, place]


def _instance(model: Any, db: str | None, values: dict[str, Any]) -> Any:
    """A model instance with only `values` loaded (by attname; the rest deferred): `from_db`
    wants them in the order of the model's concrete fields."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[n] for n in names])


_ANCESTORS: dict[int, str] = {}


def _pooled(source: QuerySet[Case], lo: Any, hi: Any, since: Any, until: Any, pk: Any) -> Any:
    """The pool's query: open cases of the subtree [lo, hi) registered in [since, until],
    but `pk`, newest first, at most `POOL`, as `POOL_FIELDS` rows."""
    return (
        source.filter(place__path__gte=lo, place__path__lt=hi, status__in=sorted(OPEN_STATUSES))
        .filter(created_at__gte=since, created_at__lte=until)
        .exclude(pk=pk)
        .order_by("-created_at")
        .values_list(*POOL_FIELDS)[:POOL]
    )


# The pool of a viewer who sees the whole community (every staff member of it and above):
# the same SQL for every registration but for five values, compiled once per process.
_POOL = CompiledQuery(
    lambda lo, hi, since, until, pk: _pooled(Case.objects.all(), lo, hi, since, until, pk),
    (*str_markers(2), datetime_marker(0), datetime_marker(1), INT_MARKER),
)


def possible_duplicates(
    case: Case,
    pool: QuerySet[Case] | Callable[[], QuerySet[Case]],
    *,
    covers: Callable[[Place], bool] | None = None,
) -> list[Duplicate]:
    """Open cases of `pool` (already scoped to what the viewer may see; a queryset or a
    function that makes it) that may be the same matter as `case`, best first. `case` needs
    its place loaded. `covers(area)` says whether the viewer sees all of the community's
    subtree (`pool`'s scope holds it): the scope's filter is then left out of the query, the
    same rows for less planning, and the query is the compiled `_POOL`.

    The pool is read as plain rows (up to `POOL`); only the few cases offered become model
    instances (id, title, status, registration time: what the answer shows)."""
    days = float(settings.CASES_DUPLICATE_DAYS)
    metres = float(settings.CASES_DUPLICATE_METRES)
    threshold = float(settings.CASES_DUPLICATE_THRESHOLD)
    ancestors = _ancestors(case.place)
    area = _community_of(case.place, ancestors)
    window = dt.timedelta(days=days)
    created = case.created_at
    bounds = (area.path, path_upper(area.path), created - window, created + window, case.pk)
    using = "default"
    if covers is not None and covers(area):
        rows: Iterable[Any] = _POOL.rows(*bounds)
    else:
        source = pool() if callable(pool) else pool
        using = source.db
        rows = _pooled(source, *bounds)
    mine = features(case)
    here = point_of(case)
    found = []
    for row in rows:
        other = _Pooled(*row)
        stored = other.tokens or similarity.token_text(other.title, other.description)
        text = similarity.text_similarity(mine, similarity.feature_set(stored))
        if text < TEXT_FLOOR:
            continue
        closeness = _closeness(ancestors, other, case, here, metres)
        apart = abs((created - other.created_at).total_seconds()) / 86400
        recency = max(0.0, 1 - apart / days)
        total = 0.6 * text + 0.25 * closeness + 0.15 * recency
        if total >= threshold:
            words = _place_words(closeness, case, other)
            shown = _instance(
                Case,
                using,
                {
                    "id": other.id,
                    "title": other.title,
                    "status": other.status,
                    "created_at": other.created_at,
                    "place_id": other.place_id,
                },
            )
            found.append(Duplicate(shown, round(total, 3), text, words, apart))
    found.sort(key=lambda d: (-d.score, -d.case.pk))
    return found[:SHOWN]


# --- hot issues ---------------------------------------------------------------------------


@dataclass
class HotIssue:
    """A cluster of similar cases in one community: a candidate for the next meeting."""

    area: Place
    cases: list[Case]
    keywords: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.cases)

    @property
    def open_count(self) -> int:
        return sum(1 for c in self.cases if c.status in OPEN_STATUSES)

    @property
    def first_at(self) -> dt.datetime:
        return min(c.created_at for c in self.cases)

    @property
    def last_at(self) -> dt.datetime:
        return max(c.created_at for c in self.cases)

    @property
    def categories(self) -> list[str]:
        counts: dict[str, int] = {}
        for c in self.cases:
            counts[c.category.name] = counts.get(c.category.name, 0) + 1
        return sorted(counts, key=lambda n: (-counts[n], n))

    @property
    def title(self) -> str:
        return "、".join(self.keywords[:3]) or self.categories[0]


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _clusters(rows: list[Case], grids: list[str | None], sets: list[frozenset[str]]) -> list[int]:
    parent = list(range(len(rows)))
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            same_kind = rows[i].category_id == rows[j].category_id and grids[i] == grids[j]
            if same_kind or similarity.text_similarity(sets[i], sets[j]) >= HOT_TEXT:
                parent[_find(parent, i)] = _find(parent, j)
    return [_find(parent, i) for i in range(len(rows))]


def _areas(rows: Iterable[Case]) -> dict[str, Place]:
    """Communities and grids of the rows, by path: one query."""
    wanted = {p for c in rows for p in ancestor_paths(c.place.path, include_self=True)}
    nodes = Place.objects.filter(
        kind__in=[PlaceKind.COMMUNITY, PlaceKind.GRID], path__in=sorted(wanted)
    )
    return {p.path: p for p in nodes}


def hot_issues(
    cases: QuerySet[Case], place: Place, since: dt.datetime, *, min_cases: int = 3
) -> list[HotIssue]:
    """Clusters of at least `min_cases` similar cases registered since `since` in one
    community of `place`'s subtree (`cases` is already scoped), biggest and latest first."""
    rows = list(
        cases.filter(subtree_q(place), created_at__gte=since)
        .exclude(status__in=sorted(WITHDRAWN_STATUSES))
        .select_related("place", "category")
        .order_by("-created_at")[:HOT_POOL]
    )
    areas = _areas(rows)
    by_community: dict[int, tuple[Place, list[Case]]] = {}
    for case in rows:
        nodes = [areas[p] for p in ancestor_paths(case.place.path, include_self=True) if p in areas]
        community = next((n for n in nodes if n.kind == PlaceKind.COMMUNITY), None)
        if community is None:
            continue
        grid = next((n.path for n in nodes if n.kind == PlaceKind.GRID), None)
        case.grid_path = grid  # type: ignore[attr-defined]
        by_community.setdefault(community.pk, (community, []))[1].append(case)
    issues = []
    for community, members in by_community.values():
        if len(members) < min_cases:
            continue
        members = members[:HOT_PER_COMMUNITY]
        sets = [features(c) for c in members]
        roots = _clusters(members, [getattr(c, "grid_path", None) for c in members], sets)
        groups: dict[int, list[int]] = {}
        for index, root in enumerate(roots):
            groups.setdefault(root, []).append(index)
        for indexes in groups.values():
            if len(indexes) >= min_cases:
                issue_cases = sorted((members[i] for i in indexes), key=lambda c: -c.pk)
                keywords = similarity.shared_words([sets[i] for i in indexes])
                issues.append(HotIssue(community, issue_cases, keywords))
    issues.sort(key=lambda h: (-h.size, -h.last_at.timestamp()))
    return issues
