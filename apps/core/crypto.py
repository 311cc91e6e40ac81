"""Personal data at rest: authenticated encryption, blind indexes and masks.

ID-card numbers and phone numbers are stored three ways: Fernet ciphertext (readable only with
the field key), an HMAC blind index (to find duplicates and look a person up by exact number
without decrypting every row) and a mask for lists. Lists never decrypt.
"""

import base64
import hashlib
import hmac
from datetime import date
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[Fernet, bytes]:
    enc = hashlib.sha256(b"gongzhi/fernet/" + secret.encode()).digest()
    idx = hashlib.sha256(b"gongzhi/blind-index/" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(enc)), idx


def encrypt(value: str) -> str:
    if not value:
        return ""
    fernet, _ = _keys(settings.FIELD_ENCRYPTION_KEY)
    return fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    fernet, _ = _keys(settings.FIELD_ENCRYPTION_KEY)
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or tampered row: never show garbage
        raise ValueError("个人信息密文无法解密（密钥不符或数据被篡改）") from exc


def blind_index(value: str) -> str:
    if not value:
        return ""
    _, key = _keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(key, value.upper().encode(), hashlib.sha256).hexdigest()


def _hmac_hex(algorithm: str, key: bytes, data: bytes) -> str:
    if algorithm == "sm3":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as chmac

        mac = chmac.HMAC(key, hashes.SM3())
        mac.update(data)
        return mac.finalize().hex()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def secret_digest(purpose: str, value: str, *, algorithm: str = "") -> str:
    """`<algorithm>$<hex>`: a keyed hash (HMAC under a key derived from SECRET_KEY) of a
    high-entropy secret such as a recovery code. The algorithm is written in front so that a
    stored digest still checks after GONGZHI_CRYPTO changes."""
    algorithm = algorithm or ("sm3" if settings.GONGZHI_CRYPTO == "sm" else "sha256")
    key = hashlib.sha256(b"gongzhi/secret-digest/" + settings.SECRET_KEY.encode()).digest()
    return f"{algorithm}${_hmac_hex(algorithm, key, f'{purpose}:{value}'.encode())}"


def secret_digest_matches(purpose: str, value: str, stored: str) -> bool:
    algorithm = stored.partition("$")[0]
    if algorithm not in {"sha256", "sm3"}:
        return False
    return hmac.compare_digest(secret_digest(purpose, value, algorithm=algorithm), stored)


def mask_id_number(value: str) -> str:
    """3****************4: the first and the last character only (ADR 0016).

    The old mask (four and four) plus the birth date shown beside it and the county code of the
    person's place left only the 3-digit sequence hidden, and the check digit picked it out.
    With one and one, and the birth year instead of the date for those without the reveal
    right, more than ten thousand valid numbers fit what a list shows.
    """
    if not value:
        return ""
    if len(value) <= 2:
        return "*" * len(value)
    return value[:1] + "*" * (len(value) - 2) + value[-1:]


def shown_birth(value: date | None, *, full: bool) -> date | int | None:
    """What a person's birth date may show beside a masked ID number: the date to those with
    the reveal right, the year only to everyone else (ADR 0016)."""
    if value is None or full:
        return value
    return value.year


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; other numbers keep their first three and last four."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * (len(value) - 2) + value[-2:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
