"""Dispatch suggestions (派单建议): who could handle a case, ranked by a score anyone can
check, with the reasons in words.

Candidates:

* volunteers (在册) living in the case's community (or the handling unit, when larger) whose
  skills meet the category's `skill_codes`;
* party members holding a current 包联 duty on the case's household or a place above it;
* grid workers holding a current 网格员 duty on the case's grid;
* departments (职能部门), for county-level cases and categories.

Score, out of 100 (each part shown):

    match         40  skill / 包联 on the household / grid worker of the grid / default dept
    distance      20  haversine between the case's point and the candidate's place, full at
                      0 km, nothing from 5 km; without coordinates, tree distance (hops)
    load          20  open cases assigned to the account: full at 0, nothing from 5
    availability  10  the volunteer's weekly pattern at this moment, overridden by what other
                      apps know (`register_availability`: dated exceptions); 5 when not stated
    rating        10  satisfaction of the candidate's rated cases; 5 when none yet

A person is dispatched to through their account. A candidate person without an account that
may handle the case is still listed (the dispatcher may phone them) but marked
"无账号，需线下联系" and offers no dispatch button. Every read is a fixed number of queries,
whatever the number of candidates.
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from apps.duties.choices import DutyKind
from apps.duties.models import Duty
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.models import Skill
from apps.places.models import SEGMENT, Place, subtree_q
from apps.volunteers.choices import VolunteerStatus
from apps.volunteers.models import Volunteer

from . import rules
from .choices import OPEN_STATUSES, SATISFIED_RATINGS, Level
from .models import Case
from .notify import withdraw_intake_notice

WEIGHTS = {"match": 40, "distance": 20, "load": 20, "availability": 10, "rating": 10}
FAR_KM = 5.0
FAR_HOPS = 6
FULL_LOAD = 5
LIMIT = 20
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NO_ACCOUNT = "无账号，需线下联系"
OUT_OF_RANGE = "账号不能承办该事项（角色或管辖范围不符）"


class Kind:
    VOLUNTEER = "volunteer"
    BAOLIAN = "baolian"
    GRID_WORKER = "grid_worker"
    DEPARTMENT = "department"


KIND_LABELS = {
    Kind.VOLUNTEER: "志愿者",
    Kind.BAOLIAN: "包联党员",
    Kind.GRID_WORKER: "网格员",
    Kind.DEPARTMENT: "职能部门",
}


@dataclass
class Candidate:
    """One suggestion: who, why, the score and its parts, and what dispatching sends."""

    kind: str
    key: str
    name: str
    match: float
    match_text: str
    place: Place | None = None
    user: Any = None
    organisation: Organisation | None = None
    person: Any = None  # the registry's person (its masked phone; `do_reveal_person` for all)
    km: float | None = None
    hops: int | None = None
    open_load: int = 0
    available: bool | None = None
    rated: int = 0
    satisfied: int = 0
    parts: dict[str, float] = field(default_factory=dict)
    note: str = ""
    # Filled by the dispatch page: may the viewer reveal the person's phone, and the phone
    # once revealed (through `people.actions.do_reveal_person`, audited).
    may_reveal: bool = False
    phone: str | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def score(self) -> float:
        return round(sum(self.parts.values()), 1)

    @property
    def dispatchable(self) -> bool:
        return not self.note

    @property
    def data(self) -> dict[str, int]:
        """The `data` of do_transition("dispatch") that sends the case to this candidate."""
        if self.organisation is not None:
            return {"department": self.organisation.pk}
        return {"assignee": self.user.pk} if self.user is not None else {}

    @property
    def reasons(self) -> str:
        parts = [self.match_text]
        if self.km is not None:
            parts.append(f"距离 {self.km:.1f} 公里")
        elif self.hops is not None:
            parts.append(f"相隔 {self.hops} 级地点（无坐标）")
        parts.append(f"在办 {self.open_load} 件")
        if self.available is True:
            parts.append("现在可服务")
        elif self.available is False:
            parts.append("现在不在服务时间")
        if self.rated:
            parts.append(f"满意率 {round(100 * self.satisfied / self.rated)}%")
        else:
            parts.append("暂无评价")
        return "；".join(parts)


# --- the parts of the score (pure) --------------------------------------------------------


def haversine_km(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    radius = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def tree_hops(path_a: str, path_b: str) -> int:
    """Edges between two places of the tree: up to the common ancestor and down again."""
    a = [path_a[i : i + SEGMENT] for i in range(0, len(path_a), SEGMENT)]
    b = [path_b[i : i + SEGMENT] for i in range(0, len(path_b), SEGMENT)]
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return len(a) + len(b) - 2 * common


def available_at(pattern: Any, now: dt.datetime) -> bool | None:
    """Is `now` (local time) inside the weekly pattern {"sat": ["09:00-12:00"], …}? None when
    the pattern is empty or unreadable."""
    if not isinstance(pattern, dict) or not pattern:
        return None
    local = timezone.localtime(now)
    minute = local.hour * 60 + local.minute
    for span in pattern.get(WEEKDAYS[local.weekday()]) or []:
        try:
            start, end = (int(h) * 60 + int(m) for h, m in (t.split(":") for t in span.split("-")))
        except (ValueError, AttributeError):
            continue
        if start <= minute < end:
            return True
    return False


def point_of(case: Case) -> tuple[float, float] | None:
    if case.lng is not None and case.lat is not None:
        return case.lng, case.lat
    if case.place.lng is not None and case.place.lat is not None:
        return case.place.lng, case.place.lat
    return None


def score(candidate: Candidate, case_point: tuple[float, float] | None, case_path: str) -> None:
    """Fill in distance and the parts of the score."""
    place = candidate.place
    if place is not None:
        if case_point and place.lng is not None and place.lat is not None:
            candidate.km = haversine_km(case_point[0], case_point[1], place.lng, place.lat)
        else:
            candidate.hops = tree_hops(case_path, place.path)
    if candidate.km is not None:
        near = max(0.0, 1 - candidate.km / FAR_KM)
    elif candidate.hops is not None:
        near = max(0.0, 1 - candidate.hops / FAR_HOPS)
    else:
        near = 0.0
    available = {None: 0.5, True: 1.0, False: 0.0}[candidate.available]
    rating = candidate.satisfied / candidate.rated if candidate.rated else 0.5
    candidate.parts = {
        "match": WEIGHTS["match"] * candidate.match,
        "distance": WEIGHTS["distance"] * near,
        "load": WEIGHTS["load"] * max(0.0, 1 - candidate.open_load / FULL_LOAD),
        "availability": WEIGHTS["availability"] * available,
        "rating": WEIGHTS["rating"] * rating,
    }


# --- gathering candidates -----------------------------------------------------------------


def _volunteer_area(case: Case) -> Place:
    community = rules.unit_for(case.place, Level.COMMUNITY)
    if community is None or not case.handling_unit.path.startswith(community.path):
        return case.handling_unit
    return community


# What other apps know of a volunteer's time beyond the weekly pattern: each hook gets the
# candidate volunteers and the moment, and returns {volunteer id: available?} for those it
# knows about (apps.services registers its dated exceptions: 请假, 临时可服务).
AvailabilityHook = Callable[[list[Volunteer], dt.datetime], dict[int, bool]]
_availability_hooks: list[AvailabilityHook] = []


def register_availability(hook: AvailabilityHook) -> AvailabilityHook:
    if hook not in _availability_hooks:
        _availability_hooks.append(hook)
    return hook


def _known_availability(volunteers: list[Volunteer], now: dt.datetime) -> dict[int, bool]:
    known: dict[int, bool] = {}
    for hook in _availability_hooks:
        for pk, free in hook(volunteers, now).items():
            known[pk] = known.get(pk, True) and free  # "unavailable" from any hook wins
    return known


def _volunteers(case: Case, now: dt.datetime) -> list[tuple[Candidate, int]]:
    codes = list(case.category.skill_codes or [])
    if not codes:
        return []
    area = _volunteer_area(case)
    skills = dict(Skill.objects.filter(code__in=codes).values_list("pk", "name"))
    volunteers = list(
        Volunteer.objects.filter(
            subtree_q(area, "person__place"),
            status=VolunteerStatus.ACTIVE,
            person__active=True,
            skills__in=list(skills),
        )
        .distinct()
        .select_related("person", "person__place")
        .prefetch_related("skills")[:200]
    )
    known = _known_availability(volunteers, now) if volunteers else {}
    found = []
    for v in volunteers:
        names = [s.name for s in v.skills.all() if s.pk in skills]
        candidate = Candidate(
            kind=Kind.VOLUNTEER,
            key=f"p{v.person_id}",
            name=v.person.name,
            match=min(1.0, 0.75 + 0.25 * (len(names) - 1)),
            match_text=f"技能匹配：{'、'.join(names)}",
            place=v.person.place,
            person=v.person,
            available=known.get(v.pk, available_at(v.availability, now)),
        )
        found.append((candidate, v.person_id))
    return found


def _duty_holders(case: Case) -> list[tuple[Candidate, int]]:
    duties = (
        Duty.objects.current()
        .filter(
            kind__in=[DutyKind.BAOLIAN, DutyKind.GRID_WORKER],
            place__path__in=case.place.ancestor_paths(include_self=True),
            person__active=True,
        )
        .select_related("person", "person__place", "place")
        .order_by("-place__depth", "id")
    )
    found = []
    for duty in duties:
        if duty.kind == DutyKind.GRID_WORKER:
            kind, match, text = Kind.GRID_WORKER, 0.9, f"{duty.place.name}网格员"
        elif duty.place_id == case.place_id:
            kind, match, text = Kind.BAOLIAN, 1.0, "包联该户"
        else:
            kind, match, text = Kind.BAOLIAN, 0.75, f"包联{duty.place.name}"
        candidate = Candidate(
            kind=kind,
            key=f"p{duty.person_id}",
            name=duty.person.name,
            match=match,
            match_text=text,
            place=duty.person.place if duty.kind == DutyKind.BAOLIAN else duty.place,
            person=duty.person,
        )
        found.append((candidate, duty.person_id))
    return found


def _departments(case: Case) -> list[Candidate]:
    if Level.COUNTY not in (case.level, case.category.default_level):
        return []
    default = case.category.default_department_id or case.department_id
    departments = Organisation.objects.filter(kind=OrgKind.DEPARTMENT, active=True).select_related(
        "place"
    )
    departments = departments.filter(subtree_q(case.handling_unit) | Q(pk=default))[:LIMIT]
    return [
        Candidate(
            kind=Kind.DEPARTMENT,
            key=f"o{org.pk}",
            name=org.name,
            match=1.0 if org.pk == default else 0.25,
            match_text="该类事项的默认职能部门" if org.pk == default else "县级职能部门",
            place=org.place,
            organisation=org,
        )
        for org in departments
    ]


def _merge_people(found: list[tuple[Candidate, int]]) -> dict[int, Candidate]:
    """One candidate per person: the best match, with every reason."""
    by_person: dict[int, Candidate] = {}
    for candidate, person_id in found:
        kept = by_person.get(person_id)
        if kept is None:
            by_person[person_id] = candidate
        elif candidate.match_text not in kept.match_text:
            best, other = (candidate, kept) if candidate.match > kept.match else (kept, candidate)
            best.match_text = f"{best.match_text}；{other.match_text}"
            best.available = best.available if best.available is not None else other.available
            by_person[person_id] = best
    return by_person


def _attach_accounts(case: Case, by_person: dict[int, Candidate]) -> None:
    users = (
        get_user_model()
        .objects.filter(person_id__in=list(by_person), is_active=True)
        .select_related("scope")
        .order_by("id")
    )
    for user in users:
        candidate = by_person[user.person_id or 0]
        if candidate.user is None or (
            not rules.may_handle(candidate.user, case) and rules.may_handle(user, case)
        ):
            candidate.user = user
    for candidate in by_person.values():
        if candidate.user is None:
            candidate.note = NO_ACCOUNT
        elif not rules.may_handle(candidate.user, case):
            candidate.note = OUT_OF_RANGE


def _history(field: str, ids: list[int]) -> dict[int, dict[str, int]]:
    """Open load and ratings of the cases whose `field` is one of `ids`: one grouped query."""
    if not ids:
        return {}
    rows = (
        Case.objects.filter(**{f"{field}__in": ids})
        .values(field)
        .annotate(
            open_load=Count("pk", filter=Q(status__in=sorted(OPEN_STATUSES))),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count("pk", filter=Q(rating__in=sorted(SATISFIED_RATINGS))),
        )
    )
    return {row[field]: row for row in rows}


def _attach_history(people: list[Candidate], departments: list[Candidate]) -> None:
    by_user = _history("assignee", [c.user.pk for c in people if c.user is not None])
    by_org = _history("department", [c.organisation.pk for c in departments if c.organisation])
    for c in [*people, *departments]:
        owner = c.organisation or c.user
        row = (by_org if c.organisation else by_user).get(owner.pk) if owner else None
        if row:
            c.open_load, c.rated, c.satisfied = row["open_load"], row["rated"], row["satisfied"]


def suggest(case: Case, *, now: dt.datetime | None = None, limit: int = LIMIT) -> list[Candidate]:
    """The candidates for `case`, best first. `case` needs place, handling_unit and category
    loaded (as `access_case_for_user` does)."""
    now = now or timezone.now()
    by_person = _merge_people([*_volunteers(case, now), *_duty_holders(case)])
    _attach_accounts(case, by_person)
    people = list(by_person.values())
    departments = _departments(case)
    _attach_history(people, departments)
    case_point = point_of(case)
    candidates = [*people, *departments]
    for candidate in candidates:
        score(candidate, case_point, case.place.path)
    candidates.sort(key=lambda c: (-c.score, c.name))
    return candidates[:limit]


# --- 派单 by another app's routing rule (no dispatcher) ---------------------------------------

RULE_DISPATCHER = "系统（按规则派单）"


def route_for_claim(case: Case, *, note: str, unit: Place | None = None) -> Case:
    """派单 by a routing rule of another app, without a dispatcher (林长制: a forest event
    goes straight to its zone's chiefs and rangers). A case waiting for dispatch (已提交,
    已受理, 已上报, 已退回) becomes 已派单 with no assignee and `unit` as its handling unit (the
    case's place, or a place above it; default the place), so every handler whose scope holds
    the place (`rules.may_handle`) may 接单 and handle it. The routing is the case's 受理
    (`responded_at`), so the deadline monitor then watches the resolve deadline only.
    Written as every transition is: the locked row, the case events (受理 when the case was
    not yet accepted, then 派单, both by the rule), the rollups and the audit trail. Returns
    the case as stored."""
    from django.db import transaction

    from . import actions, rollups  # late: actions is the engine's writer, imported by many
    from .choices import Action, Status
    from .errors import IllegalTransition

    unit = unit or case.place
    if not case.place.path.startswith(unit.path):
        raise ValueError(f"{unit.name}不在事项地点之上，不能作为承办单位")
    waiting = {Status.SUBMITTED, Status.ACCEPTED, Status.ESCALATED, Status.RETURNED}
    with transaction.atomic():
        locked = actions._lock(Case.objects.filter(pk=case.pk))
        if locked.status not in waiting:
            raise IllegalTransition(
                f"该事项当前状态为“{Status(locked.status).label}”，不能按规则派单"
            )
        now = timezone.now()
        before = rollups.contribution(locked)
        from_status = locked.status
        locked.status, locked.assignee, locked.handling_unit = Status.DISPATCHED, None, unit
        locked.responded_at = locked.responded_at or now
        actions._SAVE_CHANGED.save(locked)
        if from_status in (Status.SUBMITTED, Status.ESCALATED):
            # 受理 then 派单, each a legal transition of the engine's table, as a dispatcher
            # would have done them (the timeline and the KPIs read them so)
            actions._event(
                locked,
                Action.ACCEPT,
                actor=RULE_DISPATCHER,
                from_status=from_status,
                to_status=Status.ACCEPTED,
                note=note,
                data={"rule": True},
                at=now,
            )
            from_status = Status.ACCEPTED
        actions._event(
            locked,
            Action.DISPATCH,
            actor=RULE_DISPATCHER,
            from_status=from_status,
            to_status=Status.DISPATCHED,
            note=note,
            data={"unit": unit.pk, "rule": True},
            at=now,
        )
        rollups.record_case_change(locked, before)
        withdraw_intake_notice(case)  # no "新事项待受理" for the dispatchers: it is accepted
    return locked
