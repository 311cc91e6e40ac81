"""Who may do what: named capabilities, one role × capability table, one check.

    require(actor, Cap.SERVICES_REVIEW_HOURS, place, what="审核服务时长")   # or PermissionDenied
    can(actor, Cap.CASES_DISPATCH)                                          # bool

A capability names one thing a person does ("services.review_hours"). `TABLE` says, once, which
roles hold it (and whether a superuser does), the plain Chinese refusal for a missing role and
for a place outside the actor's scope. `require` checks the role first, then — when a place is
given — that the place lies inside the actor's scope (`scoping.place_visible`: no query beyond
the actor's own scope row). Several capabilities share one set of roles on purpose: the table
is where a county that wants, say, grid workers to review hours changes one line.

`roles_with(cap)` gives the roles for queries ("the accounts that may handle a case").
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from .choices import Role

SUPERUSER = "superuser"  # the pseudo-role of `is_superuser` accounts in the table


class Cap(StrEnum):
    """Capability names: `<app>.<verb>_<noun>`."""

    ACCOUNTS_ASSIGN_ROLES = "accounts.assign_roles"
    ACCOUNTS_ISSUE_API_KEYS = "accounts.issue_api_keys"
    ACCOUNTS_MANAGE = "accounts.manage"
    ACCOUNTS_RESET_2FA = "accounts.reset_2fa"
    ACCOUNTS_ROTATE_KEYS = "accounts.rotate_keys"
    ACTIVITIES_CREATE = "activities.create"
    AUDIT_EXPORT = "audit.export"
    AUDIT_READ = "audit.read"
    ACTIVITIES_MANAGE = "activities.manage"
    BRANDS_MANAGE = "brands.manage"
    BRANDS_SURVEY = "brands.survey"
    CARE_RECORD_CONTACT = "care.record_contact"
    CASES_DISPATCH = "cases.dispatch"
    CASES_HANDLE = "cases.handle"
    CASES_INTAKE = "cases.intake"
    CASES_SUPERVISE = "cases.supervise"
    COLLECTIVE_APPROVE = "collective.approve"
    COLLECTIVE_CLOSE_PERIOD = "collective.close_period"
    COLLECTIVE_CONFIGURE = "collective.configure"
    COLLECTIVE_KEEP_BOOKS = "collective.keep_books"
    COLLECTIVE_VIEW = "collective.view"
    DUTIES_MANAGE = "duties.manage"
    ECG_CONFIGURE = "ecg.configure"
    ERRANDS_HANDLE = "errands.handle"
    FORESTRY_MANAGE = "forestry.manage"
    FORESTRY_PATROL = "forestry.patrol"
    FORESTRY_VIEW = "forestry.view"
    ECG_FOLLOW_CRITICAL = "ecg.follow_critical"
    ECG_READ = "ecg.read"
    ECG_UPLOAD = "ecg.upload"
    ECG_USE = "ecg.use"
    GOVERNANCE_USE = "governance.use"
    LEDGERS_EXPORT = "ledgers.export"
    LEDGERS_IMPORT = "ledgers.import"
    MEDIATION_MANAGE = "mediation.manage"
    MEDIATION_RUN = "mediation.run"
    MEETINGS_ORGANISE = "meetings.organise"
    NOTIFICATIONS_CONFIGURE = "notifications.configure"
    ORGS_EDIT = "orgs.edit"
    PEOPLE_EDIT = "people.edit"
    PEOPLE_REVEAL = "people.reveal"
    PLACES_EDIT = "places.edit"
    PROJECTS_ADVANCE = "projects.advance"
    PROJECTS_MANAGE = "projects.manage"
    PROJECTS_RAISE_BLOCKER = "projects.raise_blocker"
    PROJECTS_RECORD_NOTE = "projects.record_note"
    PROJECTS_VIEW = "projects.view"
    REPORTS_REQUEST = "reports.request"
    SERVICES_DUAL = "services.dual"
    SERVICES_LIST_VOLUNTEERS = "services.list_volunteers"
    SERVICES_MANAGE_REWARDS = "services.manage_rewards"
    SERVICES_REVIEW_APPLICATIONS = "services.review_applications"
    SERVICES_REVIEW_HOURS = "services.review_hours"
    VISITS_PLAN = "visits.plan"
    VISITS_RECORD = "visits.record"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    denied: str  # the refusal for a role without the capability; may use {what} and {place}
    out_of_scope: str = ""  # the refusal for a place outside the scope ("" = `denied`)


def _r(*roles: str, su: bool = True) -> frozenset[str]:
    return frozenset({*roles, *([SUPERUSER] if su else [])})


R = Role
# Role groups the table is written with (named once, here).
_ADMIN = _r(R.ADMIN)
_WORKPLACE_STAFF = _r(R.ADMIN, R.TOWN_STAFF, R.COMMUNITY_STAFF)  # 台账、志愿服务、品牌
_FIELD_STAFF = _r(R.ADMIN, R.TOWN_STAFF, R.COMMUNITY_STAFF, R.GRID_WORKER)  # 网格里的工作
_EXPORTERS = _r(R.ADMIN, R.TOWN_STAFF, R.COMMUNITY_STAFF, R.COUNTY_LEADER)
_DISPATCHERS = _r(
    R.GRID_WORKER, R.COMMUNITY_STAFF, R.TOWN_STAFF, R.COUNTY_LEADER, R.DEPT_HANDLER, R.ADMIN
)
_FIELD_HELPERS = (R.PARTY_MEMBER, R.VOLUNTEER, R.FOREST_CHIEF, R.RANGER)
_IN_AREA = "该区域不在您的管辖范围内"

TABLE: dict[Cap, Rule] = {
    # 三员分立 (MLPS 2.0 level 3): the system administrator runs accounts and settings, the
    # security administrator roles, scopes, second factors and keys, the auditor the audit
    # trail; none does the others' work (a superuser is the installation's break-glass account
    # and holds the first two, never the audit trail).
    Cap.ACCOUNTS_ASSIGN_ROLES: Rule(
        _r(R.SECURITY_ADMIN), "只有安全保密管理员可以分配角色和管辖范围"
    ),
    Cap.ACCOUNTS_ISSUE_API_KEYS: Rule(_ADMIN, "只有系统管理员可以管理接口密钥"),
    Cap.ACCOUNTS_MANAGE: Rule(_ADMIN, "只有系统管理员可以管理账号"),
    Cap.ACCOUNTS_RESET_2FA: Rule(_r(R.SECURITY_ADMIN), "只有安全保密管理员可以重置双因素认证"),
    Cap.ACCOUNTS_ROTATE_KEYS: Rule(_r(R.SECURITY_ADMIN), "只有安全保密管理员可以轮换密钥"),
    Cap.AUDIT_EXPORT: Rule(_r(R.AUDITOR, su=False), "只有安全审计员可以导出审计记录"),
    Cap.AUDIT_READ: Rule(_r(R.AUDITOR, su=False), "只有安全审计员可以查看审计记录"),
    Cap.ACTIVITIES_CREATE: Rule(
        _FIELD_STAFF,
        "您不能在该地点登记活动：只有该辖区的社区、街道工作人员可以操作",
    ),
    Cap.ACTIVITIES_MANAGE: Rule(
        _FIELD_STAFF,
        "您不能{what}：只有活动所在辖区的工作人员或活动组织人员可以操作",
    ),
    Cap.BRANDS_MANAGE: Rule(
        _WORKPLACE_STAFF, "您不能{what}：只有{place}及上级的社区、街道工作人员可以操作"
    ),
    Cap.BRANDS_SURVEY: Rule(
        _WORKPLACE_STAFF | {R.GRID_WORKER, R.PARTY_MEMBER, R.VOLUNTEER},
        "您不能登记该户的需求：只有该户所在辖区的调研人员可以操作",
    ),
    Cap.CARE_RECORD_CONTACT: Rule(_FIELD_STAFF, "只有结对人或本辖区工作人员可以登记联系记录"),
    Cap.CASES_DISPATCH: Rule(_DISPATCHERS | {R.PROJECT_OFFICIAL}, "只有派单人员可以一键派单"),
    Cap.CASES_HANDLE: Rule(
        _r(
            R.GRID_WORKER,
            R.COMMUNITY_STAFF,
            R.TOWN_STAFF,
            R.DEPT_HANDLER,
            *_FIELD_HELPERS,
            su=False,
        ),
        "您的角色不能办理事项",
    ),
    Cap.CASES_INTAKE: Rule(
        _DISPATCHERS | set(_FIELD_HELPERS) | {R.PROJECT_OFFICIAL}, "您的角色不能登记事项"
    ),
    Cap.CASES_SUPERVISE: Rule(
        _r(R.TOWN_STAFF, R.COUNTY_LEADER, R.ADMIN, R.PROJECT_OFFICIAL), "您的角色不能督办事项"
    ),
    Cap.COLLECTIVE_APPROVE: Rule(
        _r(R.VILLAGE_SUPERVISOR, R.AGENCY_ACCOUNTANT, su=False),
        "只有村务监督委员会、乡镇三资代理中心可以审批凭证",
        "该村不在您的管辖范围内",
    ),
    Cap.COLLECTIVE_CLOSE_PERIOD: Rule(
        _r(R.AGENCY_ACCOUNTANT, R.ADMIN), "只有乡镇三资代理中心可以结账", "该村不在您的管辖范围内"
    ),
    Cap.COLLECTIVE_CONFIGURE: Rule(
        _r(R.AGENCY_ACCOUNTANT, R.ADMIN),
        "只有乡镇三资代理中心或系统管理员可以{what}",
        "该村不在您的管辖范围内",
    ),
    Cap.COLLECTIVE_KEEP_BOOKS: Rule(
        _r(R.VILLAGE_ACCOUNTANT, R.AGENCY_ACCOUNTANT, R.ADMIN),
        "只有村报账员、乡镇三资代理中心可以{what}",
        "该村不在您的管辖范围内",
    ),
    Cap.COLLECTIVE_VIEW: Rule(
        _r(
            R.VILLAGE_ACCOUNTANT,
            R.VILLAGE_SUPERVISOR,
            R.AGENCY_ACCOUNTANT,
            R.COUNTY_LEADER,
            R.TOWN_STAFF,
            R.COMMUNITY_STAFF,
            R.ADMIN,
        ),
        "您的角色不能查看村集体账目",
        "该村不在您的管辖范围内",
    ),
    Cap.DUTIES_MANAGE: Rule(_WORKPLACE_STAFF, "您无权安排该区域的责任"),
    Cap.ECG_CONFIGURE: Rule(_ADMIN, "只有系统管理员可以修改心电网络设置"),
    Cap.ERRANDS_HANDLE: Rule(_FIELD_STAFF, "只有承办人或本辖区工作人员可以办理帮办步骤"),
    Cap.ECG_FOLLOW_CRITICAL: Rule(
        _r(R.ECG_PHYSICIAN, R.CLINIC_DOCTOR, su=False), "您不能记录该危急值的转诊"
    ),
    Cap.ECG_READ: Rule(
        _r(R.ECG_PHYSICIAN, R.ADMIN),
        "只有心电诊断医师可以阅片和出具报告",
        "该检查不在您的管辖范围内",
    ),
    Cap.ECG_UPLOAD: Rule(
        _r(R.CLINIC_DOCTOR, R.ADMIN), "只有基层医生可以上传心电图", "该卫生院不在您的管辖范围内"
    ),
    Cap.ECG_USE: Rule(
        _r(R.CLINIC_DOCTOR, R.ECG_PHYSICIAN, R.COUNTY_LEADER, R.ADMIN), "您的角色不能使用心电网络"
    ),
    Cap.FORESTRY_MANAGE: Rule(
        _r(R.ADMIN, R.COUNTY_LEADER, R.TOWN_STAFF, R.FOREST_CHIEF),
        "只有林长、乡镇干部和管理员可以{what}",
        "该林区不在您的管辖范围内",
    ),
    Cap.FORESTRY_PATROL: Rule(
        _r(R.FOREST_CHIEF, R.RANGER, su=False),
        "只有林长和护林员可以巡林",
        "该林区不在您的管辖范围内",
    ),
    Cap.FORESTRY_VIEW: Rule(
        _r(R.ADMIN, R.COUNTY_LEADER, R.TOWN_STAFF, R.COMMUNITY_STAFF, R.FOREST_CHIEF, R.RANGER),
        "您的角色不能查看林长制页面",
        "该林区不在您的管辖范围内",
    ),
    Cap.GOVERNANCE_USE: Rule(_DISPATCHERS, "您的角色不能使用议事和数据功能"),
    Cap.LEDGERS_EXPORT: Rule(_EXPORTERS, "您的角色不能导出台账"),
    Cap.LEDGERS_IMPORT: Rule(_WORKPLACE_STAFF, "您的角色不能导入台账"),
    Cap.MEDIATION_MANAGE: Rule(_WORKPLACE_STAFF, "您无权管理该区域的调解员"),
    Cap.MEDIATION_RUN: Rule(_DISPATCHERS, "只有本辖区工作人员、承办人或本案调解员可以登记调解"),
    Cap.MEETINGS_ORGANISE: Rule(
        _r(R.ADMIN, R.COUNTY_LEADER, R.TOWN_STAFF, R.COMMUNITY_STAFF, R.GRID_WORKER),
        "您的角色不能组织议事会议",
        _IN_AREA,
    ),
    Cap.NOTIFICATIONS_CONFIGURE: Rule(_ADMIN, "只有系统管理员可以配置通知渠道"),
    Cap.ORGS_EDIT: Rule(_WORKPLACE_STAFF, "您的角色不能修改组织台账", "该组织不在您的管辖范围内"),
    Cap.PEOPLE_EDIT: Rule(_WORKPLACE_STAFF, "您的角色不能修改人员台账", "该人员不在您的管辖范围内"),
    Cap.PEOPLE_REVEAL: Rule(
        _WORKPLACE_STAFF | {R.GRID_WORKER},
        "您的角色无权查看完整的身份证号和电话号码",
        "该人员不在您的管辖范围内",
    ),
    Cap.PLACES_EDIT: Rule(_WORKPLACE_STAFF, "您无权修改该区域的地点"),
    # 重点项目 (五项服务): the bureau's 专班 registers projects and moves their stages; the
    # project unit and the departments read and record Q&A; blockers go to the case engine.
    Cap.PROJECTS_ADVANCE: Rule(
        _r(R.PROJECT_OFFICIAL), "只有重点项目专班可以推进项目阶段", "该项目不在您的管辖范围内"
    ),
    Cap.PROJECTS_MANAGE: Rule(
        _r(R.PROJECT_OFFICIAL, R.ADMIN), "只有重点项目专班可以登记项目", _IN_AREA
    ),
    Cap.PROJECTS_RAISE_BLOCKER: Rule(
        _r(R.PROJECT_OFFICIAL), "只有重点项目专班可以登记卡点", "该项目不在您的管辖范围内"
    ),
    Cap.PROJECTS_RECORD_NOTE: Rule(
        _r(R.PROJECT_OFFICIAL, R.PROJECT_UNIT, R.DEPT_HANDLER),
        "您的角色不能登记项目答疑记录",
        "该项目不在您的管辖范围内",
    ),
    Cap.PROJECTS_VIEW: Rule(
        _r(R.PROJECT_OFFICIAL, R.PROJECT_UNIT, R.DEPT_HANDLER, R.COUNTY_LEADER, R.ADMIN),
        "您的角色不能查看重点项目",
        "该项目不在您的管辖范围内",
    ),
    Cap.REPORTS_REQUEST: Rule(_EXPORTERS | {R.DEPT_HANDLER}, "您的角色不能生成简报", _IN_AREA),
    Cap.SERVICES_DUAL: Rule(_WORKPLACE_STAFF, "只有报到社区及上级街道的工作人员可以操作"),
    Cap.SERVICES_LIST_VOLUNTEERS: Rule(
        _EXPORTERS, "只有社区、街道工作人员和领导可以查看志愿者名册"
    ),
    Cap.SERVICES_MANAGE_REWARDS: Rule(
        _WORKPLACE_STAFF, "只有该社区及上级街道的工作人员可以管理兑换物品"
    ),
    Cap.SERVICES_REVIEW_APPLICATIONS: Rule(
        _WORKPLACE_STAFF, "只有该社区及上级街道的工作人员可以审核志愿者注册申请"
    ),
    Cap.SERVICES_REVIEW_HOURS: Rule(
        _WORKPLACE_STAFF, "您不能{what}：只有该志愿者所在辖区的社区、街道工作人员可以操作"
    ),
    Cap.VISITS_PLAN: Rule(
        _r(R.ADMIN, R.COUNTY_LEADER, R.TOWN_STAFF, R.COMMUNITY_STAFF),
        "只有乡镇、社区工作人员可以制定走访计划",
        "该范围不在您的管辖范围内",
    ),
    Cap.VISITS_RECORD: Rule(
        _FIELD_STAFF,
        "只有走访责任人或本辖区工作人员可以登记走访",
    ),
}


def roles_with(cap: Cap) -> frozenset[str]:
    """The (real) roles holding `cap`, for queries such as `role__in=roles_with(…)`."""
    return frozenset(TABLE[cap].roles - {SUPERUSER})


def has_role_for(actor: Any, cap: Cap) -> bool:
    """The role half of `can`: an authenticated actor whose role (or superuser flag) holds it."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    roles = TABLE[cap].roles
    return bool((actor.is_superuser and SUPERUSER in roles) or getattr(actor, "role", "") in roles)


