"""Constants of the case engine, and the one transitions table.

Every status change of a case goes through `actions.do_transition`, which reads TRANSITIONS:
the states an action may start from, the state it leads to (None: the status stays, only
flags or deadlines change) and who may perform it. `who` names an actor kind:

    dispatcher   a staff account of a dispatching role (grid worker, community staff, town
                 staff, county leader, department handler, administrator) whose scope
                 contains the case's handling unit: the unit that handles the case now.
                 A grid worker dispatches grid-level cases of their grid; community staff
                 those of their community; after 上报 the case belongs to the next level
                 and the lower level can no longer dispatch it.
    assignee     the account the case is dispatched to (承办人)
    claimant     the assignee, or — for an order dispatched to nobody in particular (抢单) —
                 any account of a handling role whose scope contains the case's place
    supervisor   town staff, county leader or administrator whose scope contains the place
    resident     nobody logged in, holding the case's tracking token (评单)
    revisitor    a dispatcher or supervisor recording a revisit (回访) of the case
    system       the deadline monitor (automatic 上报)

The matrix, action by action (from → to : who):

    受理 accept       待受理, 已上报 → 已受理 : dispatcher
    派单 dispatch     已受理, 已退单 → 已派单 : dispatcher
    接单 claim        已派单 → 已接单 : claimant
    开始办理 start    已接单 → 办理中 : assignee
    办结 resolve      已接单, 办理中 → 已办结 : assignee (with a note)
    退单 return       已派单, 已接单, 办理中 → 已退单 : assignee (with a reason)
    上报 escalate     any open state → 已上报 : dispatcher, system
    申请延期          已接单, 办理中 → (unchanged) : assignee (with a reason)
    批准 / 驳回延期    已接单, 办理中 → (unchanged) : dispatcher, supervisor
    督办 supervise    any open state → (unchanged) : supervisor
    评价 rate         已办结 → 已评价 : resident, revisitor
    重办 reopen       已办结 → 已派单 (a 不满意 rating) : resident, revisitor
    归档 close        已评价 → 已归档 : dispatcher
    合并 merge        待受理, 已受理, 已退单, 已上报 → 已合并 : dispatcher
    撤销 cancel       待受理, 已受理, 已退单, 已上报, 已派单 → 已撤销 : dispatcher (with a reason)
    会议决定          any open state → (unchanged, or 已派单 when the decision names a new
                      owner) : dispatcher, supervisor (with the meeting as note); recorded by
                      apps.meetings: owner, lead department, new resolve deadline
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from apps.places.choices import PlaceKind


class CaseKind(models.TextChoices):
    SERVICE_ORDER = "service_order", "点单"
    NEED = "need", "诉求"
    HAZARD = "hazard", "隐患"
    DISPUTE = "dispute", "纠纷"
    ERRAND = "errand", "帮办"
    EVENT = "event", "事件"


class CaseSource(models.TextChoices):
    VISIT = "visit", "入户走访"
    PATROL = "patrol", "网格巡查"
    PORTAL = "portal", "居民自助"
    HOTLINE = "hotline", "热线电话"
    QR = "qr", "扫码上报"
    MEETING = "meeting", "议事会议"
    API = "api", "接口"
    OPEN311 = "open311", "Open311"


class Priority(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    ACCEPTED = "accepted", "已受理"
    DISPATCHED = "dispatched", "已派单"
    CLAIMED = "claimed", "已接单"
    IN_PROGRESS = "in_progress", "办理中"
    RESOLVED = "resolved", "已办结"
    EVALUATED = "evaluated", "已评价"
    CLOSED = "closed", "已归档"
    RETURNED = "returned", "已退单"
    ESCALATED = "escalated", "已上报"
    MERGED = "merged", "已合并"
    CANCELLED = "cancelled", "已撤销"


class Level(models.TextChoices):
    """Handling levels, lowest first. Their order is the escalation ladder."""

    GRID = "grid", "网格"
    COMMUNITY = "community", "社区村"
    TOWN = "town", "乡镇街道"
    COUNTY = "county", "县级部门"


LEVEL_ORDER = [Level.GRID, Level.COMMUNITY, Level.TOWN, Level.COUNTY]
LEVEL_PLACE_KIND = {
    Level.GRID: PlaceKind.GRID,
    Level.COMMUNITY: PlaceKind.COMMUNITY,
    Level.TOWN: PlaceKind.TOWN,
    Level.COUNTY: PlaceKind.COUNTY,
}


class LimitUnit(models.TextChoices):
    HOURS = "hours", "小时"
    WORKDAYS = "workdays", "工作日"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


SATISFIED_RATINGS = {Rating.SATISFIED, Rating.BASIC}


class RatingSource(models.TextChoices):
    RESIDENT = "resident", "居民评价"
    REVISIT = "revisit", "回访"


class ExtensionState(models.TextChoices):
    NONE = "", "无"
    ASKED = "asked", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "已驳回"


class RevisitResult(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"
    UNREACHABLE = "unreachable", "联系不上"


class Action(models.TextChoices):
    SUBMIT = "submit", "登记"
    ACCEPT = "accept", "受理"
    DISPATCH = "dispatch", "派单"
    CLAIM = "claim", "接单"
    START = "start", "开始办理"
    RESOLVE = "resolve", "办结"
    RETURN = "return", "退单"
    ESCALATE = "escalate", "上报"
    REQUEST_EXTENSION = "request_extension", "申请延期"
    APPROVE_EXTENSION = "approve_extension", "批准延期"
    REFUSE_EXTENSION = "refuse_extension", "驳回延期"
    SUPERVISE = "supervise", "督办"
    RATE = "rate", "评价"
    REOPEN = "reopen", "重办"
    CLOSE = "close", "归档"
    MERGE = "merge", "合并"
    CANCEL = "cancel", "撤销"
    ATTACH = "attach", "上传附件"
    MEETING_DECIDE = "meeting_decide", "会议决定"


class Who(models.TextChoices):
    DISPATCHER = "dispatcher", "受理单位的派单人员"
    ASSIGNEE = "assignee", "承办人"
    CLAIMANT = "claimant", "承办人或辖区内的办理人员"
    SUPERVISOR = "supervisor", "乡镇街道或县级督办人员"
    RESIDENT = "resident", "提交诉求的居民"
    REVISITOR = "revisitor", "回访人员"
    SYSTEM = "system", "系统（超时自动上报）"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status stays
    who: frozenset[str]
    note_required: bool = False


def _t(
    sources: Iterable[str], target: str | None, who: Iterable[str], note: bool = False
) -> Transition:
    return Transition(frozenset(sources), target, frozenset(who), note)


S = Status
OPEN_STATUSES = frozenset(
    {
        S.SUBMITTED,
        S.ACCEPTED,
        S.DISPATCHED,
        S.CLAIMED,
        S.IN_PROGRESS,
        S.RETURNED,
        S.ESCALATED,
    }
)
# Open and not yet resolved: what the deadline monitor watches.
UNRESOLVED_STATUSES = OPEN_STATUSES
RESOLVED_STATUSES = frozenset({S.RESOLVED, S.EVALUATED, S.CLOSED})
WITHDRAWN_STATUSES = frozenset({S.MERGED, S.CANCELLED})
WAITING_DISPATCH = {S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.ESCALATED}
HANDLING = {S.CLAIMED, S.IN_PROGRESS}

TRANSITIONS: dict[str, Transition] = {
    Action.ACCEPT: _t({S.SUBMITTED, S.ESCALATED}, S.ACCEPTED, {Who.DISPATCHER}),
    Action.DISPATCH: _t({S.ACCEPTED, S.RETURNED}, S.DISPATCHED, {Who.DISPATCHER}),
    Action.CLAIM: _t({S.DISPATCHED}, S.CLAIMED, {Who.CLAIMANT}),
    Action.START: _t({S.CLAIMED}, S.IN_PROGRESS, {Who.ASSIGNEE}),
    Action.RESOLVE: _t(HANDLING, S.RESOLVED, {Who.ASSIGNEE}, note=True),
    Action.RETURN: _t({S.DISPATCHED, *HANDLING}, S.RETURNED, {Who.ASSIGNEE}, note=True),
    Action.ESCALATE: _t(set(OPEN_STATUSES), S.ESCALATED, {Who.DISPATCHER, Who.SYSTEM}),
    Action.REQUEST_EXTENSION: _t(HANDLING, None, {Who.ASSIGNEE}, note=True),
    Action.APPROVE_EXTENSION: _t(HANDLING, None, {Who.DISPATCHER, Who.SUPERVISOR}),
    Action.REFUSE_EXTENSION: _t(HANDLING, None, {Who.DISPATCHER, Who.SUPERVISOR}, note=True),
    Action.SUPERVISE: _t(set(OPEN_STATUSES), None, {Who.SUPERVISOR}),
    Action.RATE: _t({S.RESOLVED}, S.EVALUATED, {Who.RESIDENT, Who.REVISITOR}),
    Action.REOPEN: _t({S.RESOLVED}, S.DISPATCHED, {Who.RESIDENT, Who.REVISITOR}),
    Action.CLOSE: _t({S.EVALUATED}, S.CLOSED, {Who.DISPATCHER}),
    Action.MERGE: _t(WAITING_DISPATCH, S.MERGED, {Who.DISPATCHER}),
    Action.CANCEL: _t({*WAITING_DISPATCH, S.DISPATCHED}, S.CANCELLED, {Who.DISPATCHER}, note=True),
    # A meeting's decision: target None; `actions._meeting_decide` moves the case to 已派单
    # itself when the decision names a new owner (a re-dispatch), otherwise the status stays.
    Action.MEETING_DECIDE: _t(
        set(OPEN_STATUSES), None, {Who.DISPATCHER, Who.SUPERVISOR}, note=True
    ),
}

# Roles, per actor kind: apps/accounts/permissions.py (cases.dispatch, cases.handle,
# cases.supervise, cases.intake).

# Buttons on the case page: the actions a person presses (rate and reopen come from the
# resident's page or a revisit; escalate by hand is offered to dispatchers).
BUTTON_ORDER = [
    Action.ACCEPT,
    Action.DISPATCH,
    Action.CLAIM,
    Action.START,
    Action.RESOLVE,
    Action.REQUEST_EXTENSION,
    Action.APPROVE_EXTENSION,
    Action.REFUSE_EXTENSION,
    Action.RETURN,
    Action.ESCALATE,
    Action.SUPERVISE,
    Action.CLOSE,
    Action.MERGE,
    Action.CANCEL,
]


class Lamp(models.TextChoices):
    """Deadline lamps: none (no deadline running), green, yellow (warning), red (overdue)."""

    NONE = "", ""
    GREEN = "green", "正常"
    YELLOW = "yellow", "临期"
    RED = "red", "超期"
