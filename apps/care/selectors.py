"""Reads of the care programme, always from the user's scope: pairings, one pairing, a
carer's own pairings, and the care group (every tagged person of an area or school with
their pairings and last contact)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as When_
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone

from apps.accounts.scoping import get_in_scope
from apps.orgs.choices import OrgKind
from apps.orgs.models import Membership, Organisation
from apps.people.models import Person
from apps.places.models import SEGMENT, Place, subtree_q
from apps.places.selectors import ancestor_ids

from .choices import CHILD_TAG, ContactKind
from .models import Contact, Pairing


def visible_pairings(user: Any) -> QuerySet[Pairing]:
    """Pairings of people in the user's scope, plus the user's own as a carer."""
    if user is None or not user.is_authenticated:
        return Pairing.objects.none()
    qs = Pairing.objects.visible_to(user)
    if getattr(user, "person_id", None):
        qs |= Pairing.objects.filter(carer_id=user.person_id)
    return qs


def pairing_list(user: Any, filters: Any = None) -> QuerySet[Pairing]:
    qs = visible_pairings(user)
    if filters is not None:
        qs = filters.filter(qs)
    return qs.select_related("person__place", "carer", "school").order_by("-start_date", "-id")


def access_pairing_for_user(user: Any, pk: Any) -> Pairing:
    qs = visible_pairings(user).select_related("person__place", "carer", "school", "duty")
    return get_in_scope(qs, pk=pk)


def my_pairings(user: Any) -> QuerySet[Pairing]:
    """The signed-in carer's running pairings, the longest without contact first."""
    if not getattr(user, "person_id", None):
        return Pairing.objects.none()
    last = Contact.objects.filter(pairing=OuterRef("pk")).order_by().values("pairing")
    return (
        Pairing.objects.current()
        .filter(carer_id=user.person_id)
        .select_related("person__place")
        .annotate(last_contact=Subquery(last.annotate(m=Max("contacted_on")).values("m")))
        .order_by(F("last_contact").asc(nulls_first=True), "person__name")
    )


def contacts_of(pairing: Pairing) -> QuerySet[Contact]:
    return pairing.contacts.select_related("carer", "recorded_by").prefetch_related("cases")


def schools_in_scope(user: Any) -> QuerySet[Organisation]:
    """Schools in the user's scope and on the places above it: the town's central school
    serves the villages of a community's staff too."""
    schools = Organisation.objects.filter(kind=OrgKind.SCHOOL, active=True)
    qs = Organisation.objects.visible_to(user).filter(kind=OrgKind.SCHOOL, active=True)
    if getattr(user, "scope", None) is not None:
        qs = qs | schools.filter(place_id__in=ancestor_ids(user.scope))
    return qs.order_by("name", "pk")


def schools_for(person: Person) -> QuerySet[Organisation]:
    """Schools a pairing of `person` may go through: those of the person's town (or of the
    places above the person, a county school)."""
    return (
        Organisation.objects.filter(kind=OrgKind.SCHOOL, active=True)
        .filter(subtree_q(_town_of(person)) | Q(place_id__in=ancestor_ids(person.place)))
        .order_by("name", "pk")
    )


def _town_of(person: Person) -> Place:
    area = person.place
    for ancestor in person.place.ancestors():
        if ancestor.kind == "town":
            area = ancestor
    return area


def carer_candidates(user: Any, person: Person) -> QuerySet[Person]:
    """People in the user's scope who may be paired with `person`: volunteers, party members
    and staff of schools, in the person's town (or the user's scope, when smaller)."""
    area = _town_of(person)
    return (
        Person.objects.visible_to(user)
        .filter(subtree_q(area), active=True)
        .filter(
            Q(volunteer__isnull=False)
            | Q(party_member__isnull=False)
            | Q(memberships__organisation__kind=OrgKind.SCHOOL)
        )
        .exclude(pk=person.pk)
        .distinct()
        .order_by("name", "pk")
    )


@dataclass
class CarerOption:
    """One carer offered by the pairing form's search: enough to tell two people of the same
    name apart (age, household, what makes them a carer)."""

    person: Person
    age: int | None
    home: str
    roles: list[str]

    @property
    def label(self) -> str:
        parts = [self.person.name]
        if self.age is not None:
            parts.append(f"{self.age}岁")
        parts += [p for p in (self.home, "、".join(self.roles)) if p]
        return " · ".join(parts)


CARER_RESULTS = 20
HOME_KINDS = ("compound", "building", "unit", "household")


def _age(birth: dt.date | None, on: dt.date, *, exact: bool) -> int | None:
    """Full years to those who may reveal personal data; to the others the difference of the
    years only: an exact age, read again day after day, gives the birthday away, and with it
    most of a masked ID number (ADR 0016, as `places_tags.age_for`)."""
    if birth is None:
        return None
    if not exact:
        return on.year - birth.year
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(SEGMENT, len(path) + 1, SEGMENT)]


