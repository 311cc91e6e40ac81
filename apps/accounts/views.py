from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core import audit
from apps.core.choices import AuditVerb

from . import passwords, two_factor
from .actions import (
    client_ip,
    do_check_second_factor,
    do_enrol_totp,
    do_record_login,
    do_record_login_failure,
)
from .forms import LOCKED, AdminLoginForm, LoginForm
from .lockout import refused
from .models import User

WRONG_CODE = "动态口令或恢复码不正确。连续输错多次账号将被临时锁定。"
EXPIRED = "登录已超时，请重新输入用户名和密码。"


class LoginView(auth_views.LoginView):
    """The login page; the lockout, and the audit of success and failure, live in the form
    (`LockoutMixin`), which /admin/login/ uses too. An account with a second factor is not
    logged in here: the session keeps it pending and the code page (or enrolment) follows."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        step = two_factor.second_step(user)
        if step is None:
            return super().form_valid(form)
        two_factor.start_pending(self.request.session, user, self.get_success_url())
        return redirect(
            "accounts:two_factor_setup" if step == two_factor.ENROL else "accounts:two_factor"
        )


class AdminLoginView(LoginView):
    """/admin/login/: the admin's own page and form (staff only), the same lockout and the same
    second factor as /accounts/login/."""

    template_name = "admin/login.html"
    form_class = AdminLoginForm  # type: ignore[assignment]
    redirect_authenticated_user = False

    def get_success_url(self) -> str:
        url = self.get_redirect_url()
        return url or reverse("admin:index")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            admin.site.each_context(self.request),
            title="登录",
            subtitle=None,
            app_path=self.request.get_full_path(),
            username=self.request.user.get_username(),
        )
        return context


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password: the old one, then a new one that passes the policy
    (apps/accounts/passwords.py: complexity, not one of the last five). Reached after login
    when the password has expired; nothing else is reachable until it is done. Audited."""

    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        return reverse("places:home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = settings.PASSWORD_HISTORY
        if self.request.session.get(passwords.SESSION_KEY):
            context["expired"] = passwords.EXPIRED % {"days": settings.PASSWORD_MAX_AGE_DAYS}
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)  # saves, keeps the session signed in
            audit.record(
                actor=self.request.user,
                verb=AuditVerb.UPDATE,
                obj=self.request.user,
                changes={"password": "已修改"},
                ip=client_ip(self.request),
            )
        self.request.session.pop(passwords.SESSION_KEY, None)
        messages.success(self.request, "密码已修改。")
        return response


def _pending_user(request: HttpRequest) -> tuple[dict[str, Any] | None, User | None]:
    data = two_factor.pending(request.session)
    if data is None:
        return None, None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    return (data, user) if user is not None else (None, None)


def _finish(request: HttpRequest, user: User, data: dict[str, Any]) -> str:
    """Log the pending account in (the second factor was right); return where to go next."""
    ip = client_ip(request)
    do_record_login(user=user, ip=ip)
    two_factor.clear_pending(request.session)
    auth_login(request, user, backend=data.get("backend") or None)
    url = data.get("next") or ""
    if not url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        url = reverse("places:home")
    return url


def _refuse(request: HttpRequest, user: User, template: str, context: dict[str, Any]) -> Any:
    """A wrong code: counted on the login lockout; a hold ends the pending login."""
    ip = client_ip(request)
    if do_record_login_failure(username=user.get_username(), ip=ip):
        two_factor.clear_pending(request.session)
        context["error"] = LOCKED % {"minutes": _minutes()}
        context["locked"] = True
    else:
        context["error"] = WRONG_CODE
    return render(request, template, context, status=200)


def _minutes() -> int:
    from django.conf import settings

    return settings.LOGIN_LOCKOUT_MINUTES


def _held(request: HttpRequest, user: User) -> bool:
    ip = client_ip(request)
    if refused(user.get_username(), ip):
        do_record_login_failure(username=user.get_username(), ip=ip, held=True)
        two_factor.clear_pending(request.session)
        return True
    return False


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a 6-digit code from the authenticator or a recovery code."""
    data, user = _pending_user(request)
    if data is None or user is None:
        return render(request, "accounts/two_factor.html", {"error": EXPIRED, "locked": True})
    if not two_factor.enrolled(user):
        return redirect("accounts:two_factor_setup")
    template, context = "accounts/two_factor.html", {"account": user}
    if request.method == "POST":
        if _held(request, user):
            return render(
                request, template, {"error": LOCKED % {"minutes": _minutes()}, "locked": True}
            )
        ok = do_check_second_factor(
            user=user, code=request.POST.get("code", ""), ip=client_ip(request)
        )
        if ok is None:
            return _refuse(request, user, template, context)
        return redirect(_finish(request, user, data))
    return render(request, template, context)


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator: during a pending login (the password was right and enrolment is
    required) or, signed in, of one's own accord. Shows the QR code (drawn here, as SVG) and
    the key; the first right code binds it and shows the recovery codes once."""
    data, user = _pending_user(request)
    signed_in = request.user.is_authenticated
    if user is None and signed_in:
        user = request.user  # type: ignore[assignment]
    if user is None:
        return render(request, "accounts/two_factor.html", {"error": EXPIRED, "locked": True})
    if data is not None and two_factor.enrolled(user):
        return redirect("accounts:two_factor")
    if data is None and two_factor.enrolled(user):
        return render(request, "accounts/two_factor_setup.html", {"already": True})
    secret = request.session.get(two_factor.ENROL_SECRET_KEY)
    if not secret:
        secret = two_factor.new_secret()
        request.session[two_factor.ENROL_SECRET_KEY] = secret
    uri = two_factor.provisioning_uri(secret, user.get_username())
    template = "accounts/two_factor_setup.html"
    context = {
        "account": user,
        "qr_svg": two_factor.qr_svg(uri),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    if request.method == "POST":
        if _held(request, user):
            return render(
                request,
                "accounts/two_factor.html",
                {"error": LOCKED % {"minutes": _minutes()}, "locked": True},
            )
        codes = do_enrol_totp(
            user=user, secret=secret, code=request.POST.get("code", ""), ip=client_ip(request)
        )
        if codes is None:
            return _refuse(request, user, template, context)
        request.session.pop(two_factor.ENROL_SECRET_KEY, None)
        url = _finish(request, user, data) if data is not None else reverse("places:home")
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next_url": url})
    return render(request, template, context)
