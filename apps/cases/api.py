"""/api/v1/cases/: cases over HTTP. Handlers call selectors and actions only.

Errors are JSON `{"code": …, "message": "中文"}`: 400 illegal_transition, 403 not_allowed,
404 not found or out of scope, 409 conflict (a lost 抢单), 422 invalid.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Query, Router
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.core.compiled import STR_MARKER, CompiledQuery
from apps.core.health import check as check_health
from apps.core.paging import PageNumberPagination
from apps.people.models import Person
from apps.places.models import Place

from . import selectors
from .actions import do_create_case, do_transition_within
from .choices import Action
from .errors import CaseError
from .filters import CaseFilter
from .models import Case, Category
from .schemas import (
    CaseCreatedOut,
    CaseDetailOut,
    CaseFilterParams,
    CaseIn,
    CaseOut,
    CategoryOut,
    CodedErrorOut,
    DuplicateOut,
    HotIssueOut,
    KpiOut,
    RatingIn,
    SuggestionOut,
    TransitionIn,
)

router = Router(tags=["事项"])
ERRORS: dict[int, Any] = {
    400: CodedErrorOut,
    403: CodedErrorOut,
    409: CodedErrorOut,
    422: CodedErrorOut,
}


def _error(exc: CaseError) -> tuple[int, dict[str, str]]:
    return exc.status, {"code": exc.code, "message": exc.message}


def _invalid(exc: DjangoValidationError) -> tuple[int, dict[str, str]]:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    text = "；".join(m for ms in messages.values() for m in ms)
    return 422, {"code": "invalid", "message": text}


# `selectors.case_timeline`, compiled once per process (every transition answers with it),
# and the two look-ups of every registration.
_TIMELINE = CompiledQuery(lambda pk: selectors.case_timeline(Case(pk=pk)))
_ACTIVE_CATEGORY = CompiledQuery(
    lambda code: Category.objects.filter(code=code, active=True).order_by("pk")[:1], STR_MARKER
)
_PLACE = CompiledQuery(lambda pk: Place.objects.filter(pk=pk))


def _with_timeline(case: Case, user: Any) -> Case:
    case.timeline = _TIMELINE.all(case.pk)  # type: ignore[attr-defined]
    case.allowed_actions = selectors.case_buttons(case, user)  # type: ignore[attr-defined]
    return case


def _detail(request: HttpRequest, pk: int) -> Case:
    return _with_timeline(selectors.access_case_for_user(request.user, pk), request.user)


@router.get("/", response=list[CaseOut], summary="事项列表")
@paginate(PageNumberPagination, page_size=50)
def list_cases(request: AuthedRequest, filters: Query[CaseFilterParams]) -> Any:
    form = CaseFilter(filters.dict(exclude_none=True), user=request.user)
    if not form.is_valid():
        raise NinjaValidationError(
            [
                {"loc": ["query", field], "msg": message, "type": "value_error"}
                for field, messages in form.errors.items()
                for message in messages
            ]
        )
    return selectors.case_list(request.user, form)


@router.get(
    "/health", auth=None, summary="健康检查（同 /api/v1/health）", response={200: dict, 503: dict}
)
def health(request: HttpRequest) -> Any:
    """The same check as /api/v1/health (it answered ok with the database down, and monitors
    were pointed at it); the benchmark's bare-request yardstick now includes one SELECT 1."""
    result = check_health()
    return (200 if result.ok else 503), result.as_dict()


def _duplicates_out(request: HttpRequest, case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": d.case.pk,
            "number": d.case.number,
            "title": d.case.title,
            "status": d.case.status,
            "score": d.score,
            "reasons": d.reasons,
        }
        for d in selectors.possible_duplicates(request.user, case)
    ]


@router.get("/hot", response={200: list[HotIssueOut], 422: CodedErrorOut}, summary="热点诉求")
def hot(request: AuthedRequest, place: int | None = None, days: int = 14) -> Any:
    node = (
        Place.objects.visible_to(request.user).filter(pk=place).first()
        if place
        else request.user.scope
    )
    if node is None or not 1 <= days <= 366:
        return 422, {"code": "invalid", "message": "地点不在您的管辖范围内，或天数不在1–366之间"}
    since = timezone.now() - dt.timedelta(days=days)
    return 200, [
        {
            "area": h.area.pk,
            "area_name": h.area.name,
            "title": h.title,
            "keywords": h.keywords,
            "categories": h.categories,
            "size": h.size,
            "open_count": h.open_count,
            "first_at": h.first_at,
            "last_at": h.last_at,
            "cases": [c.pk for c in h.cases],
        }
        for h in selectors.hot_issues(request.user, node, since)
    ]


@router.post(
    "/track/{token}/rating",
    auth=None,
    response={200: CaseOut, **ERRORS},
    summary="居民凭查询码评价（不满意即重办）",
)
def rate_by_token(request: HttpRequest, token: str, payload: RatingIn) -> Any:
    if not token or len(token) > 64:
        raise Http404("查询码无效")
    try:
        case = do_transition_within(
            ("tracking_token", token),
            Action.RATE,
            actor=None,
            token=token,
            note=payload.comment,
            data={"rating": payload.rating, "comment": payload.comment},
        )
    except CaseError as exc:
        return _error(exc)
    except Http404 as exc:  # no case has this token
        raise Http404("查询码无效") from exc
    return 200, case  # as locked and saved: category, place and unit loaded


