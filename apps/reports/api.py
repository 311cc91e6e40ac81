"""/api/v1/reports: the archive of briefings and 生成简报."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from ninja import Router, Schema

from apps.accounts.requests import AuthedRequest
from apps.core.schemas import CodedErrorOut
from apps.stats.selectors import access_place_for_user

from .actions import do_request_report
from .selectors import reports_for

router = Router(tags=["reports 简报"])


class ReportOut(Schema):
    id: int
    place: int
    place_name: str
    kind: str
    title: str
    period_start: dt.date
    period_end: dt.date
    status: str
    generated_at: dt.datetime | None
    pdf: str | None
    xlsx: str | None


class RequestIn(Schema):
    place: int
    kind: str = "month"
    period: dt.date


def _out(r: Any) -> dict[str, Any]:
    done = r.status == "done"
    return {
        "id": r.pk,
        "place": r.place_id,
        "place_name": r.place.name,
        "kind": r.kind,
        "title": r.title,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "status": r.status,
        "generated_at": r.generated_at,
        "pdf": reverse("reports:download", args=[r.pk, "pdf"]) if done else None,
        "xlsx": reverse("reports:download", args=[r.pk, "xlsx"]) if done else None,
    }


@router.get("/", response=list[ReportOut], summary="简报归档")
def list_reports(request: AuthedRequest, place: int | None = None) -> Any:
    qs = reports_for(request.user)
    if place:
        qs = qs.filter(place=access_place_for_user(request.user, place))
    return [_out(r) for r in qs[:200]]


@router.post(
    "/", response={202: ReportOut, 403: CodedErrorOut, 422: CodedErrorOut}, summary="生成简报"
)
def request_report(request: AuthedRequest, body: RequestIn) -> Any:
    place = access_place_for_user(request.user, body.place)
    try:
        report = do_request_report(place, body.kind, body.period, actor=request.user)
    except PermissionDenied as exc:
        return 403, {"code": "forbidden", "message": str(exc)}
    except ValidationError as exc:
        return 422, {"code": "invalid", "message": exc.messages[0]}
    return 202, _out(report)
