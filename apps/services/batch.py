"""Batch dispatch (一键派单): propose the optimal assignment of an area's open service orders
to its volunteers, with reasons, and confirm it through the case engine's dispatch action.

Open orders: cases of kind 点单 inside the area whose status allows 派单 (已受理, 已退单 — the
sources of the dispatch transition; an order already dispatched to nobody (抢单) is left to be
claimed). Volunteers: 在册 volunteers living in the area with an active account of a handling
role that the case engine would accept as the handler (`rules.may_handle`).

The order's time is `attributes["service_at"]` (ISO date-time) when the resident asked for
one, otherwise the moment of the batch. Required skills are the category's `skill_codes`;
required certificates are `attributes["certificates"]` (names, e.g. ["持证社工"]) matched
against the volunteer's `certificates` list. A volunteer with no weekly pattern is taken as
available (not stated). Exceptions (AvailabilityException: a date unavailable, whole day or
some hours, or extra hours) override the weekly pattern here, in services' own candidate
filtering (`is_available`); `cases.dispatch.available_at` itself knows only the pattern. The
solver itself is `solver.py`.

Confirming runs every pair in ONE transaction: if any order cannot be dispatched (it moved on,
or the volunteer may no longer handle it), nothing is dispatched and the page names the order,
so staff re-run the proposal on fresh data.
"""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.models import User
from apps.accounts.permissions import Cap, roles_with
from apps.cases import rules
from apps.cases.actions import do_transition
from apps.cases.choices import OPEN_STATUSES, TRANSITIONS, Action, CaseKind, Status
from apps.cases.dispatch import available_at, point_of
from apps.cases.errors import CaseError
from apps.cases.models import Case
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.places.models import Place, subtree_q
from apps.volunteers.choices import ExceptionKind, VolunteerStatus
from apps.volunteers.models import AvailabilityException, Volunteer

from .solver import KM_PER_DEG_LAT, Problem, Weights, candidate_pairs, solve

DEFAULT_K = 3
DEFAULT_RADIUS_KM = 5.0
DISPATCHABLE = TRANSITIONS[Action.DISPATCH].sources


@dataclass
class ProposedPair:
    case: Case
    volunteer: Volunteer
    user: Any
    km: float
    cost: float
    reasons: str


@dataclass
class Unassigned:
    case: Case
    reason: str


@dataclass
class Proposal:
    area: Place
    pairs: list[ProposedPair]
    unassigned: list[Unassigned]
    volunteers: int
    total_cost: float
    considered: "Considered | None" = None


@dataclass
class Considered:
    """What a batch looked at, so that the page can say why nothing (or little) matched: the
    area's service orders by status and its volunteers step by step (在册 → with an account
    the engine may dispatch to → with a skill the orders need → free today)."""

    area: Place
    ready: int  # 点单 waiting for 派单 (the sources of the dispatch transition)
    other_open: list[tuple[str, int]]  # the other open 点单: (status label, count)
    volunteers: int  # 在册, living in the area
    with_account: int
    with_skill: int | None  # None: no order waits, or no order needs a skill
    on_leave: int  # an "unavailable" exception covers the moment
    in_radius: int  # with an account, inside the orders' box plus the radius

    def sentences(self) -> list[str]:
        ready_statuses = "、".join(Status(s).label for s in sorted(DISPATCHABLE))
        orders = f"考虑了{self.area.name}内待派单的点单 {self.ready} 件（状态为{ready_statuses}）"
        if self.other_open:
            others = "、".join(f"{label} {n} 件" for label, n in self.other_open)
            orders += f"；另有未办结点单 {others}，不在本次派单范围（待受理的请先受理）"
        out = [orders + "。"]
        people = f"志愿者：在册 {self.volunteers} 人，其中有可接单账号 {self.with_account} 人"
        if self.with_skill is not None:
            people += f"，具备所需技能 {self.with_skill} 人"
        people += f"，今天请假 {self.on_leave} 人，服务半径内参与匹配 {self.in_radius} 人。"
        out.append(people)
        if self.ready == 0:
            out.append("没有待派单的点单，所以本次派出 0 件。")
        elif self.with_account == 0:
            out.append(
                "没有一位志愿者开通了可接单的账号，系统无法派单：请在事项的派单建议中查看电话"
                "线下联系，或为志愿者开通账号。"
            )
        elif self.with_skill == 0:
            out.append("有账号的志愿者都不具备这些点单所需的技能。")
        elif self.in_radius == 0:
            out.append("有账号的志愿者都不在点单的服务半径内，可放大服务半径再试。")
        return out


