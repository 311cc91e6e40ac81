"""Reads of the resident pages: the catalogue to pick from, places to pick, and a case's
timeline with public labels only (no staff names, notes or other people's data)."""

import heapq
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from apps.cases.choices import Action, Status
from apps.cases.models import Case, CaseAttachment, CaseEvent, Category
from apps.cases.selectors import case_events, public_categories
from apps.open311 import locate
from apps.places import geometry
from apps.places.choices import SPECIAL, PlaceKind
from apps.places.models import SEGMENT, Place, subtree_q, subtrees_q

SEARCH_LIMIT = 20
# Statuses in which a result exists to show (and, while resolved, to rate).
RESULT_STATUSES = {Status.RESOLVED, Status.EVALUATED, Status.CLOSED}
# Steps a resident sees; internal ones (attachments by staff, extension requests …) are left out.
PUBLIC_ACTIONS = {
    Action.SUBMIT: "已提交，等待受理",
    Action.ACCEPT: "已受理",
    Action.DISPATCH: "已派给办理人员",
    Action.CLAIM: "办理人员已接单",
    Action.START: "正在办理",
    Action.RESOLVE: "已办结，请评价",
    Action.RETURN: "重新安排办理人员",
    Action.ESCALATE: "已转上级单位办理",
    Action.APPROVE_EXTENSION: "办理时限已延长",
    Action.SUPERVISE: "已列入督办",
    Action.RATE: "您已评价",
    Action.REOPEN: "您不满意，已重新办理",
    Action.CLOSE: "已归档",
    Action.MERGE: "与他人反映的同一问题合并办理",
    Action.CANCEL: "已撤销",
}


@dataclass
class Step:
    at: datetime
    text: str
    status: str


def portal_categories() -> QuerySet[Category]:
    return public_categories().order_by("sort", "code")


def portal_category(code: str) -> Category | None:
    return portal_categories().filter(code=code).first()


def place_from_code(code: str) -> Place | None:
    """The place of a sticker's QR code (households, buildings …; not a town or county)."""
    if not code:
        return None
    return (
        Place.objects.filter(code=code.strip())
        .exclude(kind__in=[PlaceKind.COUNTY, PlaceKind.TOWN])
        .first()
    )


# A token of the place search: a number with what it numbers ("6栋", "2单元", "201室", "12号",
# "6"), or any other text (a compound's, village's or station's name, a road).
NUMBER_RE = re.compile(r"^(\d+)(栋|幢|号楼|楼|单元|室|号|户)?$")
SPLIT_RE = re.compile(r"\d+(?:栋|幢|号楼|单元|室|号|户|楼)?|[^\d\s,，、·/-]+")
NUMBER_KINDS: dict[str, tuple[str, ...]] = {
    "栋": (PlaceKind.BUILDING,),
    "幢": (PlaceKind.BUILDING,),
    "号楼": (PlaceKind.BUILDING,),
    "楼": (PlaceKind.BUILDING,),
    "单元": (PlaceKind.UNIT,),
    "室": (PlaceKind.HOUSEHOLD,),
    "户": (PlaceKind.HOUSEHOLD,),
    "号": (PlaceKind.HOUSEHOLD, PlaceKind.BUILDING),
    "": (PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.HOUSEHOLD),
}
# What a resident picks: places from a compound down, the special places, villages' houses;
# never the county, a town or a grid (whose names are made from their community's).
RESULT_KINDS = (
    PlaceKind.COMMUNITY,
    PlaceKind.COMPOUND,
    PlaceKind.BUILDING,
    PlaceKind.UNIT,
    PlaceKind.HOUSEHOLD,
    *sorted(SPECIAL),
)
KIND_RANK: dict[str, int] = {
    PlaceKind.COMPOUND: 0,
    PlaceKind.BUILDING: 1,
    PlaceKind.UNIT: 2,
    PlaceKind.HOUSEHOLD: 3,
    PlaceKind.COMMUNITY: 5,
}
# Kinds a name (not a number) is looked for in first: a handful of thousands, not every house.
NAMED_KINDS = (
    PlaceKind.COMMUNITY,
    PlaceKind.GRID,
    PlaceKind.COMPOUND,
    PlaceKind.BUILDING,
    *sorted(SPECIAL),
)
SHORT_PATH_KINDS = {PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.HOUSEHOLD}
NARROW_LIMIT = 50  # places whose subtrees a later number is looked for in, at most
MATCH_CAP = 20_000  # rows read per token; a token matching more narrows nothing anyway


@dataclass
class PlaceHit:
    """One search result: the place, its short path ("康乐雅苑 1栋 2单元") and where it lies
    ("城岭街道 · 康乐社区")."""

    place: Place
    short_path: str
    area: str


@dataclass
class _Row:
    pk: int
    path: str
    kind: str
    name: str

    @property
    def lineage(self) -> set[int]:
        return {int(self.path[i : i + SEGMENT]) for i in range(0, len(self.path), SEGMENT)}


