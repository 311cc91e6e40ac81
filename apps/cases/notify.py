"""Telling people about cases: who hears of a case (dispatchers, supervisors) and where the
link points; `apps.notifications.services.notify` queues the message after the commit."""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from apps.accounts.choices import Role
from apps.accounts.permissions import Cap, roles_with
from apps.core.compiled import CompiledQuery
from apps.core.tasks import enqueue

from .models import Case

log = logging.getLogger("gongzhi.cases")


def case_url(case: Case) -> str:
    """The case page a notification about `case` links to."""
    return reverse("cases:detail", args=[case.pk])


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


# `dispatchers_of(unit)`'s ids, the SQL compiled once per process: every registration and
# most transitions tell the unit's dispatchers, and building the query cost more than running it.
_DISPATCHER_IDS = CompiledQuery(
    lambda unit_id: (
        get_user_model()
        .objects.filter(is_active=True, role__in=roles_with(Cap.CASES_DISPATCH), scope_id=unit_id)
        .only("pk")
    )
)


def dispatcher_ids(unit: Any) -> list[int]:
    """The ids of `dispatchers_of(unit)`, read now (in the caller's transaction): the
    notification is queued with the recipients it names, no query after the commit."""
    return [user.pk for user in _DISPATCHER_IDS.all(unit.pk)]


def supervisors_of(case: Case) -> QuerySet[Any]:
    """Town staff of the case's town and county leaders of its county."""
    prefixes = case.place.ancestor_paths(include_self=True)
    return get_user_model().objects.filter(
        is_active=True,
        role__in=[Role.TOWN_STAFF, Role.COUNTY_LEADER],
        scope__path__in=prefixes,
        scope__kind__in=["town", "county"],
    )
