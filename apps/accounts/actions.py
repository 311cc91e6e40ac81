"""Account writes: login bookkeeping (throttling and lockout) with audit events."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.net import client_ip  # noqa: F401  (the one client address, re-exported)

from . import lockout
from .models import User


@transaction.atomic
def do_record_login_failure(*, username: str, ip: str | None, held: bool = False) -> bool:
    """Count a failed attempt on every lockout counter (apps.accounts.lockout) and audit it;
    True when a hold now stands. A known account also keeps its count and, when the account
    itself is held, the time the hold ends (shown in the admin). An attempt refused by a hold
    (`held`) is audited but not counted: an address already held off must not go on to lock
    the account for everyone else."""
    started = [] if held else lockout.record_failure(username, ip)
    user = User.objects.select_for_update().filter(username=username).first()
    if user is not None:
        fields: dict[str, Any] = {"failed_logins": F("failed_logins") + 1}
        if lockout.ACCOUNT in started:
            fields["locked_until"] = timezone.now() + timedelta(
                minutes=settings.LOGIN_LOCKOUT_MINUTES
            )
        if not held:
            User.objects.filter(pk=user.pk).update(**fields)
    now_held = lockout.refused(username, ip)
    audit.record(
        actor=None,
        verb=AuditVerb.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=user.pk if user else "",
        object_repr=username[:150],
        changes={"locked": now_held, "holds": started},
        ip=ip,
    )
    return now_held


@transaction.atomic
def do_record_login(*, user: Any, ip: str | None) -> None:
    lockout.record_success(user.get_username(), ip)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.record(actor=user, verb=AuditVerb.LOGIN, obj=user, ip=ip)