def search_tokens(text: str) -> list[str]:
    """ "康乐雅苑6栋 2单元" → ["康乐雅苑", "6栋", "2单元"] (numbers split from names)."""
    return SPLIT_RE.findall((text or "").strip())[:6]


def numbers_only(tokens: list[str]) -> bool:
    """ "1栋 201" names a room in every compound of the county: it needs a community or a
    compound's name to mean anything."""
    return all(NUMBER_RE.match(t) for t in tokens)


def _token_order(token: str) -> int:
    """Names first (they narrow most), then buildings, units and rooms, top down."""
    number = NUMBER_RE.match(token)
    if number is None:
        return 0
    return {"栋": 1, "幢": 1, "号楼": 1, "楼": 1, "单元": 2, "": 3}.get(number.group(2) or "", 4)


def _number_match(name: str, number: str) -> bool:
    return re.search(rf"(?<!\d){number}(?!\d)", name) is not None


def _token_rows(scope: QuerySet[Place], token: str, within: list[str]) -> list[_Row]:
    """Places of `scope` that `token` names; numbers are matched whole ("1栋" is not "11栋")."""
    qs = scope
    if within:
        qs = qs.filter(subtrees_q(within, ""))
    number = NUMBER_RE.match(token)
    if number:
        digits, suffix = number.group(1).lstrip("0") or "0", number.group(2) or ""
        qs = qs.filter(kind__in=NUMBER_KINDS[suffix], name__contains=digits)
    else:
        text = Q(name__icontains=token) | Q(kind=PlaceKind.COMPOUND, address__icontains=token)
        rows = _rows(qs.filter(text, kind__in=NAMED_KINDS))
        # Village houses are named after their group (大屋组12号): read the many houses only
        # when no named place matched.
        return rows or _rows(qs.filter(text, kind=PlaceKind.HOUSEHOLD))
    rows = _rows(qs)
    if number:
        rows = [r for r in rows if _number_match(r.name, digits)]
    return rows


def _rows(qs: QuerySet[Place]) -> list[_Row]:
    return [_Row(*r) for r in qs.values_list("pk", "path", "kind", "name")[:MATCH_CAP]]


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def place_search(community_id: int | None, text: str, limit: int = SEARCH_LIMIT) -> list[PlaceHit]:
    """Places whose own name and their ancestors' names hold every token of `text`, in any
    order: "1栋 康乐雅苑", "康乐雅苑6栋2单元", "三组 12号". Within the chosen community, or the
    whole county when none is chosen. Each token is one query (text tokens first, then the
    numbers only inside what the text found); the result is the deepest places the tokens
    name, compounds before buildings before rooms, then in natural order."""
    tokens = search_tokens(text)
    if not tokens or (not community_id and numbers_only(tokens)):
        return []
    scope = Place.objects.exclude(kind__in=[PlaceKind.COUNTY, PlaceKind.TOWN])
    if community_id:
        community = Place.objects.filter(pk=community_id, kind=PlaceKind.COMMUNITY).first()
        if community is None:
            return []
        scope = scope.filter(subtree_q(community, ""))
    tokens.sort(key=_token_order)
    matched: list[list[_Row]] = []
    for token in tokens:
        # A number names something below what the tokens before it found (a building of the
        # compound, a room of the building): look only there when that is a short list.
        smallest = min(matched, key=len, default=[])
        number = NUMBER_RE.match(token)
        if number and smallest and all(r.kind == PlaceKind.HOUSEHOLD for r in smallest):
            # Houses named by their village group (大屋组12号) are leaves: the number can only
            # be in their own names, so no query over every house of the county.
            digits = number.group(1).lstrip("0") or "0"
            rows = [r for r in smallest if _number_match(r.name, digits)]
        else:
            narrow = number and 0 < len(smallest) <= NARROW_LIMIT
            rows = _token_rows(scope, token, [r.path for r in smallest] if narrow else [])
        if not rows:
            return []
        matched.append(rows)
    id_sets = [{r.pk for r in rows} for rows in matched]
    pool = {r.pk: r for rows in matched for r in rows if r.kind in RESULT_KINDS}
    hits = [r for r in pool.values() if all(r.lineage & ids for ids in id_sets)]
    return _with_paths(_ranked(hits, tokens, limit))


def _ranked(rows: list[_Row], tokens: list[str], limit: int) -> list[_Row]:
    def key(row: _Row) -> tuple[Any, ...]:
        own = sum(1 for t in tokens if t == row.name or row.name.startswith(t))
        return (KIND_RANK.get(row.kind, 4), -own, _natural(row.name), row.path)

    return heapq.nsmallest(limit, rows, key=key)


