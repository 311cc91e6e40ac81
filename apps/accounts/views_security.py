"""The security administrator's page (三员分立): the accounts of the scope with what matters to
their security — second factor bound, password age and expiry, held by the lockout, last
login — each linked to the admin page where roles, scopes and second factors are changed.
Only the security administrator opens it (the auditor and the system administrator get 403)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .models import PasswordHistory, TotpDevice, User
from .permissions import Cap, require


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    require(request.user, Cap.ACCOUNTS_RESET_2FA)
    last_change = PasswordHistory.objects.filter(user_id=OuterRef("pk")).order_by("-created_at")
    accounts = (
        User.objects.visible_to(request.user)
        .select_related("scope")
        .annotate(
            has_totp=Exists(TotpDevice.objects.filter(user_id=OuterRef("pk"))),
            password_changed=Subquery(last_change.values("created_at")[:1]),
        )
        .order_by("username", "pk")
    )
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    days = settings.PASSWORD_MAX_AGE_DAYS
    rows = []
    for account in page:
        changed = getattr(account, "password_changed", None)
        rows.append(
            {
                "account": account,
                "age": (now - changed).days if changed else None,
                "expired": bool(days and changed and now - changed > timedelta(days=days)),
                "locked": bool(account.locked_until and account.locked_until > now),
            }
        )
    return render(
        request,
        "accounts/security.html",
        {"page": page, "rows": rows, "max_age": days, "history": settings.PASSWORD_HISTORY},
    )
