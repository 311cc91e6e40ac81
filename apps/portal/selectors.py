"""Reads of the resident pages: the catalogue to pick from, places to pick, and a case's
timeline with public labels only (no staff names, notes or other people's data)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from apps.cases.choices import Action, Status
from apps.cases.models import Case, Category
from apps.cases.selectors import case_events, category_list
from apps.places.choices import PlaceKind
from apps.places.models import Place

SEARCH_LIMIT = 20
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
    return category_list().order_by("sort", "code")


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


def place_search(community_id: int | None, text: str) -> list[Place]:
    """Places of one community whose name or address contains `text`."""
    text = (text or "").strip()
    if not community_id or not text:
        return []
    community = Place.objects.filter(pk=community_id, kind=PlaceKind.COMMUNITY).first()
    if community is None:
        return []
    return list(
        Place.objects.subtree(community, include_self=False)
        .filter(Q(name__icontains=text) | Q(address__icontains=text))
        .order_by("depth", "path")[:SEARCH_LIMIT]
    )


def public_timeline(case: Case) -> list[Step]:
    steps = []
    for event in case_events(case):
        text = PUBLIC_ACTIONS.get(Action(event.action))
        if text:
            status = Status(event.to_status).label if event.to_status else ""
            steps.append(Step(at=event.at, text=text, status=status))
    return steps