def _with_paths(rows: list[_Row]) -> list[PlaceHit]:
    """The short path and area of each row: one query for all their ancestors."""
    ids = set().union(*(r.lineage for r in rows)) if rows else set()
    names = {p.pk: p for p in Place.objects.filter(pk__in=ids).only("pk", "kind", "name", "path")}
    hits = []
    for row in rows:
        chain = [names[i] for i in sorted(row.lineage, key=lambda i: names[i].path) if i in names]
        below = [p.name for p in chain if p.kind in SHORT_PATH_KINDS or p.kind in SPECIAL]
        community = next((p for p in chain if p.kind == PlaceKind.COMMUNITY), None)
        town = next((p for p in chain if p.kind == PlaceKind.TOWN), None)
        if not any(p.kind == PlaceKind.COMPOUND for p in chain) and community is not None:
            below = [community.name, *[n for n in below if n != community.name]]
        area = " · ".join(p.name for p in (town, community) if p is not None)
        hits.append(PlaceHit(names[row.pk], " ".join(below) or names[row.pk].name, area))
    return hits


NEAREST_COMPOUNDS = 3
NEAREST_RADIUS_M = 1_000


@dataclass
class Located:
    """Where a phone's position lies: the areas whose boundaries hold it (town, community,
    grid) and the nearest compounds of the community with their distance in metres."""

    areas: list[Place]
    compounds: list[tuple[Place, int]]

    def area_of(self, kind: str) -> Place | None:
        return next((p for p in self.areas if p.kind == kind), None)

    @property
    def community(self) -> Place | None:
        return self.area_of(PlaceKind.COMMUNITY)

    @property
    def deepest(self) -> Place | None:
        return self.areas[-1] if self.areas else None


def locate_point(lat: float, lng: float) -> Located:
    """The community and grid that hold the point (by their boundaries), and the compounds of
    that community nearest to it (within NEAREST_RADIUS_M)."""
    root = Place.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None or not locate.valid_point(lat, lng):
        return Located([], [])
    areas = geometry.areas_containing(root, lat, lng)
    located = Located(areas, [])
    community = located.community
    if community is None:
        return located
    compounds = Place.objects.subtree(community).filter(
        kind=PlaceKind.COMPOUND, lat__isnull=False, lng__isnull=False
    )
    near = sorted(
        (round(locate.distance_m(lat, lng, c.lat, c.lng)), c.path, c)
        for c in compounds.only("pk", "name", "path", "lat", "lng", "kind")
    )
    located.compounds = [(c, d) for d, _, c in near[:NEAREST_COMPOUNDS] if d <= NEAREST_RADIUS_M]
    return located


def public_timeline(case: Case) -> list[Step]:
    steps = []
    for event in case_events(case):
        text = PUBLIC_ACTIONS.get(Action(event.action))
        if text:
            status = Status(event.to_status).label if event.to_status else ""
            steps.append(Step(at=event.at, text=text, status=status))
    return steps


@dataclass
class ResidentView:
    """What the resident sees of their case besides the steps: their own words and photos,
    and — once it is resolved — the handler's note and after-photos. No staff names, no
    internal notes, nothing of other residents."""

    description: str
    landmark: str
    photos: list[CaseAttachment]
    result_note: str
    result_at: datetime | None
    result_photos: list[CaseAttachment]

    @property
    def has_result(self) -> bool:
        return bool(self.result_note or self.result_photos)


def resident_view(case: Case) -> ResidentView:
    """Two queries: the submit and resolve events, and their photos."""
    events = list(
        case.events.filter(action__in=[Action.SUBMIT, Action.RESOLVE])
        .select_related("actor")
        .prefetch_related("attachments")
        .order_by("at", "id")
    )
    submitted = next((e for e in events if e.action == Action.SUBMIT), None)
    resolved = None
    if case.status in RESULT_STATUSES:
        resolved = next((e for e in reversed(events) if e.action == Action.RESOLVE), None)
    return ResidentView(
        description=case.description,
        landmark=case.landmark,
        photos=list(submitted.attachments.all()) if submitted else [],
        result_note=_without_staff_names(resolved) if resolved else "",
        result_at=resolved.at if resolved else None,
        result_photos=list(resolved.attachments.all()) if resolved else [],
    )


def _without_staff_names(event: CaseEvent) -> str:
    """The handler's note for the resident, with the handler's own names (account and
    display name) replaced by "办理人员": residents see what was done, not who on the staff."""
    note = event.note
    actor = event.actor
    names = {event.actor_label}
    if actor is not None:
        names |= {actor.get_username(), getattr(actor, "display_name", "")}
    for name in sorted((n for n in names if n and len(n) >= 2), key=len, reverse=True):
        note = note.replace(name, "办理人员")
    return note


CASE_NUMBER_RE = re.compile(r"^(?:SX)?0*(\d{1,10})$")


def case_by_number_and_phone(number: str, last_four: str) -> Case | None:
    """The case with this number (SX00000042, or 42) whose reporter's phone ends in
    `last_four`; None for any mismatch, without saying which part was wrong."""
    found = CASE_NUMBER_RE.match((number or "").strip().upper())
    last_four = (last_four or "").strip()
    if found is None or not re.fullmatch(r"\d{4}", last_four):
        return None
    case = (
        Case.objects.filter(pk=int(found.group(1)))
        .only("pk", "reporter_phone_masked", "tracking_token")
        .first()
    )
    masked = case.reporter_phone_masked if case is not None else ""
    if len(masked) < 4 or not hmac.compare_digest(masked[-4:], last_four):
        return None
    return case
