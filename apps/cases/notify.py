"""Telling people about cases: who hears of a case (dispatchers, supervisors) and where the
link points; `apps.notifications.services.notify` queues the message after the commit."""

import logging
from collections.abc import Callable, Iterable, Iterator
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


# --- the "新事项待受理" notice of a new case, withdrawn when a rule routes it ------------------


class IntakeNotice:
    """The recipients of a new case's "新事项待受理" notice (its handling unit's dispatchers),
    read at registration. `notify` reads them after the commit: a case routed by rule in the
    same transaction (`dispatch.route_for_claim`: 林长制 sends a forest event straight to its
    zone) withdraws the notice first, so the dispatchers are not asked to accept a case that
    is already accepted; the rule's owner tells the people who handle it."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.withdrawn = False

    def __iter__(self) -> Iterator[int]:
        return iter(() if self.withdrawn else self.ids)


def intake_notice(case: Case, unit: Any) -> IntakeNotice:
    """The new case's notice recipients, kept on the instance for `withdraw_intake_notice`."""
    notice = IntakeNotice(dispatcher_ids(unit))
    case._intake_notice = notice  # type: ignore[attr-defined]
    return notice


def withdraw_intake_notice(case: Case) -> None:
    """Tell no dispatcher of `case` being new (it was routed by rule before the commit)."""
    notice = getattr(case, "_intake_notice", None)
    if notice is not None:
        notice.withdrawn = True


# --- who else hears of an escalation ---------------------------------------------------------

# Other apps name more recipients of a case's escalation (上报) notice: each hook gets the
# case as escalated (its new level and handling unit, place loaded) and returns account ids
# or accounts (林长制: the 林长制 office of the level a forest event reached).
EscalationHook = Callable[[Case], Iterable[Any]]
_escalation_hooks: list[EscalationHook] = []


def register_escalation_recipients(hook: EscalationHook) -> EscalationHook:
    if hook not in _escalation_hooks:
        _escalation_hooks.append(hook)
    return hook


def escalation_recipients(case: Case) -> list[Any]:
    """Who the registered hooks add to the escalation notice of `case` (read now)."""
    found: list[Any] = []
    for hook in _escalation_hooks:
        found.extend(hook(case))
    return found
