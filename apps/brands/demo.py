"""Demo data for surveys and brands (P1 窑火红·满天星): a finished demand survey per community
over a sample of its households, with needs that follow the members' care tags; most
communities run a brand named as in the article (暖巢行动, 童心港湾, 妈妈课堂, 邻里帮帮站) with
co-building partners, volunteers whose skills fit, a funds ledger, and the demo's service
orders of its categories attributed to it.

Written in bulk (a county has ~45,000 households); totals on the brand rows are the sums of the
entries written, so the ledger balances as if every line went through the actions. One audit
event records the load.
"""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts.choices import Role
from apps.cases.choices import WITHDRAWN_STATUSES
from apps.cases.models import Case, Category
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.orgs.models import Organisation
from apps.people.models import CareTag, Person
from apps.places.choices import PlaceKind
from apps.places.models import Place
from apps.volunteers.choices import VolunteerStatus
from apps.volunteers.models import Volunteer

from .choices import ATTRIBUTABLE_KINDS, FundKind
from .models import Brand, BrandOrder, FundEntry, SurveyCampaign, SurveyNeed, SurveyRecord

DEMO_ORDER = 60
SAMPLE = 0.12  # share of a community's households the survey team reaches

# brand name → (description, categories, care tags)
BRANDS: dict[str, tuple[str, list[str], list[str]]] = {
    "暖巢行动": (
        "高龄、独居老人上门探访：量血压、陪聊天、代买药",
        ["elderly-care", "medical-errand"],
        ["alone_elderly", "aged", "empty_nest"],
    ),
    "童心港湾": (
        "留守儿童课业辅导、亲情陪伴和心理关爱",
        ["left-behind-children", "student-aid"],
        ["left_behind_child"],
    ),
    "妈妈课堂": ("育儿、家庭教育和就业技能课堂", ["counselling", "employment"], []),
    "邻里帮帮站": (
        "水电小修、代缴代办、政策咨询的邻里互助站",
        ["repairs", "insurance-payment", "policy"],
        ["dibao", "disabled", "special_hardship"],
    ),
}
# care tag → needs it suggests (category codes)
TAG_NEEDS = {
    "alone_elderly": ["elderly-care", "medical-errand"],
    "aged": ["elderly-care"],
    "empty_nest": ["elderly-care", "counselling"],
    "left_behind_child": ["left-behind-children", "student-aid"],
    "disabled": ["medical-errand", "insurance-payment"],
    "serious_illness": ["medical-errand"],
    "dibao": ["policy", "insurance-payment"],
    "special_hardship": ["policy"],
    "unemployed": ["employment"],
}
COMMON_NEEDS = ["repairs", "policy", "legal-aid", "counselling"]
SKILL_FIT = {
    "暖巢行动": {"medical", "companionship", "errand", "driving"},
    "童心港湾": {"tutoring", "psych", "companionship"},
    "妈妈课堂": {"psych", "social_work", "computer"},
    "邻里帮帮站": {"plumbing", "repair", "errand", "computer"},
}


def populate_demo(county: Place, size: str, seed: int, say: Any) -> dict[str, int]:
    rng = random.Random(f"{seed}/brands")
    today = timezone.localdate()
    categories = {c.code: c for c in Category.objects.filter(active=True)}
    communities = list(Place.objects.subtree(county).filter(kind=PlaceKind.COMMUNITY))
    staff = _staff_by_scope()
    campaigns = _surveys(rng, communities, staff, categories, today)
    brands, entries, orders = _brands(rng, communities, categories, today)
    admin = get_user_model().objects.filter(role=Role.ADMIN).order_by("pk").first()
    counts = {
        "campaigns": campaigns[0],
        "survey_records": campaigns[1],
        "survey_needs": campaigns[2],
        "brands": brands,
        "fund_entries": entries,
        "brand_orders": orders,
    }
    audit.record(
        actor=admin or "演示数据",
        verb=AuditVerb.IMPORT,
        object_type="brands.brand",
        object_id=county.pk,
        object_repr=f"{county.name}演示数据：需求调研与服务品牌",
        scope_path=county.path,
        changes=counts,
    )
    say(f"  需求调研：{campaigns[0]} 次（{campaigns[1]} 户），服务品牌 {brands} 个")
    return counts


def _staff_by_scope() -> dict[int, Any]:
    users = get_user_model().objects.filter(role=Role.COMMUNITY_STAFF, is_active=True)
    out: dict[int, Any] = {}
    for user in users.order_by("pk"):
        if user.scope_id is not None:
            out.setdefault(user.scope_id, user)
    return out


