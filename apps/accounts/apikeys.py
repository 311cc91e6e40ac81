"""API keys: issue, verify, revoke.

A key is `gz_` followed by 32 random bytes in URL-safe base64. Only its SHA-256 is stored, so
a stolen database does not yield working keys; the key is shown once, when it is issued. The
first characters after `gz_` are kept as the prefix that names the key in lists.

A key acts as an account. Issued for a place, it gets a service account of its own (role and
scope chosen by the issuer, unusable password, so it cannot log in to the pages); issued for an
existing account, it acts with that account's role and scope.
"""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader

from apps.core import audit
from apps.core.choices import AuditVerb
from apps.places.models import Place

from .choices import Role
from .models import ApiKey, User
from .permissions import Cap, can
from .scoping import place_in_scope

KEY_PREFIX = "gz_"
PREFIX_CHARS = 8
# Roles a service account may hold: any role but the administrator's.
SERVICE_ROLES = [(value, label) for value, label in Role.choices if value != Role.ADMIN]
DEFAULT_SERVICE_ROLE = Role.VOLUNTEER  # the narrowest role that may register cases
TOUCH_EVERY = dt.timedelta(minutes=1)
# A verified key's account is kept in the cache this long (seconds), so a request costs no
# query to authenticate. Revoking a key and saving its account drop the entry at once in the
# cache they run against (shared by every process when the cache is Redis, as in production);
# a process with a cache of its own may act on a stale entry for at most this long.
KEY_CACHE_SECONDS = settings.GONGZHI_API_KEY_CACHE_SECONDS


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """(the key, its prefix)."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    return raw, raw[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_CHARS]


def may_issue(user: Any) -> bool:
    return can(user, Cap.ACCOUNTS_ISSUE_API_KEYS)


def api_keys_visible_to(user: Any) -> QuerySet[ApiKey]:
    """Keys whose account lies in the user's scope (administrators only)."""
    if not may_issue(user):
        return ApiKey.objects.none()
    return ApiKey.objects.visible_to(user).select_related("user", "user__scope", "created_by")


def _service_user(name: str, prefix: str, scope: Place, role: str) -> User:
    user = User(
        username=f"api-{prefix.lower()}",
        display_name=f"接口：{name}"[:50],
        role=role,
        scope=scope,
    )
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def do_create_api_key(
    *,
    name: str,
    actor: User | None,
    scope: Place | None = None,
    role: str = DEFAULT_SERVICE_ROLE,
    user: User | None = None,
) -> tuple[ApiKey, str]:
    """Issue a key; returns (key row, the key itself — shown once, never stored). Give either
    `scope` (a service account is made with `role`) or `user` (the key acts as that account).
    `actor` None is the command line (the operator of the server)."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "请填写密钥名称"
    if (scope is None) == (user is None):
        errors["scope"] = "请指定密钥的管辖范围（或代表的账号）"
    if role not in dict(SERVICE_ROLES):
        errors["role"] = "接口密钥不能使用该角色"
    if errors:
        raise ValidationError(errors)
    if actor is not None:
        target = scope if scope is not None else getattr(user, "scope", None)
        if not may_issue(actor) or target is None or not place_in_scope(actor, target):
            raise PermissionDenied("只能为本人管辖范围内的地点签发密钥")
    raw, prefix = new_key()
    # A prefix starting with "-" would read as an option on the command line (`revoke -x…`).
    while prefix.startswith("-") or ApiKey.objects.filter(prefix=prefix).exists():
        raw, prefix = new_key()
    if user is None:
        assert scope is not None
        user = _service_user(name, prefix, scope, role)
    key = ApiKey.objects.create(
        name=name[:100], prefix=prefix, key_hash=hash_key(raw), user=user, created_by=actor
    )
    audit.record(
        actor=actor or "命令行",
        verb=AuditVerb.CREATE,
        obj=key,
        changes={"name": key.name, "prefix": prefix, "user": user.username, "role": user.role},
    )
    return key, raw


@transaction.atomic
def do_revoke_api_key(key: ApiKey, *, actor: User | None) -> ApiKey:
    """Revoke a key at once; its service account (if it has one) is deactivated too."""
    key = ApiKey.objects.select_for_update().select_related("user").get(pk=key.pk)
    if actor is not None and not api_keys_visible_to(actor).filter(pk=key.pk).exists():
        raise PermissionDenied("只能吊销本人管辖范围内的密钥")
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.revoked_by = actor
    key.save(update_fields=["revoked_at", "revoked_by"])
    if key.user.username.startswith("api-") and not key.user.has_usable_password():
        User.objects.filter(pk=key.user_id).update(is_active=False)
    forget_keys(user_id=key.user_id, digests=[key.key_hash])
    audit.record(
        actor=actor or "命令行",
        verb=AuditVerb.UPDATE,
        obj=key,
        changes={"revoked": True, "prefix": key.prefix},
    )
    return key


def _cache_key(digest: str) -> str:
    return f"apikey:{digest}"


def forget_keys(*, user_id: int | None = None, digests: Any = ()) -> None:
    """Drop cached verifications: of the given key digests and of every key of `user_id`,
    now and again after the transaction commits (a request between the two could have cached
    the old row)."""
    names = {_cache_key(d) for d in digests}
    if user_id is not None:
        names |= {
            _cache_key(d)
            for d in ApiKey.objects.filter(user_id=user_id).values_list("key_hash", flat=True)
        }
    if names:
        cache.delete_many(list(names))
        transaction.on_commit(lambda: cache.delete_many(list(names)))


def user_for_key(raw: str | None) -> User | None:
    """The active account a key acts as; None for a missing, unknown or revoked key. A key
    verified in the last `KEY_CACHE_SECONDS` costs no query (see `forget_keys`)."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 100:
        return None
    digest = hash_key(raw)
    entry = cache.get(_cache_key(digest))
    if entry is None:
        key = (
            ApiKey.objects.filter(key_hash=digest, revoked_at__isnull=True)
            .select_related("user", "user__scope")
            .first()
        )
        if key is None or not key.user.is_active:
            return None  # misses are not cached: a guessed key must not fill the cache
        entry = {"pk": key.pk, "user": key.user, "last_used_at": key.last_used_at}
        cache.set(_cache_key(digest), entry, KEY_CACHE_SECONDS)
    now = timezone.now()
    last = entry["last_used_at"]
    if last is None or last < now - TOUCH_EVERY:
        # At most one write a minute per key, not one per request.
        ApiKey.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY), pk=entry["pk"]
        ).update(last_used_at=now)
        entry["last_used_at"] = now
        cache.set(_cache_key(digest), entry, KEY_CACHE_SECONDS)
    user: User = entry["user"]
    return user


def key_from_request(request: Any) -> str | None:
    """The key of `X-API-Key` or `Authorization: Bearer …`."""
    header = request.headers.get("X-API-Key")
    if header:
        return header.strip()
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class ApiKeyAuth(APIKeyHeader):
    """django-ninja authentication by API key (`X-API-Key: gz_…` or `Authorization: Bearer
    gz_…`). The request then runs as the key's account: `request.user` is set to it, so every
    handler's scoping works unchanged."""

    param_name = "X-API-Key"

    def _get_key(self, request: HttpRequest) -> str | None:
        return key_from_request(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = user_for_key(key)
        if user is not None:
            request.user = user
        elif key:
            # A key was sent and is wrong: answer 401 now. Falling through to the session
            # check would answer a key-only client's POST with 403 "CSRF check failed".
            raise AuthenticationError(401, "接口密钥无效、已吊销或已过期")
        return user
