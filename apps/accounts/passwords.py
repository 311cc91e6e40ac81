"""Password policy (MLPS 2.0 level 3, identity): complexity, no reuse of the last passwords, and
expiry.

* complexity: Django's validators (length ≥ 10, not common, not all digits, not like the
  account's name) and `CharacterClassesValidator` (three of: capitals, small letters, digits,
  symbols);
* no reuse: `PasswordHistoryValidator` refuses any of the account's last PASSWORD_HISTORY
  passwords and, through Django's `password_changed` hook (run by `User.save()` after
  `set_password`, whoever calls it: the change page, the admin, `changepassword`), keeps the
  new hash in `PasswordHistory` and drops the older ones;
* expiry: at login (`user_logged_in`) an account whose password is older than
  PASSWORD_MAX_AGE_DAYS is marked in its session, and `PasswordExpiryMiddleware` sends it to
  the change page — every other page redirects there, the API answers 403 — until it has
  changed the password. API keys are not passwords and are not affected.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "gz_password_expired"
EXPIRED = "您的密码已超过 %(days)d 天未修改，请先修改密码再继续使用。"


class CharacterClassesValidator:
    """At least `classes` of the four kinds of characters."""

    def __init__(self, classes: int = 3) -> None:
        self.classes = classes

    def validate(self, password: str, user: Any = None) -> None:
        kinds = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(kinds) < self.classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类。",
                code="password_too_simple",
                params={"n": self.classes},
            )

    def get_help_text(self) -> str:
        return f"至少包含大写字母、小写字母、数字、符号中的{self.classes}类。"


def _history(user: Any) -> Any:
    from .models import PasswordHistory

    return PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


class PasswordHistoryValidator:
    """Not one of the account's last `settings.PASSWORD_HISTORY` passwords."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        recent = _history(user).values_list("password", flat=True)[: settings.PASSWORD_HISTORY]
        if any(check_password(password, hashed) for hashed in recent):
            raise ValidationError(
                "新密码不能与最近%(n)d次使用过的密码相同。",
                code="password_reused",
                params={"n": settings.PASSWORD_HISTORY},
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        from .models import PasswordHistory

        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(
            user_id=user.pk, password=user.password, created_at=timezone.now()
        )
        old = list(_history(user).values_list("pk", flat=True)[settings.PASSWORD_HISTORY :])
        if old:
            PasswordHistory.objects.filter(pk__in=old).delete()

    def get_help_text(self) -> str:
        return f"不能与最近{settings.PASSWORD_HISTORY}次使用过的密码相同。"


def changed_at(user: Any) -> datetime | None:
    """When the account's password was last set (None: never, since the policy began)."""
    return _history(user).values_list("created_at", flat=True).first()


def is_expired(user: Any, now: datetime | None = None) -> bool:
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password():
        return False
    last = changed_at(user)
    if last is None:
        return False  # the migration started every existing account's clock
    return (now or timezone.now()) - last > timedelta(days=days)


@receiver(user_logged_in, dispatch_uid="accounts.passwords.expiry_at_login")
def check_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if is_expired(user):
        request.session[SESSION_KEY] = True
    else:
        request.session.pop(SESSION_KEY, None)


# Reachable with an expired password: the change page itself, logging out, static files.
OPEN_PATHS = ("/static/", "/favicon")


class PasswordExpiryMiddleware:
    """While the session is marked expired, every page but the change page redirects to it;
    the API (session) answers 403 saying so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or not session.get(SESSION_KEY):
            return self.get_response(request)
        if not request.user.is_authenticated:
            session.pop(SESSION_KEY, None)
            return self.get_response(request)
        path = request.path_info
        change, logout = reverse("accounts:password_change"), reverse("accounts:logout")
        if path in (change, logout) or path.startswith(OPEN_PATHS):
            return self.get_response(request)
        if path.startswith("/api/"):
            keyed = request.headers.get("X-API-Key") or request.headers.get(
                "Authorization", ""
            ).startswith("Bearer ")
            if keyed:
                return self.get_response(request)  # a key, not the session's password
            message = EXPIRED % {"days": settings.PASSWORD_MAX_AGE_DAYS}
            return JsonResponse({"detail": message}, status=403)
        return redirect(change)
