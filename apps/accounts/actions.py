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

from . import lockout, two_factor
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


# --- two factors (apps.accounts.two_factor) ---------------------------------------------------


@transaction.atomic
def do_enrol_totp(*, user: Any, secret: str, code: str, ip: str | None) -> list[str] | None:
    """Bind the authenticator whose `secret` produced `code`; return the new recovery codes
    (shown once; only their hashes are kept), or None when the code is wrong (the caller
    counts the failure on the lockout). Re-enrolling replaces the device and the codes."""
    from .models import RecoveryCode, TotpDevice

    step = two_factor.matching_step(secret, code, after=0)
    if step is None:
        return None
    TotpDevice.objects.filter(user_id=user.pk).delete()
    TotpDevice.objects.create(
        user=user,
        secret=two_factor.encrypt_secret(secret),
        confirmed_at=timezone.now(),
        last_step=step,
    )
    codes = two_factor.new_recovery_codes()
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=two_factor.recovery_digest(c)) for c in codes
    )
    audit.record(
        actor=user,
        verb=AuditVerb.UPDATE,
        obj=user,
        changes={"two_factor": "enrolled", "recovery_codes": len(codes)},
        ip=ip,
    )
    return codes


@transaction.atomic
def do_check_second_factor(*, user: Any, code: str, ip: str | None) -> str | None:
    """Check a TOTP code (each time step once) or an unused recovery code (spent here).
    Return "totp" or "recovery" when it is right, None when not (not counted here: the
    caller counts it with `do_record_login_failure`, one counter for every way in)."""
    from .models import RecoveryCode, TotpDevice

    device = TotpDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is not None:
        secret = two_factor.decrypt_secret(device.secret)
        step = two_factor.matching_step(secret, code, after=device.last_step)
        if step is not None:
            TotpDevice.objects.filter(pk=device.pk).update(last_step=step)
            return "totp"
    cleaned = two_factor.clean_code(code)
    if len(cleaned) != 10:
        return None
    unused = RecoveryCode.objects.select_for_update().filter(user_id=user.pk, used_at=None)
    for row in unused:
        if two_factor.recovery_matches(cleaned, row.code_hash):
            RecoveryCode.objects.filter(pk=row.pk).update(used_at=timezone.now())
            left = RecoveryCode.objects.filter(user_id=user.pk, used_at=None).count()
            audit.record(
                actor=user,
                verb=AuditVerb.UPDATE,
                obj=user,
                changes={"two_factor": "recovery_code_used", "recovery_codes_left": left},
                ip=ip,
            )
            return "recovery"
    return None


@transaction.atomic
def do_reset_two_factor(*, user: Any, actor: User, ip: str | None = None) -> None:
    """Remove an account's authenticator and recovery codes (a lost phone): it enrols again at
    its next login. Security administrators only (三员分立)."""
    from .models import RecoveryCode, TotpDevice
    from .permissions import Cap, require

    require(actor, Cap.ACCOUNTS_RESET_2FA, user.scope, what="重置双因素认证")
    if actor.pk == user.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("不能重置自己的双因素认证，请由另一位安全保密管理员操作")
    TotpDevice.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    audit.record(
        actor=actor, verb=AuditVerb.UPDATE, obj=user, changes={"two_factor": "reset"}, ip=ip
    )
