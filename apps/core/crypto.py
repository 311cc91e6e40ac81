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
