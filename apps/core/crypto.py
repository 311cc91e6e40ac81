"""Personal data at rest: authenticated encryption, blind indexes and masks.

ID-card numbers and phone numbers are stored three ways: ciphertext (Fernet, or SM4-GCM with
GONGZHI_CRYPTO=sm, ADR 0034; readable only with the field key), an HMAC blind index (SHA-256 or
SM3: to find duplicates and look a person up by exact number without decrypting every row) and
a mask for lists. Lists never decrypt.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

SM4_PREFIX = "sm4:"


@dataclass(frozen=True)
class _Key:
    """The keys derived from one field secret: Fernet (AES-128-CBC + HMAC-SHA256), SM4-GCM
    (GB/T 32907), the blind-index HMAC key, and a short id naming it in SM4 tokens."""

    fernet: Fernet
    sm4: bytes
    index: bytes
    kid: str


def _derive(secret: str) -> _Key:
    enc = hashlib.sha256(b"gongzhi/fernet/" + secret.encode()).digest()
    idx = hashlib.sha256(b"gongzhi/blind-index/" + secret.encode()).digest()
    sm4 = hashlib.sha256(b"gongzhi/sm4/" + secret.encode()).digest()[:16]
    kid = hashlib.sha256(b"gongzhi/key-id/" + secret.encode()).hexdigest()[:8]
    return _Key(Fernet(base64.urlsafe_b64encode(enc)), sm4, idx, kid)


@lru_cache(maxsize=8)
def _ring(current: str, old: tuple[str, ...]) -> tuple[_Key, list[_Key]]:
    """The current key (encrypts, indexes) and every key that still decrypts (current first,
    then GONGZHI_FIELD_OLD_KEYS: rows not yet re-encrypted by `gongzhi crypto rotate`)."""
    keys = [_derive(current), *(_derive(k) for k in old if k and k != current)]
    return keys[0], keys


def _keys_now() -> tuple[_Key, list[_Key]]:
    return _ring(settings.FIELD_ENCRYPTION_KEY, tuple(settings.FIELD_ENCRYPTION_OLD_KEYS))


def sm_mode() -> bool:
    return settings.GONGZHI_CRYPTO == "sm"


def encrypt(value: str) -> str:
    """Ciphertext of `value` under the current field key: `sm4:<key id>:<base64 nonce|ct|tag>`
    (SM4-GCM) with GONGZHI_CRYPTO=sm, a Fernet token otherwise."""
    if not value:
        return ""
    key, _ = _keys_now()
    if sm_mode():
        nonce = os.urandom(12)
        encryptor = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce)).encryptor()
        body = encryptor.update(value.encode()) + encryptor.finalize()
        packed = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode()
        return f"{SM4_PREFIX}{key.kid}:{packed}"
    return key.fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text of either kind of token, under the current or any old key."""
    if not token:
        return ""
    _, keys = _keys_now()
    try:
        if token.startswith(SM4_PREFIX):
            kid, _, packed = token[len(SM4_PREFIX) :].partition(":")
            key = next(k for k in keys if k.kid == kid)
            raw = base64.urlsafe_b64decode(packed.encode())
            nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
            decryptor = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce, tag)).decryptor()
            return (decryptor.update(body) + decryptor.finalize()).decode()
        return MultiFernet([k.fernet for k in keys]).decrypt(token.encode()).decode()
    except (InvalidToken, InvalidTag, StopIteration, ValueError) as exc:
        # wrong key or tampered row: never show garbage
        raise ValueError("个人信息密文无法解密（密钥不符或数据被篡改）") from exc


def is_current(token: str) -> bool:
    """Was `token` written with the current key and mode (nothing for rotation to do)?"""
    if not token:
        return True
    key, _ = _keys_now()
    if sm_mode():
        return token.startswith(f"{SM4_PREFIX}{key.kid}:")
    if token.startswith(SM4_PREFIX):
        return False
    try:
        key.fernet.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def blind_index(value: str) -> str:
    """HMAC (SHA-256, or SM3 with GONGZHI_CRYPTO=sm) of the upper-cased value under the current
    key: equal values give equal indexes, so a number is found without decrypting any row. A
    new key or mode changes every index; `gongzhi crypto rotate` rewrites them."""
    if not value:
        return ""
    key, _ = _keys_now()
    return _hmac_hex("sm3" if sm_mode() else "sha256", key.index, value.upper().encode())


def hash_hex(data: bytes, algorithm: str = "sha256") -> str:
    """SHA-256 or SM3 (GB/T 32905) of `data`, as 64 hex digits."""
    if algorithm == "sm3":
        from cryptography.hazmat.primitives import hashes

        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize().hex()
    return hashlib.sha256(data).hexdigest()


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
