"""Demo 1+1 care: the demo county's `pairing` duties (a teacher for most households with
left-behind children, made by the people generator) become pairings of each left-behind
child of the household with that carer, who joins the town's central primary school (one per
town, created here); then contacts over the last months — home visits, family–school
contacts, phone calls — with some pairings left without a recent contact, so the care group
shows its highlights. Written in bulk (a county has thousands of pairings)."""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from apps.duties.choices import DutyKind
from apps.duties.models import Duty
from apps.orgs.choices import MemberRole, OrgKind
from apps.orgs.models import Membership, Organisation
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .choices import CHILD_TAG, CarerKind, ContactKind
from .models import Contact, Pairing

DEMO_ORDER = 55
HISTORY_DAYS = 150
NOTES = {
    ContactKind.HOME_VISIT: [
        "孩子在家学习，作业完成较好",
        "与爷爷奶奶交流孩子近况，提醒注意用电安全",
        "送去课外读物，陪孩子读书半小时",
        "孩子想念在外务工的父母，已开导",
    ],
    ContactKind.FAMILY_SCHOOL: [
        "与班主任沟通本月在校表现",
        "参加家长会，代为反馈孩子学习情况",
        "了解孩子在校午餐和住宿情况",
    ],
    ContactKind.PHONE: [
        "电话询问孩子周末安排",
        "与孩子父母视频通话，通报近况",
        "电话提醒假期防溺水",
    ],
}
NEEDS = ["需要课业辅导", "希望增加心理疏导", "冬季衣物不足", ""]
Say = Callable[[str], None]


def populate_demo(county: Place, size: str, seed: int, say: Say) -> dict[str, int]:
    rng = random.Random(f"{seed}/care")
    today = timezone.localdate()
    duties = list(
        Duty.objects.current(today)
        .filter(subtree_q(county), kind=DutyKind.PAIRING)
        .select_related("place")
        .order_by("pk")
    )
    children = _children_by_household([d.place_id for d in duties])
    schools = _schools(county)
    pairings = []
    teachers: set[tuple[int, int]] = set()
    for duty in duties:
        school = _school_of(duty.place.path, schools)
        for child in children.get(duty.place_id, []):
            if child == duty.person_id:
                continue
            start = max(duty.start_date, today - dt.timedelta(days=rng.randint(90, 400)))
            pairings.append(
                Pairing(
                    person_id=child,
                    carer_id=duty.person_id,
                    carer_kind=CarerKind.TEACHER,
                    school=school,
                    duty=duty,
                    start_date=start,
                    note="教师结对",
                )
            )
            if school is not None:
                teachers.add((school.pk, duty.person_id))
    Pairing.objects.bulk_create(pairings, batch_size=2000)
    Membership.objects.bulk_create(
        [
            Membership(organisation_id=s, person_id=p, role=MemberRole.STAFF)
            for s, p in sorted(teachers)
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    contacts = _contacts(pairings, rng, today)
    say(f"  结对关爱：{len(schools)} 所学校，{len(pairings)} 对结对，{contacts} 条联系记录")
    return {"schools": len(schools), "pairings": len(pairings), "contacts": contacts}


def _children_by_household(households: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    rows = (
        Person.objects.filter(place_id__in=households, active=True, care_tags__code=CHILD_TAG)
        .order_by("pk")
        .values_list("place_id", "pk")
    )
    for household, person in rows:
        found.setdefault(household, []).append(person)
    return found


def _schools(county: Place) -> list[Organisation]:
    """One central primary school per town (中心小学), at the town."""
    towns = Place.objects.subtree(county).filter(kind=PlaceKind.TOWN).order_by("path")
    wanted = [
        Organisation(kind=OrgKind.SCHOOL, name=f"{town.name}中心小学", place=town) for town in towns
    ]
    Organisation.objects.bulk_create(wanted, ignore_conflicts=True)
    return list(
        Organisation.objects.filter(kind=OrgKind.SCHOOL, place__in=towns)
        .select_related("place")
        .order_by("place__path")
    )


def _school_of(path: str, schools: list[Organisation]) -> Organisation | None:
    return next((s for s in schools if path.startswith(s.place.path)), None)


def _contacts(pairings: list[Pairing], rng: random.Random, today: dt.date) -> int:
    """Most pairings keep in touch every few weeks; some have lapsed (last contact long ago),
    a few never had one."""
    kinds = [ContactKind.HOME_VISIT] * 5 + [ContactKind.FAMILY_SCHOOL] * 3 + [ContactKind.PHONE] * 2
    rows: list[Any] = []
    for pairing in pairings:
        habit = rng.random()
        if habit < 0.08:
            continue  # never contacted
        gap = rng.randint(12, 35) if habit > 0.25 else rng.randint(40, 80)
        day = today - dt.timedelta(days=rng.randint(0, gap))
        if habit <= 0.25:
            day -= dt.timedelta(days=35)
        first = max(pairing.start_date, today - dt.timedelta(days=HISTORY_DAYS))
        while day >= first:
            kind = rng.choice(kinds)
            rows.append(
                Contact(
                    pairing=pairing,
                    kind=kind,
                    contacted_on=day,
                    carer_id=pairing.carer_id,
                    notes=rng.choice(NOTES[kind]),
                    needs=rng.choice(NEEDS) if rng.random() < 0.2 else "",
                )
            )
            day -= dt.timedelta(days=gap + rng.randint(-5, 5))
    Contact.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
