"""The staff's work on cases (issue 20, items 5 and 6): the queue of cases that need an action
from the viewer's unit (the default inbox and a secretary's landing page), today's figures
above it, and — on every case and inbox row — who owns the case now and what the viewer may
do with it.

"Needs an action from my unit" follows the transitions table (`choices.TRANSITIONS`), read as
a query: an open case whose handling unit lies in the viewer's scope and waits for a
dispatcher (待受理 / 已上报 → 受理, 已受理 / 已退单 → 派单, a pending 延期 → 批准 or 驳回), or
an open case assigned to the viewer (接单, 办理, 办结). Pure reads.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .choices import (
    HANDLING,
    OPEN_STATUSES,
    RESOLVED_STATUSES,
    TRANSITIONS,
    WITHDRAWN_STATUSES,
    Action,
    ExtensionState,
    Level,
    Status,
)
from .models import Case
from .rules import is_assignee, is_dispatcher

# The statuses in which the handling unit's dispatchers must act (受理 or 派单).
DISPATCHER_WAITS = sorted(TRANSITIONS[Action.ACCEPT].sources | TRANSITIONS[Action.DISPATCH].sources)
# The statuses in which the assignee must act (接单, 开始办理, 办结).
ASSIGNEE_WAITS = sorted({Status.DISPATCHED, *HANDLING})


def todo_q(user: Any) -> Q:
    """The cases that need an action from the user's unit, or from the user as assignee.

    Written as `pk IN (… UNION …)`: the same condition as one OR across the join to the
    handling unit made PostgreSQL spend ~400 ms *planning* each query on the demo county
    (execution: under 1 ms); the union of the two simple halves plans in a few ms."""
    waits_for_unit = Q(status__in=DISPATCHER_WAITS) | Q(
        status__in=sorted(HANDLING), extension_state=ExtensionState.ASKED
    )
    units = Case.objects.visible_to(user, via="handling_unit")
    for_unit = units.filter(waits_for_unit).order_by().values("pk")
    for_me = Case.objects.filter(assignee=user, status__in=ASSIGNEE_WAITS).order_by().values("pk")
    return Q(pk__in=for_unit.union(for_me))


@dataclass
class TodayFigures:
    """The figures above a secretary's queue (cases of the user's scope)."""

    todo: int
    todo_overdue: int
    registered_today: int
    resolved_today: int
    open: int


def today_figures(cases: QuerySet[Case], user: Any, now: dt.datetime | None = None) -> TodayFigures:
    """One aggregate over `cases` (the user's visible cases)."""
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    open_ = Q(status__in=sorted(OPEN_STATUSES))
    overdue = open_ & (
        Q(responded_at__isnull=True, respond_by__lt=now)
        | Q(resolved_at__isnull=True, resolve_by__lt=now)
    )
    todo = todo_q(user)
    figures = cases.aggregate(
        todo=Count("pk", filter=todo),
        todo_overdue=Count("pk", filter=todo & overdue),
        registered_today=Count("pk", filter=Q(created_at__gte=start)),
        resolved_today=Count("pk", filter=Q(resolved_at__gte=start)),
        open=Count("pk", filter=open_),
    )
    return TodayFigures(**figures)


@dataclass
class ViewerPart:
    """Who owns a case now, and what the viewer may do with it: `may` in a sentence for the
    case page, `short` for an inbox row."""

    owner: str
    may: str
    short: str
    acts: bool  # the viewer has at least one button on the case


def owner_text(case: Case) -> str:
    parts = [f"{case.handling_unit.name}（{Level(case.level).label}）"]
    if case.assignee_id is not None:
        parts.append(f"承办人 {case.assignee}")
    if case.department_id is not None:
        parts.append(f"职能部门 {case.department}")
    return " · ".join(parts)


def viewer_part(case: Case, user: Any, buttons: list[str]) -> ViewerPart:
    """The owner of `case` and the viewer's part, from the buttons the viewer has (the
    transitions table's verdict) and, when there are none, the plain reason."""
    owner = owner_text(case)
    if buttons:
        labels = "、".join(Action(b).label for b in buttons)
        return ViewerPart(owner, f"您可以：{labels}", f"待我处理：{labels}", True)
    status = case.status
    if status in RESOLVED_STATUSES or status in WITHDRAWN_STATUSES:
        label = Status(status).label
        return ViewerPart(owner, f"该事项已结束（{label}），无需操作", "已结束", False)
    if is_assignee(user, case):
        return ViewerPart(owner, "派给您的事项，当前无需您操作，等待下一步", "待下一步", False)
    if not is_dispatcher(user, case):
        unit = case.handling_unit.name
        return ViewerPart(
            owner,
            f"您只能查看，无需操作：该事项现在由{unit}负责办理（系统中没有把上报事项收回本级"
            "的操作）；如有补充情况，请直接联系承办单位",
            f"{unit}承办 · 仅查看",
            False,
        )
    if case.assignee_id is not None:
        return ViewerPart(
            owner, f"已派给{case.assignee}办理，等待其接单或办结", "已派出 · 等待办理", False
        )
    if case.department_id is not None:
        return ViewerPart(
            owner, f"已交{case.department}办理，等待其办结", "已派出 · 等待办理", False
        )
    return ViewerPart(owner, "等待辖区办理人员抢单，当前无需您操作", "待抢单", False)
