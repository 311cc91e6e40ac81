"""`/api/v1/stats/`: the indicator definitions and their values for a place and period."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from apps.core.schemas import CodedErrorOut

from .indicators import INDICATORS, REGISTRY, Scope
from .selectors import access_place_for_user

router = Router(tags=["stats"])


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    unit: str
    reads: str
    periodic: bool
    shape: str


class ValuesOut(Schema):
    place: int
    date_from: dt.date
    date_to: dt.date
    values: dict[str, Any]


@router.get("/indicators", response=list[IndicatorOut], summary="指标目录与口径说明")
def list_indicators(request: HttpRequest) -> Any:
    return INDICATORS


@router.get("/values", response={200: ValuesOut, 422: CodedErrorOut}, summary="指标取值")
def indicator_values(
    request: HttpRequest,
    place: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    codes: list[str] = Query(None),  # type: ignore[assignment]  # noqa: B008
) -> Any:
    """Values of the named indicators (all by default) for the subtree of `place` (default:
    the user's scope) and [date_from, date_to] (default: this month to today)."""
    node = access_place_for_user(request.user, place) if place else request.user.scope
    if node is None:
        return 422, {"code": "invalid", "message": "请指定地点"}
    unknown = [c for c in codes or [] if c not in REGISTRY]
    if unknown:
        return 422, {"code": "invalid", "message": f"未知指标：{'、'.join(unknown)}"}
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to.replace(day=1)
    if date_from > date_to:
        return 422, {"code": "invalid", "message": "结束日期不能早于开始日期"}
    scope = Scope(request.user, node, date_from, date_to)
    wanted = codes or list(REGISTRY)
    return {
        "place": node.pk,
        "date_from": date_from,
        "date_to": date_to,
        "values": {c: REGISTRY[c].compute(scope) for c in wanted},
    }
