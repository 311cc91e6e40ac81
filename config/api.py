"""The one HTTP API (OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from apps.accounts.apikeys import ApiKeyAuth
from apps.core.health import check as check_health
from apps.core.schemas import CodedErrorOut, ErrorOut

# Answers any operation can give, from the API's own handlers below and the middleware, not from
# the operation's code: documented on every operation that does not name them itself (issue 14:
# schemathesis found 404s and 422s on operations whose document listed only their 200).
_ERROR = {"$ref": "#/components/schemas/ErrorOut"}
_ERROR_OR_CODED = {"anyOf": [_ERROR, {"$ref": "#/components/schemas/CodedErrorOut"}]}
COMMON_RESPONSES: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("请求含有空字符（NUL）等无法处理的内容", _ERROR),
    "401": ("未登录，或接口密钥无效", _ERROR),
    "403": ("无权执行该操作", _ERROR),
    "404": ("未找到，或不在您的管辖范围内", _ERROR),
    "422": ("参数或内容不合要求（逐项说明）", _ERROR_OR_CODED),
}


class GongzhiAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for shape in (ErrorOut, CodedErrorOut):
            components.setdefault(shape.__name__, shape.json_schema())
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for code, (text, body) in COMMON_RESPONSES.items():
                    if code == "401" and not operation.get("security"):
                        continue  # no login needed: never a 401
                    answer: dict[str, Any] = body
                    # ninja keys the operation's own answers by int: one key per code, or the
                    # JSON document would hold "422" twice (Swagger UI refuses it); an
                    # operation's own body for the code is one of the two shapes it may take
                    own = responses.pop(int(code), None) or {}
                    own_schema = own.get("content", {}).get("application/json", {}).get("schema")
                    if own_schema:
                        answer = {"anyOf": [own_schema, body]}
                    responses.setdefault(
                        code,
                        {
                            "description": own.get("description") or text,
                            "content": {"application/json": {"schema": answer}},
                        },
                    )
        return schema


api = GongzhiAPI(
    title="共治 Gongzhi API",
    version="1",
    description="基层治理平台接口。所有接口按账号的管辖范围返回数据；范围外的对象一律 404。"
    "认证：登录会话，或接口密钥（X-API-Key 或 Authorization: Bearer）。",
    # The key first: the session check demands a CSRF token on writes and, failing, would
    # stop a key-only client before its key is looked at.
    auth=[ApiKeyAuth(), django_auth],
    urls_namespace="api",
    docs_url=None,  # docs_page below: behind login, Swagger UI served from static/vendor
)


@login_required
def docs_page(request: HttpRequest) -> HttpResponse:
    """/api/v1/docs for a signed-in user: Swagger UI 5 from static/vendor/swagger-ui (no CDN,
    so it works on an intranet without Internet), reading /api/v1/openapi.json."""
    settings = {
        "url": reverse("api:openapi-json"),
        "layout": "BaseLayout",
        "deepLinking": True,
        "validatorUrl": None,  # Swagger UI would otherwise ask validator.swagger.io
    }
    return render(request, "api/docs.html", {"title": api.title, "swagger_settings": settings})


api.add_router("/places", "apps.places.api.router")
api.add_router("/people", "apps.people.api.router")
api.add_router("/orgs", "apps.orgs.api.router")
api.add_router("/duties", "apps.duties.api.router")
api.add_router("/notifications", "apps.notifications.api.router")
api.add_router("/cases", "apps.cases.api.router")
api.add_router("/ecg", "apps.ecg.api.router")
api.add_router("/visits", "apps.visits.api.router")
api.add_router("/services", "apps.volunteers.api.router")
api.add_router("/stats", "apps.stats.api.router")
api.add_router("/meetings", "apps.meetings.api.router")
api.add_router("/care", "apps.care.api.router")
api.add_router("/mediation", "apps.mediation.api.router")
api.add_router("/errands", "apps.errands.api.router")
api.add_router("/brands", "apps.brands.api.router")
api.add_router("/activities", "apps.activities.api.router")
api.add_router("/reports", "apps.reports.api.router")
api.add_router("/collective", "apps.collective.api.router")
api.add_router("/forest", "apps.forestry.api.router")


class HealthOut(Schema):
    status: str
    failed: list[str]
    checks: dict[str, dict[str, Any]]


@api.get(
    "/health",
    auth=None,
    response={200: HealthOut, 503: HealthOut},
    summary="健康检查（数据库、Redis、任务积压）",
    tags=["运维"],
)
def health(request: HttpRequest) -> Any:
    """200 when the database (and, with GONGZHI_TASKS=redis, Redis and the task queue) are
    fine; 503 naming what failed otherwise (docs/operations.md)."""
    result = check_health()
    return (200 if result.ok else 503), result.as_dict()


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """An action's refusal, in its own Chinese words (never a 500)."""
    return api.create_response(request, {"detail": str(exc) or "无权执行该操作"}, status=403)


NOT_FOUND = "未找到，或不在您的管辖范围内"


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """A 404 in Chinese: the lookup's own words when it gave Chinese ones (查询码无效 …), the
    scope rule's otherwise (Django's and ninja's defaults are English)."""
    text = str(exc)
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        text = NOT_FOUND
    return api.create_response(request, {"detail": text}, status=404)


@api.exception_handler(DjangoValidationError)
def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """An action's validation error as a 422 in the same shape as schema errors."""
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = [
        {"loc": ["body", field], "msg": message, "type": "value_error"}
        for field, messages in fields.items()
        for message in messages
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(OverflowError)
def out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """An id or number beyond 64 bits (SQLite cannot even bind it: a 500 found by schemathesis
    on /api/v1/duties/?person=… and POST /api/v1/cases/) is a 422 like any invalid value."""
    detail = [{"loc": ["request"], "msg": "数值超出范围", "type": "value_error"}]
    return api.create_response(request, {"detail": detail}, status=422)