def can(actor: Any, cap: Cap, place: Any = None) -> bool:
    """May `actor` do `cap` (at `place`, when given: it must lie inside the actor's scope)?"""
    from .scoping import place_visible

    return has_role_for(actor, cap) and (place is None or place_visible(actor, place))


def refusal(cap: Cap, place: Any = None, *, scope: bool = False, what: str = "") -> str:
    """The Chinese refusal of `cap` (the out-of-scope one when `scope`)."""
    rule = TABLE[cap]
    text = (rule.out_of_scope or rule.denied) if scope else rule.denied
    return text.format(what=what, place=getattr(place, "name", ""))


def require(
    actor: Any,
    cap: Cap,
    place: Any = None,
    *,
    what: str = "",
    unless: Callable[[], bool] | None = None,
) -> None:
    """Raise PermissionDenied (in plain Chinese) unless `can(actor, cap, place)`. `unless` is a
    second way to be allowed that the table cannot say (an activity's own organiser account);
    it is asked only when the role or the scope fails."""
    from .scoping import place_visible

    role = has_role_for(actor, cap)
    if role and (place is None or place_visible(actor, place)):
        return
    if unless is None or not unless():
        raise PermissionDenied(refusal(cap, place, scope=role, what=what))


def _code(role: str) -> str:
    parts = role.split("_")
    return (parts[0][0] + parts[1][0] if len(parts) > 1 else role[:2]).upper()


def table_text() -> str:
    """The whole table as a grid: one line per capability, one column per role (the heading
    line spells each column's role code: CL = county_leader … SU = superuser)."""
    order = [*Role.values, SUPERUSER]
    width = max(len(c.value) for c in TABLE)
    lines = [" ".join([" " * width, *(_code(r) for r in order)])]
    for cap in sorted(TABLE, key=lambda c: c.value):
        marks = (" x" if r in TABLE[cap].roles else " ." for r in order)
        lines.append(" ".join([cap.value.ljust(width), *marks]))
    return "\n".join(line.rstrip() for line in lines)