def _surveys(
    rng: random.Random,
    communities: list[Place],
    staff: dict[int, Any],
    categories: dict[str, Category],
    today: dt.date,
) -> tuple[int, int, int]:
    start, end = today - dt.timedelta(days=75), today - dt.timedelta(days=45)
    campaigns = SurveyCampaign.objects.bulk_create(
        [
            SurveyCampaign(
                name=f"{c.name}需求调研",
                area=c,
                start_date=start,
                end_date=end,
                team=f"{c.name}需求调研队",
                created_by=staff.get(c.pk),
            )
            for c in communities
            if staff.get(c.pk)
        ]
    )
    by_area = {c.area_id: c for c in campaigns}
    households = _households_by_community(communities, set(by_area))
    for community_id, ids in households.items():
        households[community_id] = rng.sample(ids, max(1, int(len(ids) * SAMPLE)))
    chosen = [h for hs in households.values() for h in hs]
    tags = _household_tags(chosen)
    records, wanted = [], []
    days = (end - start).days
    for community_id, homes in households.items():
        for home in homes:
            records.append(
                SurveyRecord(
                    campaign=by_area[community_id],
                    household_id=home,
                    surveyor=staff[community_id],
                    surveyed_on=start + dt.timedelta(days=rng.randint(0, days)),
                )
            )
            wanted.append(_needs_of(rng, tags.get(home, {})))
    SurveyRecord.objects.bulk_create(records, batch_size=2000)
    needs = [
        SurveyNeed(record=record, category=categories[code], persons=persons)
        for record, found in zip(records, wanted, strict=True)
        for code, persons in found.items()
        if code in categories
    ]
    SurveyNeed.objects.bulk_create(needs, batch_size=5000)
    return len(campaigns), len(records), len(needs)


def _households_by_community(communities: list[Place], wanted: set[int]) -> dict[int, list[int]]:
    """community id → its household ids, with one query over the county (paths are prefixes)."""
    by_path = {c.path: c.pk for c in communities if c.pk in wanted}
    width = len(communities[0].path) if communities else 0
    out: dict[int, list[int]] = defaultdict(list)
    rows = Place.objects.filter(kind=PlaceKind.HOUSEHOLD).values_list("pk", "path")
    for pk, path in rows.order_by("path").iterator(chunk_size=10000):
        community = by_path.get(path[:width])
        if community is not None:
            out[community].append(pk)
    return out