@router.get("/categories", response=list[CategoryOut], summary="事项目录")
def list_categories(request: AuthedRequest) -> Any:
    return selectors.category_list()


@router.get("/kpis", response={200: KpiOut, 422: CodedErrorOut}, summary="三率等指标")
def kpis(
    request: AuthedRequest,
    place: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    period: str = "month",
) -> Any:
    node = (
        Place.objects.visible_to(request.user).filter(pk=place).first()
        if place
        else request.user.scope
    )
    if node is None:
        return 422, {"code": "invalid", "message": "地点不存在或不在您的管辖范围内"}
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    figures = selectors.case_kpis(request.user, node, date_from, date_to, period=period)
    out = {name: getattr(figures, name) for name in KpiOut.model_fields if hasattr(figures, name)}
    out["place"] = node.pk
    out["by_category"] = [
        {"code": r["category__code"], "name": r["category__name"], "n": r["n"]}
        for r in figures.by_category
    ]
    for name in ("response", "handling"):
        value = getattr(figures, f"mean_{name}")
        out[f"mean_{name}_hours"] = round(value.total_seconds() / 3600, 2) if value else None
    return out


@router.get("/{int:pk}", response=CaseDetailOut, summary="事项详情与办理记录")
def get_case(request: AuthedRequest, pk: int) -> Any:
    return _detail(request, pk)


@router.get(
    "/{int:pk}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    summary="派单建议（候选人、得分与理由）",
)
def suggestions(request: AuthedRequest, pk: int) -> Any:
    case = selectors.access_case_for_user(request.user, pk)
    try:
        found = selectors.dispatch_suggestions(request.user, case)
    except CaseError as exc:
        return _error(exc)
    return 200, [
        {
            "kind": c.kind,
            "kind_label": c.kind_label,
            "name": c.name,
            "score": c.score,
            "parts": {k: round(v, 1) for k, v in c.parts.items()},
            "reasons": c.reasons,
            "dispatchable": c.dispatchable,
            "note": c.note,
            "data": c.data,
        }
        for c in found
    ]


@router.get("/{int:pk}/duplicates", response=list[DuplicateOut], summary="可能重复的事项")
def duplicates(request: AuthedRequest, pk: int) -> Any:
    return _duplicates_out(request, selectors.access_case_for_user(request.user, pk))


@router.post(
    "/",
    response={200: CaseCreatedOut, 201: CaseCreatedOut, 403: CodedErrorOut, 422: CodedErrorOut},
    summary="登记事项（Idempotency-Key 重试不重复；返回可能重复的事项）",
)
def create_case(
    request: AuthedRequest,
    payload: CaseIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    if idempotency_key is not None and not (0 < len(idempotency_key) <= 100):
        return 422, {"code": "invalid", "message": "Idempotency-Key 长度应为1–100个字符"}
    data = payload.dict()
    people = Person.objects.visible_to(request.user)
    data["category"] = next(iter(_ACTIVE_CATEGORY.all(data["category"])), None)
    # by id only: do_create_case refuses a place outside the actor's scope with the same words
    # as a place that does not exist (its scope check is on the loaded path, no query)
    data["place"] = next(iter(_PLACE.all(data["place"])), None)
    data["reporter"] = people.filter(pk=data["reporter"]).first() if data["reporter"] else None
    data["persons"] = list(people.filter(pk__in=data["persons"])) if data["persons"] else []
    try:
        case, created = do_create_case(
            actor=request.user,
            idempotency_key=idempotency_key,
            require_form_fields=True,
            **data,
        )
    except CaseError as exc:
        return _error(exc)
    except DjangoValidationError as exc:
        return _invalid(exc)
    if not created:  # a retry: the case the first call made, as it is now
        case = selectors.access_case_for_user(request.user, case.pk)
    # A new case is answered as made: its category and place are the ones looked up above.
    case.possible_duplicates = _duplicates_out(request, case)  # type: ignore[attr-defined]
    return (201 if created else 200), case


@router.post(
    "/{int:pk}/transitions",
    response={200: CaseDetailOut, **ERRORS},
    summary="办理：受理、派单、接单、办结、退单、上报、延期、督办、合并、撤销…",
)
def transition(request: AuthedRequest, pk: int, payload: TransitionIn) -> Any:
    try:
        case = do_transition_within(
            ("pk", pk),
            payload.action,
            actor=request.user,
            note=payload.note,
            data=payload.data,
            # the scope is checked on the locked row (selectors.still_visible: the rule of
            # visible_cases, without its OR across the join, which is slow to plan)
            visible=lambda case: selectors.still_visible(case, request.user),
        )
    except CaseError as exc:
        return _error(exc)
    # The answer is the row as saved (place, unit and category loaded), not a second read —
    # unless the move took the case out of the user's sight (a 退单 by a handler outside it).
    if not selectors.still_visible(case, request.user):
        raise Http404("未找到，或不在您的管辖范围内")
    return 200, _with_timeline(case, request.user)
