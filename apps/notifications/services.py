"""What other apps call to tell people something:

    from apps.notifications.services import notify
    notify(case.handlers, "新派单", f"{case} 已派给您", url=case.get_absolute_url(), obj=case,
           kind="case.assigned")

`notify` queues the task "notifications.send" when the current transaction commits, so a write
that rolls back notifies nobody. Code that cannot import this module may enqueue
"notifications.send" itself with the same arguments (user ids instead of users).
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from apps.core.tasks import enqueue

from .choices import GENERAL


def notify(
    users: Iterable[Any],
    title: str,
    body: str,
    url: str = "",
    obj: Any = None,
    kind: str = GENERAL,
) -> None:
    user_ids = sorted({u if isinstance(u, int) else u.pk for u in users})
    if not user_ids:
        return
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    transaction.on_commit(
        lambda: enqueue(
            "notifications.send",
            user_ids,
            title,
            body,
            url=url,
            object_type=object_type,
            object_id=object_id,
            kind=kind,
        )
    )