def open_orders(area: Place) -> list[Case]:
    return list(
        Case.objects.filter(
            subtree_q(area), kind=CaseKind.SERVICE_ORDER, status__in=sorted(DISPATCHABLE)
        )
        .select_related("place", "handling_unit", "category")
        .order_by("id")
    )


def service_time(case: Case, now: dt.datetime) -> dt.datetime:
    raw = (case.attributes or {}).get("service_at")
    when = parse_datetime(raw) if isinstance(raw, str) else None
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when or now


def _bbox(points: list[tuple[float, float]], radius_km: float) -> Q:
    lngs = [p[0] for p in points]
    lats = [p[1] for p in points]
    dlat = radius_km / KM_PER_DEG_LAT
    widest = max(abs(min(lats)), abs(max(lats))) + dlat
    dlng = radius_km / (KM_PER_DEG_LAT * max(math.cos(math.radians(widest)), 0.01))
    return Q(
        person__place__lng__gte=min(lngs) - dlng,
        person__place__lng__lte=max(lngs) + dlng,
        person__place__lat__gte=min(lats) - dlat,
        person__place__lat__lte=max(lats) + dlat,
    )


def _volunteers(area: Place, points: list[tuple[float, float]], radius_km: float):
    """(volunteer, user) pairs in the area, inside the orders' bounding box plus the radius."""
    qs = (
        Volunteer.objects.filter(
            subtree_q(area, "person__place"),
            _bbox(points, radius_km),
            status=VolunteerStatus.ACTIVE,
            person__active=True,
        )
        .select_related("person__place")
        .prefetch_related("skills")
        .order_by("id")
    )
    volunteers = list(qs)
    by_person = _accounts([v.person_id for v in volunteers])
    return [(v, by_person[v.person_id]) for v in volunteers if v.person_id in by_person]


def _accounts(person_ids: list[int]) -> dict[int, Any]:
    """person id → the first active account of a handling role (who may be dispatched to)."""
    users = (
        get_user_model()
        .objects.filter(
            person_id__in=person_ids,
            is_active=True,
            role__in=sorted(roles_with(Cap.CASES_HANDLE)),
        )
        .select_related("scope")
        .order_by("id")
    )
    by_person: dict[int, Any] = {}
    for user in users:
        by_person.setdefault(user.person_id or 0, user)
    return by_person


def _bits(codes: list[str], index: dict[str, int]) -> int:
    return sum(1 << index[c] for c in set(codes) if c in index)


def _certificate_names(volunteer: Volunteer) -> list[str]:
    certs = volunteer.certificates if isinstance(volunteer.certificates, list) else []
    return [str(c.get("name", "")) for c in certs if isinstance(c, dict)]


def _load(users: list[Any]) -> dict[int, int]:
    rows = (
        Case.objects.filter(assignee__in=users, status__in=sorted(OPEN_STATUSES))
        .values("assignee")
        .annotate(n=Count("pk"))
    )
    return {row["assignee"]: row["n"] for row in rows}


def _served_before(orders: list[Case], users: list[Any]) -> set[tuple[int, int]]:
    """(household place id, user id) pairs: the user handled an earlier order of the place."""
    rows = Case.objects.filter(
        kind=CaseKind.SERVICE_ORDER,
        place_id__in={c.place_id for c in orders},
        assignee__in=users,
    ).values_list("place_id", "assignee_id")
    return {(p, u) for p, u in rows}


