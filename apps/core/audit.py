"""Writing, sealing and verifying the hash-chained audit trail (ADR 0004, ADR 0007).

`record` inserts one *unsealed* event in the caller's transaction: no row is shared by the
writers, so writes no longer queue behind one another. `seal` chains the committed unsealed
events, in the order they became visible (commit order; ties by id), under the lock of the
head row that only sealers take: each gets `seq`, `prev_hash` and
`hash = sha256(prev_hash, canonical JSON of the event)`. A seal is queued shortly after every
commit that wrote events (at most one per `SEAL_DELAY` per process), runs as the periodic job
`audit.seal`, and runs first in `gongzhi audit verify`, so verify covers everything committed.
"""

import gzip
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from . import crypto
from .choices import AuditVerb
from .compiled import CompiledInsert
from .models import AuditEvent, AuditHead
from .tasks import enqueue, periodic

GENESIS = "0" * 64
MIN_RETENTION_DAYS = 186  # six months of 31 days: 网络安全法 art. 21 asks for at least six months
SEAL_TASK = "audit.seal"
SEAL_BATCH = 2000
SEAL_DELAY = 1.0  # seconds: a commit is sealed within about this long (plus the queue's delay)
SEAL_EVERY = 10  # seconds: the periodic job that seals whatever the queued seals missed

log = logging.getLogger("gongzhi.audit")


def _algorithm() -> str:
    return "sm3" if settings.GONGZHI_CRYPTO == "sm" else "sha256"


def _digest(prev_hash: str, event: AuditEvent, algorithm: str = "") -> str:
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
    return crypto.hash_hex(body.encode(), algorithm or _algorithm())


def _digest_matches(event: AuditEvent) -> bool:
    """Does the stored hash cover the event? Checked with the configured algorithm first, then
    the other one: a chain sealed with SHA-256 stays verifiable after GONGZHI_CRYPTO=sm (and
    back), each event under the algorithm it was sealed with."""
    if event.hash is None:
        return False
    first = _algorithm()
    for algorithm in (first, "sha256" if first == "sm3" else "sm3"):
        if _digest(event.prev_hash, event, algorithm) == event.hash:
            return True
    return False


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
    _INSERT.save(event)
    transaction.on_commit(seal_soon, robust=True)
    return event


_INSERT = CompiledInsert(AuditEvent)  # `event.save(force_insert=True)`, its SQL built once


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
    head = AuditHead.objects.filter(pk=1).first()
    # the chain in the database begins where the archived part ends (`archive`)
    prev = head.archived_hash if head else GENESIS
    last_seq = head.archived_seq if head else 0
    count = head.archived_count if head else 0
    qs = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    for event in qs.iterator(chunk_size=batch):
        count += 1
        if event.prev_hash != prev:
            yield ChainProblem(event.pk, f"第{event.pk}条之前的审计记录被删除或替换")
        if not _digest_matches(event):
            yield ChainProblem(event.pk, f"第{event.pk}条审计记录内容被修改")
        prev = event.hash or ""
        last_seq = event.seq or 0
    if head is None:
        if count:
            yield ChainProblem(None, "审计链头缺失")
        return
    if head.last_seq != last_seq or head.last_hash != prev:
        yield ChainProblem(head.last_id, "最新的审计记录被删除（链头与最后一条不符）")
    if head.count != count:
        yield ChainProblem(None, f"审计记录条数不符：链头记 {head.count} 条，实有 {count} 条")


# --- retention: archiving the old beginning of the chain ------------------------------------

ARCHIVE_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "verb",
    "object_type",
    "object_id",
    "object_repr",
    "scope_path",
    "changes",
    "ip",
    "seq",
    "prev_hash",
    "hash",
)


@dataclass
class Archived:
    path: Path
    first_seq: int
    last_seq: int
    count: int
    last_hash: str


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Events older than this may leave the database (into an archive file): never less than
    MIN_RETENTION_DAYS (six months, 网络安全法 article 21) before now."""
    days = settings.AUDIT_RETENTION_DAYS
    if days < MIN_RETENTION_DAYS:
        raise ValueError(
            f"审计记录保存期限 GONGZHI_AUDIT_RETENTION_DAYS={days} 天少于法定的六个月"
            f"（至少 {MIN_RETENTION_DAYS} 天），拒绝归档"
        )
    return (now or timezone.now()) - timedelta(days=days)


def archive(folder: Path, *, now: datetime | None = None) -> Archived | None:
    """Move the sealed events older than the retention period, from the beginning of the chain
    on, into one gzip'd JSON-lines file in `folder`, and remove them from the database. The
    head remembers the last archived hash, so `verify_chain` still checks the rest from there
    and `verify_archive` checks the files and their link to it. None when nothing is old."""
    cutoff = retention_cutoff(now)
    seal()
    folder.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
        chain = AuditEvent.objects.filter(seq__gt=head.archived_seq).order_by("seq")
        stop = chain.filter(at__gte=cutoff).aggregate(first=Min("seq"))["first"]
        old = chain.filter(seq__lt=stop) if stop is not None else chain
        first = old.first()
        if first is None:
            return None
        tmp = folder / f".audit-{first.seq:012d}.part"
        count, last = 0, None
        with gzip.open(tmp, "wt", encoding="utf-8") as out:
            for event in old.iterator(chunk_size=2000):
                out.write(json.dumps(_row(event), ensure_ascii=False, sort_keys=True) + "\n")
                count, last = count + 1, event
        assert last is not None and last.seq is not None and last.hash is not None
        path = folder / f"audit-{first.seq:012d}-{last.seq:012d}.jsonl.gz"
        os.replace(tmp, path)
        AuditEvent.objects.filter(seq__gt=head.archived_seq, seq__lte=last.seq).delete()
        AuditHead.objects.filter(pk=1).update(
            archived_seq=last.seq,
            archived_hash=last.hash,
            archived_count=head.archived_count + count,
        )
    return Archived(path, first.seq or 0, last.seq, count, last.hash)


def _row(event: AuditEvent) -> dict[str, Any]:
    row = {name: getattr(event, name) for name in ARCHIVE_FIELDS}
    row["at"] = event.at.isoformat()
    return row


def _event(row: dict[str, Any]) -> AuditEvent:
    data = dict(row)
    data["at"] = datetime.fromisoformat(data["at"])
    return AuditEvent(**data)


def verify_archive(paths: list[Path]) -> Iterator[ChainProblem]:
    """Check archive files (all of them, from the first): each event's hash, the links from one
    event and one file to the next, and that the last one ends where the database's chain
    begins (the head's archived hash)."""
    prev, last_seq = GENESIS, 0
    for path in sorted(paths):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                event = _event(json.loads(line))
                if event.seq != last_seq + 1 or event.prev_hash != prev:
                    yield ChainProblem(event.pk, f"{path.name}：第{event.seq}条之前的记录缺失")
                if not _digest_matches(event):
                    yield ChainProblem(event.pk, f"{path.name}：第{event.seq}条记录内容被修改")
                prev, last_seq = event.hash or "", event.seq or 0
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.archived_seq, head.archived_hash) != (last_seq, prev):
        yield ChainProblem(None, "归档文件与数据库中的审计链接不上（缺少或多出归档文件）")
