"""Background work of notifications; thin: ids in, actions called.

enqueue("notifications.send", [user ids], title, body, url=…, object_type=…, object_id=…,
        kind=…)                   the entry point other apps use (or services.notify)
enqueue("notifications.deliver", delivery_id)
enqueue("notifications.sms_resident", place_id, phone ciphertext, text, url)
notifications.retry_due          every 60 s: retries due failures, rescues stuck ones
"""

from apps.core.tasks import enqueue, periodic, task

from . import delivery, resident
from .actions import do_send_notifications
from .choices import GENERAL


@task("notifications.send")
def send(
    user_ids: list[int],
    title: str,
    body: str,
    url: str = "",
    object_type: str = "",
    object_id: str | int = "",
    kind: str = GENERAL,
) -> int:
    """Create the inbox rows and deliveries, then queue each delivery; returns how many
    notifications were created."""
    outcome = do_send_notifications(
        user_ids, title, body, url=url, object_type=object_type, object_id=object_id, kind=kind
    )
    # do_send_notifications has committed: a task runs outside any request transaction.
    for delivery_id in outcome.deliveries_now:
        enqueue("notifications.deliver", delivery_id)
    return len(outcome.notifications)


@task("notifications.sms_resident")
def sms_resident(place_id: int, phone_enc: str, text: str, url: str = "") -> str:
    """A text message to a resident without an account (the reporter of a case)."""
    return resident.send_resident_sms(place_id, phone_enc, text, url)


@task("notifications.deliver")
def deliver(delivery_id: int) -> str:
    return delivery.deliver(delivery_id)


@periodic(seconds=60, name="notifications.retry_due")
def retry_due() -> int:
    ids = delivery.due_ids()
    for delivery_id in ids:
        enqueue("notifications.deliver", delivery_id)
    return len(ids)
