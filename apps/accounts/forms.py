from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .actions import client_ip, do_record_login_failure, is_locked
from .models import User


class LoginForm(AuthenticationForm):
    """Django's login form plus lockout: a locked account is refused even with the right
    password, and every failure is counted and audited."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错多次账号将被临时锁定。"),
        "inactive": _("该账号已停用，请联系管理员。"),
        "locked": _("连续登录失败次数过多，账号已临时锁定，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username", "")
        user = User.objects.filter(username=username).first()
        if user is not None and is_locked(user):
            self._raise_locked()
        try:
            return super().clean()
        except forms.ValidationError:
            user = do_record_login_failure(username=username, ip=client_ip(self.request))
            if user is not None and is_locked(user):
                self._raise_locked()
            raise

    def _raise_locked(self):
        from django.conf import settings

        raise forms.ValidationError(
            self.error_messages["locked"],
            code="locked",
            params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
        )
