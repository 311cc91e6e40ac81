"""Two factors for staff (MLPS 2.0 level 3): password, then a TOTP code (RFC 6238, pyotp) or a
single-use recovery code.

Who: the roles in `TWO_FACTOR_ROLES` and every superuser. An account that has enrolled always
gives a code; an account that has not is made to enrol at its next login when
`TWO_FACTOR_REQUIRED` (on by default with GONGZHI_HTTPS; the plain-HTTP demo logs in with the
password alone). Between the password and the code, the session holds only the pending account
id (not a login) for `PENDING_SECONDS`. A wrong code counts on the same lockout counters as a
wrong password (apps.accounts.lockout), and a held account or address is refused the code step
too.
"""

import io
import secrets
import time
from typing import Any

import pyotp
import segno
from django.conf import settings

from apps.core import crypto

PENDING_KEY = "gongzhi_2fa_pending"
ENROL_SECRET_KEY = "gongzhi_2fa_enrol_secret"
PENDING_SECONDS = 300
RECOVERY_CODES = 10
RECOVERY_PURPOSE = "recovery-code"
ISSUER = "共治 Gongzhi"
STEP = 30

VERIFY, ENROL = "verify", "enrol"


def applies_to(user: Any) -> bool:
    """Is `user` one of the accounts that use a second factor?"""
    return bool(user.is_superuser or user.role in settings.TWO_FACTOR_ROLES)


def enrolled(user: Any) -> bool:
    from .models import TotpDevice

    return TotpDevice.objects.filter(user_id=user.pk).exists()


def second_step(user: Any) -> str | None:
    """What the login of `user` still needs after the right password: VERIFY (give a code),
    ENROL (bind an authenticator first) or None (the password was enough)."""
    if enrolled(user):
        return VERIFY
    if applies_to(user) and settings.TWO_FACTOR_REQUIRED:
        return ENROL
    return None


# --- pending logins in the session ----------------------------------------------------------


def start_pending(session: Any, user: Any, next_url: str) -> None:
    session.cycle_key()  # a new session id for the half-logged-in state
    session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "next": next_url,
        "at": time.time(),
    }


def pending(session: Any) -> dict[str, Any] | None:
    data = session.get(PENDING_KEY)
    if not data or time.time() - data.get("at", 0) > PENDING_SECONDS:
        return None
    return data


def clear_pending(session: Any) -> None:
    session.pop(PENDING_KEY, None)
    session.pop(ENROL_SECRET_KEY, None)


# --- TOTP -------------------------------------------------------------------------------------


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, drawn here (the secret never leaves the server)."""
    out = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="动态口令绑定二维码"
    )
    return out.getvalue().decode()


def clean_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def matching_step(secret: str, code: str, *, after: int, now: float | None = None) -> int | None:
    """The time step (counter) whose code is `code`, within one step of now and later than
    `after` (a step already used is never accepted again); None if there is none."""
    code = clean_code(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP)
    for step in (current - 1, current, current + 1):
        if step > after and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def encrypt_secret(secret: str) -> str:
    return crypto.encrypt(secret)


def decrypt_secret(token: str) -> str:
    return crypto.decrypt(token)


# --- recovery codes ---------------------------------------------------------------------------

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """`count` codes of 10 characters (≈ 50 bits each), shown as xxxxx-xxxxx."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_digest(code: str) -> str:
    return crypto.secret_digest(RECOVERY_PURPOSE, clean_code(code))


def recovery_matches(code: str, stored: str) -> bool:
    return crypto.secret_digest_matches(RECOVERY_PURPOSE, clean_code(code), stored)
