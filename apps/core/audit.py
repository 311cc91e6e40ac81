"""Writing and verifying the hash-chained audit trail."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


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
    """Append one event to the chain. Call inside the transaction of the write it records."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
        scope_path = scope_path or getattr(obj, "audit_scope_path", "") or ""
    actor_ok = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
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
            prev_hash=head.last_hash,
        )
        event.hash = _digest(head.last_hash, event)
        event.save()
        AuditHead.objects.filter(pk=1).update(
            last_id=event.pk, last_hash=event.hash, count=head.count + 1
        )
    return event


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


def verify_chain(batch: int = 5000) -> Iterator[ChainProblem]:
    """Recompute the chain; yield every entry that was edited, removed or appended behind."""
    prev = GENESIS
    count = 0
    last_id = 0
    qs = AuditEvent.objects.order_by("id")
    for event in qs.iterator(chunk_size=batch):
        count += 1
        if event.prev_hash != prev:
            yield ChainProblem(event.pk, f"第{event.pk}条之前的审计记录被删除或替换")
        if _digest(event.prev_hash, event) != event.hash:
            yield ChainProblem(event.pk, f"第{event.pk}条审计记录内容被修改")
        prev = event.hash
        last_id = event.pk
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if count:
            yield ChainProblem(None, "审计链头缺失")
        return
    if head.last_id != last_id or head.last_hash != prev:
        yield ChainProblem(head.last_id, "最新的审计记录被删除（链头与最后一条不符）")
    if head.count != count:
        yield ChainProblem(None, f"审计记录条数不符：链头记 {head.count} 条，实有 {count} 条")
