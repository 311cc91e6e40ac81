from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import two_factor
from .actions import client_ip, do_record_login, do_record_login_failure
from .lockout import refused

LOCKED = _("连续登录失败次数过多，账号已临时锁定，请 %(minutes)s 分钟后再试。")


class LockoutMixin:
    """The one login check of every way in: a held name or address is refused even with the
    right password, every failure is counted and audited, and a success is audited. The
    messages are the same for known and unknown names (no username enumeration)."""

    cleaned_data: dict

    def clean(self):
        username = self.cleaned_data.get("username", "")
        ip = client_ip(self.request)  # type: ignore[attr-defined]
        if refused(username, ip):
            do_record_login_failure(username=username, ip=ip, held=True)
            self._raise_locked()
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            if do_record_login_failure(username=username, ip=ip):
                self._raise_locked()
            raise
        user = self.get_user()  # type: ignore[attr-defined]
        if two_factor.second_step(user) is None:
            do_record_login(user=user, ip=ip)
        # else: the login is recorded (and the counters cleared) after the second factor
        return cleaned

    def _raise_locked(self):
        raise forms.ValidationError(
            LOCKED, code="locked", params={"minutes": settings.LOGIN_LOCKOUT_MINUTES}
        )


MESSAGES: dict[str, Any] = {
    "invalid_login": _("用户名或密码不正确。连续输错多次账号将被临时锁定。"),
    "inactive": _("用户名或密码不正确。连续输错多次账号将被临时锁定。"),
}


class LoginForm(LockoutMixin, AuthenticationForm):
    """The staff login page (/accounts/login/)."""

    error_messages = MESSAGES


class AdminLoginForm(LockoutMixin, AdminAuthenticationForm):
    """/admin/login/: the same counters and messages as /accounts/login/."""

    error_messages = MESSAGES
