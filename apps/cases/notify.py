"""Telling people about cases: one function that queues the "notifications.send" task after
the transaction commits (the notifications app registers and delivers it)."""

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from apps.accounts.choices import Role
from apps.accounts.permissions import Cap, roles_with
from apps.core.tasks import enqueue

from .models import Case

log = logging.getLogger("gongzhi.cases")
TASK = "notifications.send"


def notify_case(
    case: Case, users: Iterable[Any], title: str, body: str, kind: str = "case.status"
) -> None:
    """Queue one notification about `case` to `users` once the current transaction commits.
    `kind` is what people choose channels by on their preferences page (case.assigned,
    case.status, case.escalated …). A failure to queue is logged and never undoes the change.

    `users` may be a query (`dispatchers_of` …): it is read after the commit, outside the
    write transaction, and the task is queued only when it names someone."""
    pk = case.pk

    def queue() -> None:
        user_ids = sorted({u.pk if hasattr(u, "pk") else int(u) for u in users if u is not None})
        if user_ids:
            url = reverse("cases:detail", args=[pk])
            enqueue(TASK, user_ids, title, body, url, "cases.case", pk, kind=kind)

    transaction.on_commit(queue, robust=True)


RESIDENT_SMS_TASK = "notifications.sms_resident"


def notify_reporter(case: Case, text: str) -> None:
    """Queue a text message to the resident who reported `case` and left a phone, with the
    link to its tracking page, once the current transaction commits. The phone goes into the
    queue as the case's ciphertext, never in clear."""
    if not case.reporter_phone_enc:
        return
    args = (case.place_id, case.reporter_phone_enc, text)
    url = reverse("portal:track", args=[case.tracking_token])
    transaction.on_commit(lambda: enqueue(RESIDENT_SMS_TASK, *args, url), robust=True)


def dispatchers_of(unit: Any) -> QuerySet[Any]:
    """The accounts that dispatch at `unit`: dispatching roles whose scope is that place."""
    return get_user_model().objects.filter(
        is_active=True, role__in=roles_with(Cap.CASES_DISPATCH), scope=unit
    )


def supervisors_of(case: Case) -> QuerySet[Any]:
    """Town staff of the case's town and county leaders of its county."""
    prefixes = [case.place.path[:i] for i in range(10, len(case.place.path) + 1, 10)]
    return get_user_model().objects.filter(
        is_active=True,
        role__in=[Role.TOWN_STAFF, Role.COUNTY_LEADER],
        scope__path__in=prefixes,
        scope__kind__in=["town", "county"],
    )
