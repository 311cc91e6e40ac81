"""Account writes: login bookkeeping (throttling and lockout) with audit events."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core import audit
from apps.core.choices import AuditVerb

from .models import User


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


@transaction.atomic
def do_record_login_failure(*, username: str, ip: str | None) -> User | None:
    """Count a failed attempt; lock the account after LOGIN_MAX_FAILURES in a row."""
    user = User.objects.select_for_update().filter(username=username).first()
    if user is not None:
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.failed_logins = 0
            user.save(update_fields=["locked_until", "failed_logins"])
    audit.record(
        actor=None,
        verb=AuditVerb.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=user.pk if user else "",
        object_repr=username[:150],
        changes={"locked": bool(user and is_locked(user))},
        ip=ip,
    )
    return user


@transaction.atomic
def do_record_login(*, user: Any, ip: str | None) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.record(actor=user, verb=AuditVerb.LOGIN, obj=user, ip=ip)


def client_ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR")
