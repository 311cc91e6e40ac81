"""Reads of surveys, service lists and brands, always from the user's scope (outside it: 404).

Figures are computed here once and used by the pages, the API, the Excel export and the
indicators alike."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from apps.accounts.scoping import get_in_scope
from apps.cases.choices import RESOLVED_STATUSES
from apps.cases.models import Case, Category
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q
from apps.volunteers.choices import VolunteerStatus
from apps.volunteers.models import Volunteer

from .choices import FundKind
from .models import Brand, BrandOrder, FundEntry, SurveyCampaign, SurveyNeed, SurveyRecord

# --- surveys ------------------------------------------------------------------------------


def campaigns_visible_to(user: Any) -> QuerySet[SurveyCampaign]:
    """Campaigns of an area in the user's scope, or of an area that holds the user's scope
    (community staff see the town's survey of their households)."""
    if not user.is_authenticated:
        return SurveyCampaign.objects.none()
    qs = SurveyCampaign.objects.visible_to(user)
    if user.scope_id:
        around = user.scope.ancestor_paths(include_self=True)
        qs |= SurveyCampaign.objects.filter(area__path__in=around)
    return qs.select_related("area", "organiser")


def access_campaign_for_user(user: Any, pk: Any) -> SurveyCampaign:
    return get_in_scope(campaigns_visible_to(user), pk=pk)


def records_visible_to(user: Any) -> QuerySet[SurveyRecord]:
    qs = SurveyRecord.objects.select_related("household", "surveyor", "campaign")
    return qs.visible_to(user)


def access_need_for_user(user: Any, pk: Any) -> SurveyNeed:
    qs = SurveyNeed.objects.select_related("record__household", "record__campaign", "category")
    return get_in_scope(qs.visible_to(user), pk=pk)


def campaign_records(user: Any, campaign: SurveyCampaign) -> QuerySet[SurveyRecord]:
    return (
        records_visible_to(user)
        .filter(campaign=campaign)
        .prefetch_related("needs__category", "needs__case")
    )


def households_for_survey(user: Any, campaign: SurveyCampaign, q: str = "") -> QuerySet[Place]:
    """Households of the campaign's area in the user's scope, found by name or address."""
    qs = Place.objects.visible_to(user).subtree(campaign.area).filter(kind=PlaceKind.HOUSEHOLD)
    if q.strip():
        qs = qs.filter(
            Q(name__icontains=q.strip())
            | Q(address__icontains=q.strip())
            | Q(parent__name__icontains=q.strip())
        )
    return qs.select_related("parent__parent").order_by("path")


@dataclass
class CampaignFigures:
    households: int
    persons: int
    needs: int
    orders: int


def campaign_figures(user: Any, campaign: SurveyCampaign) -> CampaignFigures:
    needs = SurveyNeed.objects.filter(
        record__in=records_visible_to(user).filter(campaign=campaign)
    ).aggregate(n=Count("pk"), persons=Sum("persons"), orders=Count("case"))
    households = records_visible_to(user).filter(campaign=campaign).count()
    return CampaignFigures(households, needs["persons"] or 0, needs["n"], needs["orders"])


def latest_records(
    user: Any, area: Place, campaign: SurveyCampaign | None = None
) -> QuerySet[SurveyRecord]:
    """Each surveyed household of the area once: its latest record (of `campaign` if named)."""
    base = SurveyRecord.objects.visible_to(user).filter(subtree_q(area, "household"))
    if campaign is not None:
        base = base.filter(campaign=campaign)
    newest = base.filter(household=OuterRef("household")).order_by("-surveyed_on", "-id")
    return base.filter(pk=Subquery(newest.values("pk")[:1]))


# --- the service list ---------------------------------------------------------------------


@dataclass
class ServiceRow:
    """One service (a category) of an area's service list: the demand and who answers it."""

    category: Category
    households: int = 0
    persons: int = 0
    orders: int = 0
    volunteers: int = 0
    organisations: list[str] = field(default_factory=list)
    brands: list[Brand] = field(default_factory=list)


def _parents(category: Category, by_pk: dict[int, Category]) -> list[int]:
    chain, seen = [], set()
    while category is not None and category.pk not in seen:
        seen.add(category.pk)
        chain.append(category.pk)
        category = by_pk.get(category.parent_id) if category.parent_id else None  # type: ignore[assignment]
    return chain


def brands_serving(area: Place) -> QuerySet[Brand]:
    """Running brands with a community inside `area` or whose communities hold it."""
    inside = subtree_q(area, "communities")
    holding = Q(communities__path__in=area.ancestor_paths(include_self=True))
    return (
        Brand.objects.filter(inside | holding, active=True)
        .distinct()
        .prefetch_related("categories", "partners")
    )


def service_list(
    user: Any, area: Place, campaign: SurveyCampaign | None = None
) -> list[ServiceRow]:
    """The service list (服务清单) of an area: for each category with surveyed demand or a
    brand answering it, the households and persons who need it (latest record per household),
    the needs already turned into orders, the volunteers whose skills fit, and the brands and
    their partner organisations that answer it."""
    by_pk = {c.pk: c for c in Category.objects.all()}
    rows: dict[int, ServiceRow] = {}
    demand = (
        SurveyNeed.objects.filter(record__in=latest_records(user, area, campaign))
        .values("category")
        .annotate(
            households=Count("record__household", distinct=True),
            persons=Sum("persons"),
            orders=Count("case"),
        )
    )
    for d in demand:
        rows[d["category"]] = ServiceRow(
            by_pk[d["category"]], d["households"], d["persons"] or 0, d["orders"]
        )
    serving = [(b, {c.pk for c in b.categories.all()}) for b in brands_serving(area)]
    for _brand, answered in serving:
        for pk in answered:
            rows.setdefault(pk, ServiceRow(by_pk[pk]))
    for row in rows.values():
        chain = set(_parents(row.category, by_pk))
        row.brands = [b for b, answered in serving if answered & chain]
        row.organisations = sorted({o.name for b in row.brands for o in b.partners.all()})
    _count_volunteers(area, rows)
    return sorted(rows.values(), key=lambda r: (-r.households, r.category.sort, r.category.code))


def _count_volunteers(area: Place, rows: dict[int, ServiceRow]) -> None:
    skills_of: dict[int, set[str]] = defaultdict(set)
    for pk, code in Volunteer.objects.filter(
        subtree_q(area, "person__place"),
        status=VolunteerStatus.ACTIVE,
        person__active=True,
        skills__isnull=False,
    ).values_list("pk", "skills__code"):
        skills_of[pk].add(code)
    for row in rows.values():
        wanted = set(row.category.skill_codes or [])
        row.volunteers = sum(1 for s in skills_of.values() if wanted & s) if wanted else 0


# --- brands -------------------------------------------------------------------------------


def brands_visible_to(user: Any) -> QuerySet[Brand]:
    """Brands run by an area in the user's scope or serving a community in it or holding it
    (a grid worker sees the brands of their community, as the service list names them)."""
    served = Q(communities__in=Place.objects.visible_to(user))
    scope = getattr(user, "scope", None)
    if scope is not None:
        served |= Q(communities__path__in=scope.ancestor_paths(include_self=True))
    serving = Brand.objects.filter(served)
    ids = (Brand.objects.visible_to(user) | serving).values("pk")
    return Brand.objects.filter(pk__in=ids).select_related("area")


def access_brand_for_user(user: Any, pk: Any) -> Brand:
    return get_in_scope(brands_visible_to(user), pk=pk)


def access_fund_entry_for_user(user: Any, pk: Any) -> FundEntry:
    qs = FundEntry.objects.filter(brand__in=brands_visible_to(user)).select_related("brand")
    return get_in_scope(qs, pk=pk)


def access_brand_order_for_user(user: Any, pk: Any) -> BrandOrder:
    qs = BrandOrder.objects.filter(brand__in=brands_visible_to(user)).select_related("brand")
    return get_in_scope(qs, pk=pk)


@dataclass
class BrandFigures:
    orders: int = 0
    resolved: int = 0
    order_person_times: int = 0
    activities: int = 0
    activity_person_times: int = 0
    volunteers: int = 0
    received: Decimal = Decimal("0")
    spent: Decimal = Decimal("0")

    @property
    def person_times(self) -> int:
        return self.order_person_times + self.activity_person_times

    @property
    def balance(self) -> Decimal:
        return self.received - self.spent


def _period_q(prefix: str, date_from: dt.date | None, date_to: dt.date | None) -> Q:
    q = Q()
    if date_from:
        q &= Q(**{f"{prefix}__date__gte": date_from})
    if date_to:
        q &= Q(**{f"{prefix}__date__lte": date_to})
    return q


def order_person_times(orders: QuerySet[BrandOrder]) -> dict[int, tuple[int, int, int]]:
    """brand id → (orders, resolved, person-times). Person-times of a resolved order: the
    people the case names, at least 1 (the same rule as the case KPIs' 服务人次)."""
    out: dict[int, tuple[int, int, int]] = {}
    totals = orders.values("brand").annotate(n=Count("pk"))
    resolved = (
        orders.filter(case__status__in=RESOLVED_STATUSES)
        .values("brand")
        .annotate(
            n=Count("case", distinct=True),
            persons=Count("case__persons"),
            alone=Count("pk", filter=Q(case__persons__isnull=True)),
        )
    )
    done = {r["brand"]: (r["n"], r["persons"] + r["alone"]) for r in resolved}
    for row in totals:
        n_resolved, persons = done.get(row["brand"], (0, 0))
        out[row["brand"]] = (row["n"], n_resolved, persons)
    return out


def _activity_model() -> Any:
    try:
        return apps.get_model("activities", "Activity")
    except LookupError:
        return None


def activity_figures(
    brands: list[Brand],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    within: Place | None = None,
) -> dict[int, tuple[int, int]]:
    """brand id → (activities, person-times) from apps.activities: activities linked to the
    brand (a `brand` field, or else `project` named as the brand and held in one of its
    communities), not cancelled; person-times = participants checked in + walk-ins. Two
    queries whatever the number of brands."""
    model = _activity_model()
    if model is None or not brands:
        return {}
    names = {f.name for f in model._meta.get_fields()}
    qs = model.objects.exclude(status="cancelled").filter(_period_q("start_at", date_from, date_to))
    if within is not None:
        qs = qs.filter(subtree_q(within))
    owner: dict[int, int] = {}  # activity id → brand id
    if "brand" in names:
        for pk, brand_id in qs.filter(brand__in=brands).values_list("pk", "brand"):
            owner[pk] = brand_id
    elif "project" in names:
        by_name: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
        for brand in brands:
            paths = [c.path for c in brand.communities.all()]
            by_name[brand.name].append((brand.pk, paths))
        rows = qs.filter(project__in=list(by_name)).values_list("pk", "project", "place__path")
        for pk, project, path in rows:
            for brand_id, paths in by_name[project]:
                if any(path.startswith(p) for p in paths):
                    owner[pk] = brand_id
                    break
    else:
        return {}
    walk_ins = dict(
        model.objects.filter(pk__in=list(owner)).values_list("pk", "walk_ins")
        if "walk_ins" in names
        else []
    )
    present = _checked_in(list(owner))
    out: dict[int, tuple[int, int]] = {}
    for pk, brand_id in owner.items():
        n, persons = out.get(brand_id, (0, 0))
        out[brand_id] = (n + 1, persons + present.get(pk, 0) + (walk_ins.get(pk) or 0))
    return out


def _checked_in(activity_ids: list[int]) -> dict[int, int]:
    try:
        participation = apps.get_model("activities", "Participation")
        participation._meta.get_field("checked_in_at")
    except (LookupError, FieldDoesNotExist):
        return {}
    rows = (
        participation.objects.filter(activity__in=activity_ids, checked_in_at__isnull=False)
        .values("activity")
        .annotate(n=Count("pk"))
    )
    return {r["activity"]: r["n"] for r in rows}


def brand_figures(
    brands: list[Brand], date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[int, BrandFigures]:
    """Figures of each brand: orders attributed, resolved, person-times (orders and activities),
    volunteers, funds. With a period: orders resolved and entries dated in it."""
    ids = [b.pk for b in brands]
    figures = {pk: BrandFigures() for pk in ids}
    orders = BrandOrder.objects.filter(brand__in=ids)
    if date_from or date_to:
        orders = orders.filter(_period_q("case__resolved_at", date_from, date_to))
    for pk, (n, resolved, persons) in order_person_times(orders).items():
        figures[pk].orders, figures[pk].resolved, figures[pk].order_person_times = (
            n,
            resolved,
            persons,
        )
    for pk, (n, persons) in activity_figures(brands, date_from, date_to).items():
        figures[pk].activities, figures[pk].activity_person_times = n, persons
    for row in (
        Brand.volunteers.through.objects.filter(brand__in=ids)
        .values("brand")
        .annotate(n=Count("pk"))
    ):
        figures[row["brand"]].volunteers = row["n"]
    entries = FundEntry.objects.filter(brand__in=ids)
    if date_from:
        entries = entries.filter(occurred_on__gte=date_from)
    if date_to:
        entries = entries.filter(occurred_on__lte=date_to)
    for money in entries.values("brand").annotate(
        received=Sum("amount", filter=_received_q()), spent=Sum("amount", filter=_spent_q())
    ):
        figures[money["brand"]].received = money["received"] or Decimal("0")
        figures[money["brand"]].spent = -(money["spent"] or Decimal("0"))
    return figures


def _received_q() -> Q:
    """Receipts and the reversals of receipts."""
    return Q(kind=FundKind.RECEIVED) | Q(kind=FundKind.REVERSAL, reverses__kind=FundKind.RECEIVED)


def _spent_q() -> Q:
    spending = [FundKind.SPENT, FundKind.ADVANCE]
    return Q(kind__in=spending) | Q(kind=FundKind.REVERSAL, reverses__kind__in=spending)


def fund_entries(brand: Brand) -> QuerySet[FundEntry]:
    return brand.fund_entries.select_related("source", "created_by", "reverses").prefetch_related(
        "reversed_by"
    )


def brand_orders(brand: Brand) -> QuerySet[BrandOrder]:
    return brand.orders.select_related("case__category", "case__assignee", "case__place")


def order_candidates(user: Any, brand: Brand, limit: int = 50) -> list[Case]:
    """Open orders in the brand's communities and categories, in the user's scope, not yet
    attributed to any brand: what staff may attribute from the brand page."""
    places = Q()
    for community in brand.communities.all():
        places |= subtree_q(community)
    if not places:
        return []
    categories = list(brand.categories.all())
    qs = (
        Case.objects.visible_to(user)
        .open()
        .filter(places, kind__in=["service_order", "need", "errand"], brand_order__isnull=True)
        .select_related("category", "place")
        .order_by("-created_at")
    )
    if categories:
        qs = qs.filter(Q(category__in=categories) | Q(category__parent__in=categories))
    return list(qs[:limit])


def brand_assignees(brand: Brand) -> list[Any]:
    """Accounts of the brand's volunteers (who may be dispatched an order through it)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(person__in=brand.volunteers.values("person"), is_active=True)
        .select_related("person")
        .order_by("username")
    )


@dataclass
class CommunityBrands:
    community: Place
    brands: list[Brand]


def community_brands(user: Any, area: Place) -> list[CommunityBrands]:
    """一社区一品牌: each community of the area (in the user's scope) with its brand(s)."""
    communities = list(
        Place.objects.visible_to(user)
        .subtree(area)
        .filter(kind=PlaceKind.COMMUNITY)
        .prefetch_related("brands__communities")
        .order_by("path")
    )
    brands = {b.pk: b for c in communities for b in c.brands.all()}
    figures = brand_figures(list(brands.values()))
    rows = []
    for community in communities:
        mine = sorted(community.brands.all(), key=lambda b: b.name)
        for brand in mine:
            brand.figures = figures[brand.pk]  # type: ignore[attr-defined]
        rows.append(CommunityBrands(community, mine))
    return rows


# --- figures for the indicators (one place subtree, one period) ---------------------------


def surveyed_households(place: Place, date_from: dt.date, date_to: dt.date) -> int:
    """Distinct households of the subtree with a survey record dated in the period."""
    return (
        SurveyRecord.objects.filter(
            subtree_q(place, "household"), surveyed_on__gte=date_from, surveyed_on__lte=date_to
        )
        .values("household")
        .distinct()
        .count()
    )


def needs_collected(place: Place, date_from: dt.date, date_to: dt.date) -> int:
    """Person-times of needs recorded in the period (each need counts its persons)."""
    total = SurveyNeed.objects.filter(
        subtree_q(place, "record__household"),
        record__surveyed_on__gte=date_from,
        record__surveyed_on__lte=date_to,
    ).aggregate(n=Sum("persons"))["n"]
    return total or 0


def brand_count(place: Place) -> int:
    return brands_serving(place).count()


def funds_in_period(place: Place, date_from: dt.date, date_to: dt.date) -> tuple[Decimal, Decimal]:
    """(received, spent) in the period by brands run by an area of the subtree, net of
    reversals."""
    entries = FundEntry.objects.filter(
        subtree_q(place, "brand__area"), occurred_on__gte=date_from, occurred_on__lte=date_to
    )
    row = entries.aggregate(
        received=Sum("amount", filter=_received_q()), spent=Sum("amount", filter=_spent_q())
    )
    return row["received"] or Decimal("0"), -(row["spent"] or Decimal("0"))


def person_times_served(place: Place, date_from: dt.date, date_to: dt.date) -> int:
    """Person-times served through brands in the subtree: attributed orders resolved in the
    period (people named, at least 1 each) plus brand activities' attendance in the period."""
    # Attributed orders resolved in the period are few; filtering their places by path in
    # Python keeps SQLite from scanning the whole place tree of a county first.
    rows = BrandOrder.objects.filter(
        _period_q("case__resolved_at", date_from, date_to), case__status__in=RESOLVED_STATUSES
    ).values_list("case_id", "case__place__path")
    ids = [case for case, path in rows if path.startswith(place.path)]
    named = {
        row["case_id"]: row["n"]
        for row in Case.persons.through.objects.filter(case_id__in=ids)
        .values("case_id")
        .annotate(n=Count("pk"))
    }
    total = sum(max(1, named.get(case, 0)) for case in ids)
    brands = list(brands_serving(place).prefetch_related("communities"))
    activities = activity_figures(brands, date_from, date_to, within=place)
    return total + sum(persons for _, persons in activities.values())