def build_problem(
    orders: list[Case],
    people: list[tuple[Volunteer, Any]],
    *,
    now: dt.datetime,
    k: int,
    radius_km: float,
    weights: Weights,
) -> Problem:
    codes = sorted({c for o in orders for c in (o.category.skill_codes or [])})
    skill_bit = {c: b for b, c in enumerate(codes[:62])}
    cert_names = sorted(
        {str(n) for o in orders for n in (o.attributes or {}).get("certificates", [])}
    )
    cert_bit = {c: b for b, c in enumerate(cert_names[:62])}
    times = [service_time(o, now) for o in orders]
    distinct = sorted(set(times))
    slot_of = {t: i for i, t in enumerate(distinct)}
    users = [u for _, u in people]
    load = _load(users)
    served = _served_before(orders, users)
    user_index = {u.pk: j for j, (_, u) in enumerate(people)}
    continuity = {
        (i, user_index[u])
        for i, o in enumerate(orders)
        for (place, u) in served
        if place == o.place_id and u in user_index
    }

    def may_handle(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.array(
            [rules.may_handle(people[j][1], orders[i]) for i, j in zip(rows, cols, strict=True)]
        )

    return Problem(
        order_lnglat=np.array([point_of(o) for o in orders], dtype=float).reshape(-1, 2),
        vol_lnglat=np.array(
            [(v.person.place.lng, v.person.place.lat) for v, _ in people], dtype=float
        ).reshape(-1, 2),
        order_skills=np.array(
            [_bits(o.category.skill_codes or [], skill_bit) for o in orders], dtype=np.int64
        ),
        vol_skills=np.array(
            [_bits([s.code for s in v.skills.all()], skill_bit) for v, _ in people], dtype=np.int64
        ),
        order_certs=np.array(
            [_bits((o.attributes or {}).get("certificates", []), cert_bit) for o in orders],
            dtype=np.int64,
        ),
        vol_certs=np.array(
            [_bits(_certificate_names(v), cert_bit) for v, _ in people], dtype=np.int64
        ),
        order_slot=np.array([slot_of[t] for t in times], dtype=np.int64),
        vol_available=_availability(people, distinct),
        vol_load=np.array([load.get(u.pk, 0) for _, u in people], dtype=np.int64),
        k=k,
        radius_km=radius_km,
        weights=weights,
        continuity=continuity,
        pair_ok=may_handle,
    )


def exception_verdict(exceptions: list[AvailabilityException], local: dt.datetime) -> bool | None:
    """What the volunteer's exceptions say of the moment: an "unavailable" one covering it
    wins (False), then an "extra" one (True); None when none covers it."""
    covering = [e for e in exceptions if e.covers(local)]
    if not covering:
        return None
    return not any(e.kind == ExceptionKind.UNAVAILABLE for e in covering)


def is_available(
    volunteer: Volunteer, when: dt.datetime, exceptions: list[AvailabilityException]
) -> bool:
    """The weekly pattern (through `cases.dispatch.available_at`; no pattern = not stated =
    available), overridden by the volunteer's exceptions for that date (`exception_verdict`)."""
    verdict = exception_verdict(exceptions, timezone.localtime(when))
    if verdict is not None:
        return verdict
    return available_at(volunteer.availability, when) is not False


def exceptions_now(volunteers: list[Volunteer], when: dt.datetime) -> dict[int, bool]:
    """{volunteer id: available?} for the volunteers with an exception covering `when` (the
    hook `apps.cases.dispatch` asks; one query)."""
    local = timezone.localtime(when)
    found: dict[int, list[AvailabilityException]] = {}
    for e in AvailabilityException.objects.filter(volunteer__in=volunteers, on=local.date()):
        found.setdefault(e.volunteer_id, []).append(e)
    verdicts = {pk: exception_verdict(rows, local) for pk, rows in found.items()}
    return {pk: v for pk, v in verdicts.items() if v is not None}


def _availability(people: list[tuple[Volunteer, Any]], times: list[dt.datetime]) -> np.ndarray:
    """(volunteers × distinct order times) availability, exceptions read in one query."""
    days = {timezone.localtime(t).date() for t in times}
    exceptions: dict[int, list[AvailabilityException]] = {}
    if people and days:
        for e in AvailabilityException.objects.filter(
            volunteer__in=[v for v, _ in people], on__in=sorted(days)
        ):
            exceptions.setdefault(e.volunteer_id, []).append(e)
    return np.array(
        [[is_available(v, t, exceptions.get(v.pk, [])) for t in times] for v, _ in people],
        dtype=bool,
    ).reshape(len(people), len(times))


def _reasons(case: Case, volunteer: Volunteer, km: float, load: int, again: bool) -> str:
    wanted = set(case.category.skill_codes or [])
    names = [s.name for s in volunteer.skills.all() if s.code in wanted]
    parts = [f"技能匹配：{'、'.join(names)}" if names else "该类服务不限技能"]
    certs = (case.attributes or {}).get("certificates") or []
    if certs:
        parts.append(f"持有{'、'.join(certs)}")
    parts.append(f"距离 {km:.1f} 公里")
    parts.append(f"派单前在办 {load} 件")
    parts.append("服务时间内有空")
    if again:
        parts.append("曾服务过该户")
    return "；".join(parts)


def _why_unassigned(case: Case, has_point: bool, had_candidates: bool) -> str:
    if not has_point:
        return "该户没有坐标，无法计算距离，请人工派单"
    if had_candidates:
        return "符合条件的志愿者都已派满（每人最多在办件数），请人工派单"
    return "服务半径内没有技能、证书、服务时间都符合且有账号的志愿者"


def propose(
    area: Place,
    *,
    now: dt.datetime | None = None,
    k: int = DEFAULT_K,
    radius_km: float = DEFAULT_RADIUS_KM,
    weights: Weights | None = None,
) -> Proposal:
    """The optimal assignment of the area's open service orders (see the module docstring)."""
    now = now or timezone.now()
    orders = open_orders(area)
    points = {o.pk: point for o in orders if (point := point_of(o)) is not None}
    located = [o for o in orders if o.pk in points]
    people = _volunteers(area, list(points.values()), radius_km) if located else []
    problem = build_problem(
        located, people, now=now, k=k, radius_km=radius_km, weights=weights or Weights()
    )
    candidates = candidate_pairs(problem)
    solution = solve(problem, candidates)
    with_candidates = set(candidates.rows.tolist())
    pairs: list[ProposedPair] = []
    unassigned: list[Unassigned] = []
    for i, case in enumerate(located):
        j = int(solution.assignment[i])
        if j < 0:
            unassigned.append(Unassigned(case, _why_unassigned(case, True, i in with_candidates)))
            continue
        volunteer, user = people[j]
        km = float(solution.km[i])
        load = int(problem.vol_load[j])
        reasons = _reasons(case, volunteer, km, load, bool(solution.continuity[i]))
        pairs.append(ProposedPair(case, volunteer, user, km, float(solution.pair_cost[i]), reasons))
    unassigned += [
        Unassigned(o, _why_unassigned(o, False, False)) for o in orders if o not in located
    ]
    considered = consider(area, orders, len(people), now)
    return Proposal(area, pairs, unassigned, len(people), solution.total_cost, considered)


def consider(area: Place, orders: list[Case], in_radius: int, now: dt.datetime) -> Considered:
    """The figures of `Considered`: four queries (orders by status, the area's volunteers with
    their skills, their accounts, today's exceptions)."""
    rows = (
        Case.objects.filter(
            subtree_q(area), kind=CaseKind.SERVICE_ORDER, status__in=sorted(OPEN_STATUSES)
        )
        .exclude(status__in=sorted(DISPATCHABLE))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    )
    other_open = [(Status(r["status"]).label, r["n"]) for r in rows]
    volunteers = list(
        Volunteer.objects.filter(
            subtree_q(area, "person__place"), status=VolunteerStatus.ACTIVE, person__active=True
        )
        .prefetch_related("skills")
        .order_by("id")
    )
    accounts = _accounts([v.person_id for v in volunteers])
    with_account = [v for v in volunteers if v.person_id in accounts]
    needed = {c for o in orders for c in (o.category.skill_codes or [])}
    with_skill = (
        sum(1 for v in with_account if needed & {s.code for s in v.skills.all()})
        if needed
        else None
    )
    away = exceptions_now(volunteers, now) if volunteers else {}
    on_leave = sum(1 for free in away.values() if not free)
    return Considered(
        area,
        len(orders),
        other_open,
        len(volunteers),
        len(with_account),
        with_skill,
        on_leave,
        in_radius,
    )


@dataclass
class BatchResult:
    dispatched: list[Case]


class BatchDispatchFailed(Exception):
    def __init__(self, case_id: int, message: str) -> None:
        super().__init__(f"工单 #{case_id} 未能派出：{message}。本批次均未派出，请重新生成方案。")
        self.case_id = case_id


@transaction.atomic
def do_confirm_batch_dispatch(
    area: Place, pairs: list[tuple[int, int]], *, actor: User
) -> BatchResult:
    """Dispatch every (case id, user id) pair through the case engine, all or nothing."""
    cases = {
        c.pk: c
        for c in Case.objects.filter(subtree_q(area), pk__in=[c for c, _ in pairs]).select_related(
            "place", "handling_unit", "category"
        )
    }
    done = []
    for case_id, user_id in pairs:
        case = cases.get(case_id)
        if case is None:
            raise BatchDispatchFailed(case_id, "不在该区域内")
        try:
            done.append(
                do_transition(
                    case, Action.DISPATCH, actor=actor, note="一键派单", data={"assignee": user_id}
                )
            )
        except CaseError as exc:
            raise BatchDispatchFailed(case_id, str(exc)) from exc
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=area,
        changes={"batch_dispatch": [[c, u] for c, u in pairs]},
    )
    return BatchResult(done)