def carer_search(
    user: Any, person: Person, q: str = "", *, limit: int = CARER_RESULTS
) -> list[CarerOption]:
    """The candidates whose name or home (compound, building …) contains each word of `q`,
    people of the person's own community first; each with age, household and roles (a fixed
    number of queries)."""
    qs = carer_candidates(user, person)
    for word in q.split():
        qs = qs.filter(
            Q(name__contains=word)
            | Q(place__name__contains=word)
            | Q(place__parent__name__contains=word)
            | Q(place__parent__parent__name__contains=word)
            | Q(place__parent__parent__parent__name__contains=word)
        )
    community = next((a for a in person.place.ancestors() if a.kind == "community"), None)
    near = subtree_q(community) if community is not None else Q(pk__in=[])
    people = list(
        qs.annotate(near=When_(When(near, then=0), default=1, output_field=IntegerField()))
        .select_related("place", "volunteer", "party_member")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(
                    organisation__kind=OrgKind.SCHOOL
                ).select_related("organisation"),
                to_attr="schools",
            )
        )
        .order_by("near", "name", "pk")[:limit]
    )
    paths = {p for c in people for p in _prefixes(c.place.path)}
    names = {
        p.path: p.name
        for p in Place.objects.filter(path__in=sorted(paths), kind__in=HOME_KINDS).only(
            "path", "name", "kind"
        )
    }
    today = timezone.localdate()
    exact = bool(getattr(user, "can_reveal_personal_data", False))
    options = []
    for carer in people:
        home = " ".join(names[p] for p in _prefixes(carer.place.path) if p in names)
        roles = [m.organisation.name for m in carer.schools]  # type: ignore[attr-defined]
        if hasattr(carer, "party_member"):
            roles.append("党员")
        if hasattr(carer, "volunteer"):
            roles.append("志愿者")
        options.append(CarerOption(carer, _age(carer.birth_date, today, exact=exact), home, roles))
    return options


# --- the care group -----------------------------------------------------------------------


@dataclass
class CareGroupFigures:
    total: int
    paired: int
    unpaired: int
    stale: int  # paired, and no contact in `days` days
    contacts: int  # contacts in the last `days` days
    home_visits: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.paired / self.total, 1) if self.total else None


def care_group_people(
    user: Any,
    place: Place,
    *,
    tag: str = CHILD_TAG,
    school: Organisation | None = None,
    on: dt.date | None = None,
) -> QuerySet[Person]:
    """Every active person with the care tag in the place's subtree (and the user's scope),
    annotated with `paired` (a running pairing today) and `last_contact` (latest contact of
    any of their pairings). With a school: only the people paired (now or before) through it
    — a child's school is known from the pairing, so an unpaired child belongs to a village,
    not to a school."""
    on = on or timezone.localdate()
    running = Pairing.objects.current(on).filter(person=OuterRef("pk"))
    last = (
        Contact.objects.filter(pairing__person=OuterRef("pk"))
        .order_by()
        .values("pairing__person")
        .annotate(m=Max("contacted_on"))
        .values("m")
    )
    qs = Person.objects.visible_to(user).filter(subtree_q(place), active=True, care_tags__code=tag)
    if school is not None:
        qs = qs.filter(Exists(Pairing.objects.filter(person=OuterRef("pk"), school=school)))
    return qs.annotate(paired=Exists(running), last_contact=Subquery(last))


def stale_q(days: int, on: dt.date) -> Q:
    since = on - dt.timedelta(days=days)
    return Q(last_contact__isnull=True) | Q(last_contact__lt=since)


def care_group_rows(people: QuerySet[Person], on: dt.date | None = None) -> QuerySet[Person]:
    """The page's rows: unpaired first, then the longest without contact; each row's household
    and running pairings (with carer and school) joined in a fixed number of queries."""
    on = on or timezone.localdate()
    running = Pairing.objects.current(on).select_related("carer", "school")
    return (
        people.select_related("place")
        .prefetch_related(Prefetch("pairings", queryset=running, to_attr="running"))
        .order_by("paired", F("last_contact").asc(nulls_first=True), "place__path", "pk")  # type: ignore[misc]
    )


def care_group_figures(
    people: QuerySet[Person], *, days: int, on: dt.date | None = None
) -> CareGroupFigures:
    on = on or timezone.localdate()
    paired = people.filter(paired=True)  # type: ignore[misc]
    counts = {
        "total": people.count(),
        "paired": paired.count(),
        "stale": paired.filter(stale_q(days, on)).count(),
    }
    since = on - dt.timedelta(days=days)
    contacts = Contact.objects.filter(
        pairing__person__in=people.values("pk"), contacted_on__gt=since, contacted_on__lte=on
    ).aggregate(n=Count("pk"), visits=Count("pk", filter=Q(kind=ContactKind.HOME_VISIT)))
    return CareGroupFigures(
        total=counts["total"],
        paired=counts["paired"],
        unpaired=counts["total"] - counts["paired"],
        stale=counts["stale"],
        contacts=contacts["n"],
        home_visits=contacts["visits"],
    )


# --- indicator figures --------------------------------------------------------------------


def paired_people_count(place: Place, on: dt.date | None = None) -> int:
    """People in the subtree with a running pairing today (any care tag)."""
    return (
        Pairing.objects.current(on)
        .filter(subtree_q(place, "person__place"), person__active=True)
        .values("person_id")
        .distinct()
        .count()
    )


def child_pairing_coverage(place: Place, on: dt.date | None = None) -> tuple[int, int]:
    """(paired, all) active left-behind children in the subtree."""
    qs = Person.objects.filter(subtree_q(place), active=True, care_tags__code=CHILD_TAG)
    running = Pairing.objects.current(on).filter(person=OuterRef("pk"))
    counts = qs.aggregate(total=Count("pk"), paired=Count("pk", filter=Q(Exists(running))))
    return counts["paired"], counts["total"]


def contact_count(place: Place, date_from: dt.date, date_to: dt.date, kind: str = "") -> int:
    qs = Contact.objects.filter(
        subtree_q(place, "pairing__person__place"),
        contacted_on__gte=date_from,
        contacted_on__lte=date_to,
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.count()
