"""The one HTTP API (OpenAPI 3 at /api/openapi.json, docs at /api/docs)."""

from ninja import NinjaAPI
from ninja.security import django_auth

from apps.accounts.apikeys import ApiKeyAuth

api = NinjaAPI(
    title="共治 Gongzhi API",
    version="1",
    description="基层治理平台接口。所有接口按账号的管辖范围返回数据；范围外的对象一律 404。"
    "认证：登录会话，或接口密钥（X-API-Key 或 Authorization: Bearer）。",
    # The key first: the session check demands a CSRF token on writes and, failing, would
    # stop a key-only client before its key is looked at.
    auth=[ApiKeyAuth(), django_auth],
    urls_namespace="api",
)

api.add_router("/places", "apps.places.api.router")
api.add_router("/people", "apps.people.api.router")
api.add_router("/orgs", "apps.orgs.api.router")
api.add_router("/duties", "apps.duties.api.router")
api.add_router("/notifications", "apps.notifications.api.router")
api.add_router("/cases", "apps.cases.api.router")
api.add_router("/ecg", "apps.ecg.api.router")
