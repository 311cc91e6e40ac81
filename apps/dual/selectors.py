"""Reads of 双报到双报告, always from the user's scope (outside it: 404): registrations, their
services, the needs a unit may pick and the monthly report lines."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet, Sum

from apps.accounts.scoping import get_in_scope
from apps.cases.choices import OPEN_STATUSES, CaseKind
from apps.cases.models import Case
from apps.orgs.models import Organisation
from apps.people.models import PartyMember
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .choices import DualServiceStatus
from .models import DualRegistration, DualReport, DualService


def registrations_visible_to(user: Any) -> QuerySet[DualRegistration]:
    qs = DualRegistration.objects.select_related(
        "organisation", "community", "party_member__person", "contact"
    )
    return qs.visible_to(user)


def access_registration_for_user(user: Any, pk: int) -> DualRegistration:
    return get_in_scope(registrations_visible_to(user), pk=pk)


def access_service_for_user(user: Any, pk: int) -> DualService:
    return get_in_scope(DualService.objects.visible_to(user).select_related("registration"), pk=pk)


def services_of(registration: DualRegistration, limit: int) -> list[DualService]:
    return list(registration.services.select_related("case").order_by("-id")[:limit])


def community_choices(user: Any) -> list[tuple[int, str]]:
    """The communities in the user's scope, as form choices."""
    rows = Place.objects.visible_to(user).filter(kind=PlaceKind.COMMUNITY).order_by("path")
    return [(p.pk, p.name) for p in rows[:500]]


def community_in_scope(user: Any, pk: int | str) -> Place:
    return get_in_scope(Place.objects.visible_to(user).filter(kind=PlaceKind.COMMUNITY), pk=pk)


def organisation_by_pk(pk: int | str) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first()


def party_member_by_pk(pk: int | str) -> PartyMember | None:
    return PartyMember.objects.select_related("person").filter(pk=pk).first()


def account_by_username(username: str) -> Any:
    """The unit's contact account named on the form, or None."""
    return get_user_model().objects.filter(username=username.strip()).first()


def order_for(user: Any, pk: int | str) -> Case:
    """A need (a case) picked by number, within the user's scope."""
    return get_in_scope(Case.objects.visible_to(user), pk=pk)


def open_needs(community: Place) -> QuerySet[Case]:
    """Open service orders and needs of the community, which registered units may pick."""
    return (
        Case.objects.filter(
            subtree_q(community),
            kind__in=[CaseKind.SERVICE_ORDER, CaseKind.NEED],
            status__in=sorted(OPEN_STATUSES),
        )
        .select_related("place")
        .order_by("-id")
    )


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


@dataclass
class ReportLine:
    organisation_id: int
    community_id: int
    members: int
    services: int
    hours: Decimal


def report_lines(month: dt.date, user: Any = None) -> list[ReportLine]:
    """Per unit and community: distinct members who served, services done and hours, for the
    services done in the month; with `user`, only those visible to that account."""
    first, last = month_bounds(month)
    qs = DualService.objects.visible_to(user) if user is not None else DualService.objects.all()
    qs = qs.filter(status=DualServiceStatus.DONE, served_on__gte=first, served_on__lte=last)
    rows = (
        qs.values("registration__organisation_id", "registration__community_id")
        .annotate(
            members=Count("registration__party_member", distinct=True),
            services=Count("id"),
            hours=Sum("hours"),
        )
        .order_by("registration__organisation_id", "registration__community_id")
    )
    return [
        ReportLine(
            r["registration__organisation_id"],
            r["registration__community_id"],
            r["members"],
            r["services"],
            r["hours"] or Decimal("0"),
        )
        for r in rows
    ]


@dataclass
class ReportRow:
    organisation: Organisation
    community: Place
    members: int
    services: int
    hours: Decimal
    notified: bool


def report_rows(user: Any, month: dt.date) -> list[ReportRow]:
    """双报告 of one month for the units registered in the user's scope: computed from the
    services done that month (the same count the month-end job writes), with whether the
    unit's contact was notified."""
    lines = report_lines(month, user)
    orgs = Organisation.objects.in_bulk({line.organisation_id for line in lines})
    places = Place.objects.in_bulk({line.community_id for line in lines})
    notified = set(
        DualReport.objects.filter(month=month, notified_at__isnull=False).values_list(
            "organisation_id", "community_id"
        )
    )
    return [
        ReportRow(
            orgs[line.organisation_id],
            places[line.community_id],
            line.members,
            line.services,
            line.hours,
            (line.organisation_id, line.community_id) in notified,
        )
        for line in lines
    ]
