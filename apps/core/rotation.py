"""Re-encrypting personal data under the current field key and mode (`gongzhi crypto rotate`).

Every model field named `<name>_enc` holds a ciphertext of apps.core.crypto (and a sibling
`<name>_index`, when there is one, its blind index); `EXTRA` names the few stored elsewhere. A
rotation walks each table by primary key in batches, one transaction per batch: each value is
decrypted with whichever key wrote it (current or GONGZHI_FIELD_OLD_KEYS), encrypted again with
the current key (Fernet, or SM4-GCM with GONGZHI_CRYPTO=sm) and its blind index recomputed.
Rows already current are skipped, so a rotation that stopped can simply run again.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction

from . import crypto

EXTRA = {"accounts.TotpDevice": ["secret"]}  # ciphertexts not named *_enc


@dataclass
class Target:
    model: type[models.Model]
    pairs: list[tuple[str, str | None]]  # (ciphertext field, blind index field or None)


def targets() -> Iterator[Target]:
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        names = {f.name for f in meta.concrete_fields}
        encrypted = [n for n in sorted(names) if n.endswith("_enc")]
        encrypted += EXTRA.get(meta.label, [])
        if not encrypted:
            continue
        pairs = []
        for name in encrypted:
            index = name[: -len("_enc")] + "_index" if name.endswith("_enc") else ""
            pairs.append((name, index if index in names else None))
        yield Target(model, pairs)


def rotate(batch: int = 500, say: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Re-encrypt every ciphertext not written with the current key and mode; return the rows
    changed per model."""
    changed: dict[str, int] = {}
    for target in targets():
        label = target.model._meta.label
        fields = [f for pair in target.pairs for f in pair if f]
        last, done = None, 0
        while True:
            with transaction.atomic():
                qs = target.model._base_manager.order_by("pk").only("pk", *fields)
                if last is not None:
                    qs = qs.filter(pk__gt=last)
                rows = list(qs.select_for_update()[:batch])
                if not rows:
                    break
                last = rows[-1].pk
                dirty = []
                for row in rows:
                    touched = False
                    for enc, index in target.pairs:
                        token = getattr(row, enc)
                        if not token or crypto.is_current(token):
                            continue
                        plain = crypto.decrypt(token)
                        setattr(row, enc, crypto.encrypt(plain))
                        if index:
                            setattr(row, index, crypto.blind_index(plain))
                        touched = True
                    if touched:
                        dirty.append(row)
                if dirty:
                    target.model._base_manager.bulk_update(dirty, fields)
                done += len(dirty)
        if done:
            say(f"{target.model._meta.verbose_name}（{label}）：重新加密 {done} 行")
        changed[label] = done
    return changed