def _household_tags(households: list[int]) -> dict[int, dict[str, int]]:
    """household → care tag code → number of members carrying it."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = Person.care_tags.through.objects.filter(person__place_id__in=households).values_list(
        "person__place_id", "caretag__code"
    )
    for household, code in rows.iterator(chunk_size=5000):
        out[household][code] += 1
    return out


def _needs_of(rng: random.Random, tags: dict[str, int]) -> dict[str, int]:
    needs: dict[str, int] = {}
    for tag, persons in tags.items():
        for code in TAG_NEEDS.get(tag, []):
            if rng.random() < 0.7:
                needs[code] = max(needs.get(code, 0), persons)
    if rng.random() < 0.35:
        needs.setdefault(rng.choice(COMMON_NEEDS), rng.randint(1, 3))
    return needs


def _brands(
    rng: random.Random, communities: list[Place], categories: dict[str, Category], today: dt.date
) -> tuple[int, int, int]:
    tags = {t.code: t for t in CareTag.objects.all()}
    partners = _partners(communities)
    volunteers = _volunteers(communities)
    brands: list[tuple[Brand, Place, str]] = []
    for community in communities:
        if rng.random() > 0.7:
            continue  # not every community has its brand yet
        for name in rng.sample(list(BRANDS), 2 if rng.random() < 0.12 else 1):
            brand = Brand(
                name=name,
                area=community,
                description=BRANDS[name][0],
                started_on=today - dt.timedelta(days=rng.randint(120, 700)),
            )
            brands.append((brand, community, name))
    Brand.objects.bulk_create([b for b, _, _ in brands], batch_size=1000)
    _links(Brand.communities.through, "place_id", [(b.pk, c.pk) for b, c, _ in brands])
    _links(
        Brand.categories.through,
        "category_id",
        [
            (b.pk, categories[code].pk)
            for b, _, n in brands
            for code in BRANDS[n][1]
            if code in categories
        ],
    )
    _links(
        Brand.target_tags.through,
        "caretag_id",
        [(b.pk, tags[code].pk) for b, _, n in brands for code in BRANDS[n][2] if code in tags],
    )
    chosen_partners = {
        b.pk: rng.sample(partners[c.pk], min(3, len(partners[c.pk]))) for b, c, _ in brands
    }
    _links(
        Brand.partners.through,
        "organisation_id",
        [(pk, org.pk) for pk, orgs in chosen_partners.items() for org in orgs],
    )
    fitting = {
        b.pk: [v for v, skills in volunteers[c.pk] if skills & SKILL_FIT[n]][:12]
        for b, c, n in brands
    }
    _links(
        Brand.volunteers.through,
        "volunteer_id",
        [(pk, v) for pk, vs in fitting.items() for v in vs],
    )
    entries = _funds(rng, brands, chosen_partners, today)
    orders = _orders(brands, categories)
    return len(brands), entries, orders


def _links(model: Any, other: str, pairs: list[tuple[int, int]]) -> None:
    model.objects.bulk_create([model(brand_id=b, **{other: o}) for b, o in pairs], batch_size=5000)


def _partners(communities: list[Place]) -> dict[int, list[Organisation]]:
    out: dict[int, list[Organisation]] = defaultdict(list)
    by_path = {c.path: c.pk for c in communities}
    orgs = Organisation.objects.filter(
        kind__in=["co_building_unit", "school", "social_org", "volunteer_team"]
    ).select_related("place")
    for org in orgs:
        for path, pk in by_path.items():
            if org.place.path.startswith(path):
                out[pk].append(org)
                break
    return out


def _volunteers(communities: list[Place]) -> dict[int, list[tuple[int, set[str]]]]:
    out: dict[int, list[tuple[int, set[str]]]] = defaultdict(list)
    skills: dict[int, set[str]] = defaultdict(set)
    place_of: dict[int, str] = {}
    rows = Volunteer.objects.filter(status=VolunteerStatus.ACTIVE, person__active=True).values_list(
        "pk", "person__place__path", "skills__code"
    )
    for pk, path, code in rows.iterator(chunk_size=5000):
        place_of[pk] = path
        if code:
            skills[pk].add(code)
    for community in communities:
        for pk, path in place_of.items():
            if path.startswith(community.path):
                out[community.pk].append((pk, skills[pk]))
    return out


def _funds(
    rng: random.Random,
    brands: list[tuple[Brand, Place, str]],
    partners: dict[int, list[Organisation]],
    today: dt.date,
) -> int:
    rows: list[FundEntry] = []
    for brand, _community, _name in brands:
        received = spent = advanced = Decimal("0")
        day = brand.started_on or today - dt.timedelta(days=200)
        for _ in range(rng.randint(1, 3)):
            amount = Decimal(rng.randrange(3000, 30000, 500))
            source = rng.choice(partners[brand.pk]) if partners[brand.pk] else None
            giver = f"{source.name}捐助" if source else "街道拨付"
            rows.append(
                FundEntry(
                    brand=brand,
                    kind=FundKind.RECEIVED,
                    amount=amount,
                    occurred_on=min(today, day),
                    purpose=giver,
                    source=source,
                )
            )
            received += amount
            day += dt.timedelta(days=rng.randint(10, 60))
        budget = received * Decimal(rng.uniform(0.4, 0.85))
        for i in range(rng.randint(2, 6)):
            amount = (budget / 6).quantize(Decimal("1.00"))
            if spent + amount > received:
                break
            rows.append(
                FundEntry(
                    brand=brand,
                    kind=FundKind.SPENT,
                    amount=-amount,
                    occurred_on=min(today, day),
                    purpose=rng.choice(
                        ["慰问品", "血压计与药箱", "课堂教材", "维修工具", "活动场地"]
                    ),
                    voucher=f"PZ{brand.pk:04d}{i:02d}",
                )
            )
            spent += amount
            day += dt.timedelta(days=rng.randint(5, 30))
        brand.funds_received, brand.funds_spent, brand.funds_advanced = received, spent, advanced
    FundEntry.objects.bulk_create(rows, batch_size=5000)
    Brand.objects.bulk_update(
        [b for b, _, _ in brands], ["funds_received", "funds_spent", "funds_advanced"], 1000
    )
    return len(rows)


def _orders(brands: list[tuple[Brand, Place, str]], categories: dict[str, Category]) -> int:
    """Each demo case of a brand's categories, in its community, goes to the first such brand
    (one query for all cases, matched to communities by path prefix)."""
    wanted = {
        brand.pk: {categories[c].pk for c in BRANDS[name][1] if c in categories}
        for brand, _, name in brands
    }
    by_community: dict[str, list[Brand]] = defaultdict(list)
    for brand, community, _ in brands:
        by_community[community.path].append(brand)
    width = len(brands[0][1].path) if brands else 0
    cases = (
        Case.objects.filter(
            kind__in=list(ATTRIBUTABLE_KINDS),
            category_id__in={pk for pks in wanted.values() for pk in pks},
        )
        .exclude(status__in=list(WITHDRAWN_STATUSES))
        .values_list("pk", "category_id", "place__path")
        .order_by("pk")
    )
    links = []
    for pk, category, path in cases.iterator(chunk_size=10000):
        for brand in by_community.get(path[:width], []):
            if category in wanted[brand.pk]:
                links.append(BrandOrder(brand=brand, case_id=pk))
                break
    BrandOrder.objects.bulk_create(links, batch_size=5000)
    return len(links)
