"""The one way every app tells people something:

    from apps.notifications.services import notify
    notify(users, "新派单", f"{case} 已派给您", kind=NotificationKind.CASE_ASSIGNED,
           url=case_url, obj=case)

`notify` queues the task "notifications.send" once the current transaction commits, so a write
that rolls back notifies nobody, and a failure to queue is logged, never undoing the write.
`users` may be accounts, account ids or a query (`dispatchers_of(unit)`): it is read after the
commit, outside the write transaction, and the task is queued only when it names someone.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from apps.core.tasks import enqueue

from .choices import NotificationKind

TASK = "notifications.send"


def notify(
    users: Iterable[Any],
    title: str,
    body: str,
    *,
    kind: NotificationKind = NotificationKind.GENERAL,
    url: str = "",
    obj: Any = None,
) -> None:
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = obj.pk if obj is not None else ""
    kind_value = NotificationKind(kind).value  # an unknown kind fails here, in the caller

    def queue() -> None:
        user_ids = sorted({u if isinstance(u, int) else u.pk for u in users if u is not None})
        if user_ids:
            enqueue(TASK, user_ids, title, body, url, object_type, object_id, kind=kind_value)

    transaction.on_commit(queue, robust=True)
