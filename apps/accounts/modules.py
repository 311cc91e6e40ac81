"""Which parts of Gongzhi a role with a narrow job opens at all (least privilege, 等保三级).

The scope rule (apps/places/scope.py) says *where* an account reads; capabilities
(permissions.py) say what it may *do*. Neither says that a construction company's project
account, a village bookkeeper or the audit administrator has no business reading the county's
residents register, its ECG exams or its case inbox, although their scope place is the county
or the village. This table does: a role listed in `ONLY` opens the modules named there (plus
`ALWAYS`); every other module answers 403 with a Chinese sentence, in pages and in the API
(`ModuleGateMiddleware`), and the navigation leaves it out (`opens`). Roles not listed keep
what their capabilities allow.

A module is an app's URL namespace (`apps/<app>/urls.py` `app_name`); the API's first path
segment is mapped to the same names.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse

from .choices import Role

R = Role

# What every signed-in account opens: its own account and security pages, its notifications,
# the field app's outbox, the public pages, and the admin site (which keeps its own model
# permissions, ScopedAdmin).
ALWAYS = frozenset({"accounts", "notifications", "outbox", "portal", "open311", "demo", "admin"})

ONLY: dict[str, frozenset[str]] = {
    # key projects: the project register and its stages; blockers are followed on the
    # project page (the department handling one sees the case in its own inbox); the city's
    # 专班 also reads the overview's figures and its map of projects
    R.PROJECT_OFFICIAL: frozenset({"projects", "stats"}),
    R.PROJECT_UNIT: frozenset({"projects"}),
    # the village books (the import templates and uploads go through ledgers)
    R.VILLAGE_ACCOUNTANT: frozenset({"collective", "ledgers"}),
    R.VILLAGE_SUPERVISOR: frozenset({"collective"}),
    R.AGENCY_ACCOUNTANT: frozenset({"collective", "ledgers"}),
    # the forest-chief system: zones, patrols, and the cases their events become
    R.FOREST_CHIEF: frozenset({"forestry", "cases", "stats", "reports"}),
    R.RANGER: frozenset({"forestry", "cases"}),
    # the tele-ECG network
    R.CLINIC_DOCTOR: frozenset({"ecg"}),
    R.ECG_PHYSICIAN: frozenset({"ecg"}),
    # 三员分立: the security and audit administrators work in accounts (and the admin site)
    R.SECURITY_ADMIN: frozenset(),
    R.AUDITOR: frozenset(),
}

# Roles whose work is with the households they answer for (包联党员, volunteers): inside the
# modules they open, the residents register shows them the people of the places they hold a
# current duty for (their 包联 households, a pairing's household, a building they head) and
# themselves, not everyone in their scope (SPEC, users: "see the households they answer for";
# ADR 0072). apps/people/selectors.py applies it.
BY_DUTY: frozenset[str] = frozenset({R.PARTY_MEMBER, R.VOLUNTEER})


def reads_people_by_duty(user: Any) -> bool:
    return getattr(user, "role", None) in BY_DUTY and not user.is_superuser


# /api/v1/<segment>/… → the module it belongs to (where the names differ)
API_MODULES = {"services": "volunteers", "forest": "forestry"}

NAMES = {
    "places": "区域",
    "people": "人员",
    "orgs": "组织",
    "duties": "责任",
    "ledgers": "台账",
    "cases": "工单",
    "ecg": "心电",
    "visits": "走访",
    "services": "服务派单",
    "volunteers": "志愿服务",
    "dual": "双报到",
    "stats": "数据",
    "meetings": "议事会议",
    "care": "结对关爱",
    "mediation": "矛盾调解",
    "errands": "陪办帮办",
    "brands": "服务品牌",
    "activities": "活动",
    "reports": "工作简报",
    "forestry": "林长制",
    "projects": "重点项目",
    "collective": "村集体经济",
}


def allowed(user: Any) -> frozenset[str] | None:
    """The modules this account opens; None: no module limit (its capabilities decide)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    only = ONLY.get(getattr(user, "role", ""))
    return None if only is None else only | ALWAYS


def opens(user: Any, module: str) -> bool:
    limit = allowed(user)
    return limit is None or module in limit


class Opens:
    """`{% if "people" in opens %}` in templates."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __contains__(self, module: str) -> bool:
        return opens(self.user, module)


def _module_of(request: HttpRequest) -> str | None:
    path = request.path_info
    if path.startswith("/api/v1/"):
        segment = path[len("/api/v1/") :].split("/", 1)[0]
        if segment in ("", "docs", "openapi.json"):
            return None
        return API_MODULES.get(segment, segment)
    match = request.resolver_match
    if match is None or not match.namespaces:
        return None
    if match.view_name == "places:home":  # the landing redirect, for every role
        return None
    return match.namespaces[0]


def refusal(user: Any, module: str) -> str:
    return f"您的角色（{user.get_role_display()}）不使用「{NAMES.get(module, module)}」功能"


class ModuleGateMiddleware:
    """Refuses (403) a module outside the account's `allowed` set, pages and API alike."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        limit = allowed(user)
        if limit is None:
            return None
        module = _module_of(request)
        if module is None or module in limit:
            return None
        if request.path_info.startswith("/api/v1/"):
            return JsonResponse({"detail": refusal(user, module)}, status=403)
        raise PermissionDenied(refusal(user, module))
