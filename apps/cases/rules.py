"""Who may do what to a case: the actor kinds of the transitions table, and the guards that
the table alone cannot express (a pending extension, the top of the ladder …).

Pure reads: nothing here writes. `actions.do_transition` raises on the first failed rule;
the case page asks `allowed_actions` which buttons to draw.
"""

import hmac
from collections.abc import Sequence
from typing import Any

from apps.accounts.permissions import Cap, has_role_for
from apps.accounts.scoping import place_visible
from apps.places.models import Place

from .choices import (
    LEVEL_ORDER,
    LEVEL_PLACE_KIND,
    TRANSITIONS,
    Action,
    ExtensionState,
    Level,
    Status,
    Who,
)
from .errors import IllegalTransition, InvalidTransitionData, NotAllowed
from .models import Case, CaseRevisit


def _staff(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_dispatcher(user: Any, case: Case) -> bool:
    return (
        _staff(user)
        and has_role_for(user, Cap.CASES_DISPATCH)
        and place_visible(user, case.handling_unit)
    )


def is_supervisor(user: Any, case: Case) -> bool:
    return (
        _staff(user) and has_role_for(user, Cap.CASES_SUPERVISE) and place_visible(user, case.place)
    )


def is_assignee(user: Any, case: Case) -> bool:
    return _staff(user) and case.assignee_id is not None and case.assignee_id == user.pk


def may_reveal_reporter(user: Any, case: Case) -> bool:
    """Who may see the reporter's full phone to call them back: the case's handler and the
    dispatchers of its handling unit; nobody else (ADR 0003: every reveal audited)."""
    return is_assignee(user, case) or is_dispatcher(user, case)


def may_handle(user: Any, case: Case) -> bool:
    """May `user` be the handler of `case`? A handling role, and a scope that either holds the
    case's place or lies within the handling unit (town staff under a county case …)."""
    if not _staff(user) or not has_role_for(user, Cap.CASES_HANDLE) or user.scope_id is None:
        return False
    return place_visible(user, case.place) or user.scope.is_within(case.handling_unit)


def is_claimant(user: Any, case: Case) -> bool:
    if case.assignee_id is not None:
        return is_assignee(user, case)
    return may_handle(user, case)


def token_matches(case: Case, token: str) -> bool:
    return bool(token) and hmac.compare_digest(case.tracking_token, token)


def has_open_revisit(case: Case) -> bool:
    return CaseRevisit.objects.filter(case=case, done_at__isnull=True).exists()


def actor_is(who: str, user: Any, case: Case, token: str) -> bool:
    if who == Who.DISPATCHER:
        return is_dispatcher(user, case)
    if who == Who.ASSIGNEE:
        return is_assignee(user, case)
    if who == Who.CLAIMANT:
        return is_claimant(user, case)
    if who == Who.SUPERVISOR:
        return is_supervisor(user, case)
    if who == Who.RESIDENT:
        return user is None and token_matches(case, token)
    if who == Who.REVISITOR:
        return (is_dispatcher(user, case) or is_supervisor(user, case)) and has_open_revisit(case)
    return False  # Who.SYSTEM acts only through the deadline monitor


def next_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(Level(level))
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def unit_for(place: Place, level: str) -> Place | None:
    """The place of kind `level` on the way up from `place` (itself included)."""
    return place.ancestor_of_kind(LEVEL_PLACE_KIND[Level(level)])


def guard_error(case: Case, action: str) -> str | None:
    """Why `action` cannot happen now, beyond the table; None when it can."""
    if action == Action.ESCALATE and next_level(case.level) is None:
        return "该事项已在县级办理，不能再上报"
    if action == Action.REQUEST_EXTENSION and case.extension_state == ExtensionState.ASKED:
        return "已有延期申请在审批中"
    if action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION) and (
        case.extension_state != ExtensionState.ASKED
    ):
        return "该事项没有待审批的延期申请"
    if action == Action.SUPERVISE and case.supervised:
        return "该事项已在督办中"
    return None


def who_text(case: Case, who: frozenset[str]) -> str:
    parts = []
    for kind in sorted(who):
        if kind == Who.SYSTEM:
            continue
        label = Who(kind).label
        if kind == Who.CLAIMANT and case.assignee_id is not None:
            label = Who.ASSIGNEE.label  # dispatched to someone: only they may claim
        if kind == Who.DISPATCHER:
            label = f"承办单位（{case.handling_unit.name}）的派单人员"
        parts.append(label)
    return "或".join(parts)


def check(case: Case, action: str, user: Any, token: str = "") -> None:
    """Raise the first reason why `user` cannot perform `action` on `case` now."""
    spec = TRANSITIONS.get(action)
    label = Action(action).label if spec is not None else action
    if spec is None:
        raise InvalidTransitionData(f"未知的操作“{label}”")
    if case.status not in spec.sources:
        raise IllegalTransition(f"该事项当前状态为“{Status(case.status).label}”，不能执行“{label}”")
    if not any(actor_is(who, user, case, token) for who in spec.who):
        raise NotAllowed(f"您不能执行“{label}”：只有{who_text(case, spec.who)}可以操作")
    reason = guard_error(case, action)
    if reason:
        raise IllegalTransition(reason)


def allowed_actions(case: Case, user: Any, actions: Sequence[str]) -> list[str]:
    """The actions `check` would let `user` perform now, in the order given (the same tests,
    without building the messages of the refused ones)."""
    allowed = []
    for action in actions:
        spec = TRANSITIONS.get(action)
        if (
            spec is not None
            and case.status in spec.sources
            and any(actor_is(who, user, case, "") for who in spec.who)
            and guard_error(case, action) is None
        ):
            allowed.append(action)
    return allowed
