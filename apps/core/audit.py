"""Writing, sealing and verifying the hash-chained audit trail (ADR 0004, ADR 0007).

`record` inserts one *unsealed* event in the caller's transaction: no row is shared by the
writers, so writes no longer queue behind one another. `seal` chains the committed unsealed
events, in the order they became visible (commit order; ties by id), under the lock of the
head row that only sealers take: each gets `seq`, `prev_hash` and
`hash = sha256(prev_hash, canonical JSON of the event)`. A seal is queued shortly after every
commit that wrote events (at most one per `SEAL_DELAY` per process), runs as the periodic job
`audit.seal`, and runs first in `gongzhi audit verify`, so verify covers everything committed.
"""

import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import crypto
from .choices import AuditVerb
from .models import AuditEvent, AuditHead
from .tasks import enqueue, periodic

GENESIS = "0" * 64
SEAL_TASK = "audit.seal"
SEAL_BATCH = 2000
SEAL_DELAY = 1.0  # seconds: a commit is sealed within about this long (plus the queue's delay)
SEAL_EVERY = 10  # seconds: the periodic job that seals whatever the queued seals missed

log = logging.getLogger("gongzhi.audit")


def _digest(prev_hash: str, event: AuditEvent) -> str:
    body = json.dumps(
        [
            prev_hash,
            event.at.isoformat(),
            event.actor_id,
            event.actor_label,
            event.verb,
            event.object_type,
            str(event.object_id),
            event.object_repr,
            event.scope_path,
            event.changes,
            event.ip,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(changes, ensure_ascii=False, default=str))


def record(
    *,
    actor: Any,
    verb: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    scope_path: str = "",
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Add one event to the trail. Call inside the transaction of the write it records: the
    event exists exactly when the write committed. It is sealed into the chain after commit."""
    if obj is not None:
        # A model moved between apps keeps its type (`audit_object_type`), so its trail goes on.
        object_type = object_type or getattr(obj, "audit_object_type", "") or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
        scope_path = scope_path or getattr(obj, "audit_scope_path", "") or ""
    actor_ok = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if actor_ok else None,
        actor_label=(actor.get_username() if actor_ok else str(actor or "系统"))[:150],
        verb=verb,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        scope_path=scope_path,
        changes=_jsonable(changes or {}),
        ip=ip,
    )
    event.save(force_insert=True)
    transaction.on_commit(seal_soon, robust=True)
    return event


def reveal(obj: Any, field: str, ciphertext: str, *, actor: Any, ip: str | None = None) -> str:
    """Decrypt one personal field of `obj` for an actor already allowed to see it, and record
    the read (ADR 0003). Every call writes an event, also when the same number was shown a
    minute ago: the trail must answer "who saw this number, and when". The one way any app
    shows a full ID-card or phone number."""
    value = crypto.decrypt(ciphertext)
    record(actor=actor, verb=AuditVerb.REVEAL, obj=obj, changes={"field": field}, ip=ip)
    return value


# --- sealing ------------------------------------------------------------------------------


def _seal_batch(limit: int) -> int:
    with transaction.atomic():
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
        # A fresh statement after the lock: sees every event committed until now, and none
        # the previous sealer already chained.
        events = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:limit])
        if not events:
            return 0
        prev, seq = head.last_hash, head.last_seq
        for event in events:
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = _digest(prev, event)
        AuditEvent.objects.bulk_update(events, ["seq", "prev_hash", "hash"], batch_size=500)
        AuditHead.objects.filter(pk=1).update(
            last_id=events[-1].pk, last_seq=seq, last_hash=prev, count=head.count + len(events)
        )
    return len(events)


@periodic(seconds=SEAL_EVERY, name=SEAL_TASK)
def seal(batch: int = SEAL_BATCH) -> int:
    """Chain every committed unsealed event; return how many. Safe to run anywhere, any time,
    from any number of processes at once: sealers take turns on the head row."""
    total = 0
    while True:
        done = _seal_batch(batch)
        total += done
        if done < batch:
            return total


_timer_lock = threading.Lock()
_timer: threading.Timer | None = None


def _fire() -> None:
    global _timer
    with _timer_lock:
        _timer = None
    try:
        enqueue(SEAL_TASK)
    except RuntimeError:  # the process is exiting (a command's last writes): the job seals
        log.info("audit seal not queued: the process is exiting")
    except Exception:
        log.exception("could not queue the audit seal (the periodic job will seal)")


def seal_soon() -> None:
    """After a commit that wrote events: seal them soon. With the immediate backend (tests)
    at once, otherwise one queued seal per process at most every `SEAL_DELAY` seconds."""
    global _timer
    if settings.TASKS_BACKEND == "immediate":
        seal()
        return
    with _timer_lock:
        if _timer is not None:
            return
        _timer = threading.Timer(SEAL_DELAY, _fire)
        _timer.daemon = True
        _timer.start()


def _forget_timer() -> None:
    global _timer
    _timer = None


os.register_at_fork(after_in_child=_forget_timer)


def changed_fields(instance: Any, data: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the keys of `data` whose value differs on `instance`."""
    return {
        name: [getattr(instance, name), value]
        for name, value in data.items()
        if getattr(instance, name) != value
    }


@dataclass
class ChainProblem:
    event_id: int | None
    message: str


def unsealed_count() -> int:
    return AuditEvent.objects.filter(seq__isnull=True).count()


def verify_chain(batch: int = 5000, *, seal_first: bool = True) -> Iterator[ChainProblem]:
    """Seal what is committed (unless told not to), then recompute the chain in `seq` order;
    yield every entry that was edited, removed or appended behind."""
    if seal_first:
        seal()
    prev = GENESIS
    count = 0
    last_seq = 0
    qs = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    for event in qs.iterator(chunk_size=batch):
        count += 1
        if event.prev_hash != prev:
            yield ChainProblem(event.pk, f"第{event.pk}条之前的审计记录被删除或替换")
        if event.hash is None or _digest(event.prev_hash, event) != event.hash:
            yield ChainProblem(event.pk, f"第{event.pk}条审计记录内容被修改")
        prev = event.hash or ""
        last_seq = event.seq or 0
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if count:
            yield ChainProblem(None, "审计链头缺失")
        return
    if head.last_seq != last_seq or head.last_hash != prev:
        yield ChainProblem(head.last_id, "最新的审计记录被删除（链头与最后一条不符）")
    if head.count != count:
        yield ChainProblem(None, f"审计记录条数不符：链头记 {head.count} 条，实有 {count} 条")
