"""Reads on people, always starting from the user's scope. Lists never decrypt."""

from typing import Any

from django.db.models import Q, QuerySet

from apps.accounts.modules import reads_people_by_duty
from apps.accounts.scoping import get_in_scope
from apps.duties.models import Duty
from apps.orgs.models import Membership
from apps.places.models import subtrees_q

from .filters import PersonFilter
from .models import PartyMember, Person


def visible_people(user: Any) -> QuerySet[Person]:
    """People whose place lies within the user's scope; for a role that reads the register
    by duty (`accounts.modules.BY_DUTY`), within the places of its current duties."""
    people = Person.objects.visible_to(user)
    if not reads_people_by_duty(user):  # a 包联 party member, a volunteer: their duties' places
        return people
    if user.person_id is None:
        return people.none()
    duties = Duty.objects.current().filter(person_id=user.person_id)
    paths = sorted(set(duties.values_list("place__path", flat=True)))
    return people.filter(Q(pk=user.person_id) | subtrees_q(paths))


def person_list(user: Any, filters: PersonFilter | None = None) -> QuerySet[Person]:
    """The people list: scoped, filtered, with everything a row shows in a bounded number of
    queries (place and roles joined, care tags prefetched)."""
    qs = visible_people(user)
    if filters is not None:
        qs = filters.filter(qs)
    return (
        qs.select_related("place", "party_member", "volunteer")
        .prefetch_related("care_tags")
        .order_by("place__path", "id")
    )


def access_person_for_user(user: Any, pk: Any) -> Person:
    """The person if it lies within the user's scope; 404 otherwise (never a 403 that would
    confirm that the person exists)."""
    qs = (
        visible_people(user)
        .select_related(
            "place",
            "party_member__branch",
            "party_member__report_community",
            "volunteer",
            "volunteer__organisation",
        )
        .prefetch_related("care_tags", "volunteer__skills")
    )
    return get_in_scope(qs, pk=pk)


def person_duties(person: Person) -> QuerySet[Duty]:
    return person.duties.select_related("place").order_by("-start_date")


def person_memberships(person: Person) -> QuerySet[Membership]:
    return person.memberships.select_related("organisation").order_by("organisation__name")


def party_member_list(user: Any, filters: PersonFilter | None = None) -> QuerySet[PartyMember]:
    people = person_list(user, filters).filter(party_member__isnull=False)
    return (
        PartyMember.objects.filter(person__in=people.values("pk"))
        .select_related("person__place", "branch", "report_community")
        .order_by("branch__name", "group_name", "person__name_initials")
    )


def volunteer_list(user: Any, filters: PersonFilter | None = None) -> QuerySet[Person]:
    """The people of the list who volunteer, with their volunteer record (apps.volunteers owns
    the record; this list reads it through the person, as the person page does)."""
    return (
        person_list(user, filters)
        .filter(volunteer__isnull=False)
        .select_related("volunteer__organisation")
        .prefetch_related("volunteer__skills")
        .order_by("name_initials")
    )
