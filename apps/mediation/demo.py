"""Demo mediation: the county's 三官一律 (a judge, a prosecutor, lawyers) and each town's
police officer and people's mediator; mediations for most of the demo's dispute cases —
agreements for the resolved ones (on the day they were resolved), sessions for those still
being handled, a few that failed and were referred. Written in bulk with consistent dates."""

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from apps.cases.choices import RESOLVED_STATUSES, WITHDRAWN_STATUSES, CaseKind
from apps.cases.models import Case
from apps.core.text import pinyin_initials
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .choices import MediationStatus, MediatorKind, Referral
from .models import Mediation, MediationSession, Mediator

DEMO_ORDER = 55
COUNTY_SEATS = [
    (MediatorKind.JUDGE, "县人民法院", "周"),
    (MediatorKind.PROSECUTOR, "县人民检察院", "钟"),
    (MediatorKind.LAWYER, "赣南律师事务所", "谢"),
    (MediatorKind.LAWYER, "潋江律师事务所", "曾"),
]
GIVEN = ["志明", "建华", "春梅", "国强", "秀兰", "晓东", "丽萍", "文斌"]
AGREEMENTS = [
    "双方同意由责任方承担维修费用，三日内修复完毕",
    "双方各退一步，按协商方案分摊费用，今后互相谅解",
    "一方当面致歉并赔偿损失，另一方不再追究",
    "约定共用通道保持畅通，杂物一周内清理完毕",
]
ROOMS = ["村（社区）调解室", "乡镇综治中心", "当事人家中", "司法所"]
Say = Callable[[str], None]


def populate_demo(county: Place, size: str, seed: int, say: Say) -> dict[str, int]:
    rng = random.Random(f"{seed}/mediation")
    county_seats, town_seats = _mediators(county, rng)
    cases = list(
        Case.objects.filter(subtree_q(county), kind=CaseKind.DISPUTE)
        .exclude(status__in=sorted(WITHDRAWN_STATUSES))
        .select_related("place")
        .prefetch_related("persons")
        .order_by("pk")
    )
    now = timezone.now()
    mediations, sessions, seats = [], [], []
    for case in cases:
        if rng.random() > 0.7:
            continue
        town = next((t for t in town_seats if case.place.path.startswith(t)), None)
        chosen = [*town_seats.get(town, [])[:1], rng.choice(county_seats)] if town else []
        if not chosen:
            continue
        mediation, held = _mediation(case, rng, now)
        mediations.append(mediation)
        seats.append(chosen)
        sessions.append(held)
    started = [m.created_at for m in mediations]
    Mediation.objects.bulk_create(mediations, batch_size=1000)
    # created_at is auto_now_add (bulk_create stamps it now): put the historic dates back.
    for mediation, at in zip(mediations, started, strict=True):
        mediation.created_at = at
    Mediation.objects.bulk_update(mediations, ["created_at"], batch_size=1000)
    through = Mediation.mediators.through
    through.objects.bulk_create(
        [
            through(mediation_id=m.pk, mediator_id=x.pk)
            for m, chosen in zip(mediations, seats, strict=True)
            for x in chosen
        ],
        batch_size=2000,
    )
    rows = [
        MediationSession(mediation=m, held_on=day, location=room, participants=who, notes=notes)
        for m, held in zip(mediations, sessions, strict=True)
        for day, room, who, notes in held
    ]
    MediationSession.objects.bulk_create(rows, batch_size=2000)
    agreed = sum(1 for m in mediations if m.status == MediationStatus.AGREED)
    say(f"  纠纷调解：{len(mediations)} 件调解（{agreed} 件达成协议），{len(rows)} 次调解会")
    mediators = len(county_seats) + sum(len(seats) for seats in town_seats.values())
    return {
        "mediators": mediators,
        "mediations": len(mediations),
        "agreed": agreed,
        "sessions": len(rows),
    }


def _person(name: str, place: Place) -> Person:
    return Person(name=name, name_initials=pinyin_initials(name), place=place)


def _mediators(county: Place, rng: random.Random) -> tuple[list[Mediator], dict[str, list]]:
    """The county's judge, prosecutor and lawyers; per town a people's mediator and a police
    officer of the town's police station."""
    towns = list(Place.objects.subtree(county).filter(kind=PlaceKind.TOWN).order_by("path"))
    people, seats = [], []
    for kind, unit, surname in COUNTY_SEATS:
        people.append(_person(surname + rng.choice(GIVEN), county))
        seats.append((kind, unit, county))
    for town in towns:
        people.append(_person("刘" + rng.choice(GIVEN), town))
        seats.append((MediatorKind.PEOPLES_MEDIATOR, f"{town.name}人民调解委员会", town))
        people.append(_person("黄" + rng.choice(GIVEN), town))
        seats.append((MediatorKind.POLICE, f"{town.name}派出所", town))
    Person.objects.bulk_create(people)
    mediators = Mediator.objects.bulk_create(
        Mediator(person=p, kind=kind, unit=unit, area=area)
        for p, (kind, unit, area) in zip(people, seats, strict=True)
    )
    county_seats = [m for m in mediators if m.area_id == county.pk]
    by_town: dict[str, list] = {}
    for m in mediators:
        if m.area_id != county.pk:
            by_town.setdefault(m.area.path, []).append(m)
    return county_seats, by_town


def _mediation(
    case: Case, rng: random.Random, now: dt.datetime
) -> tuple[Mediation, list[tuple[dt.date, str, str, str]]]:
    parties = [p.name for p in case.persons.all()][:2] or [case.reporter_name or "申请人"]
    if len(parties) < 2:
        parties.append("对方当事人")
    started = min(case.created_at + dt.timedelta(hours=rng.randint(4, 48)), now)
    mediation = Mediation(case=case, parties=parties, created_at=started)
    who = "、".join(parties) + "、调解员"
    first = (started.date(), rng.choice(ROOMS), who, "听取双方陈述，释法说理")
    if case.status in RESOLVED_STATUSES and case.resolved_at:
        ended = max(case.resolved_at, started)
        mediation.status = MediationStatus.AGREED
        mediation.agreement = rng.choice(AGREEMENTS)
        mediation.agreed_on = ended.date()
        mediation.concluded_at = ended
        return mediation, [first, (ended.date(), rng.choice(ROOMS), who, "达成调解协议并签字")]
    if case.status not in RESOLVED_STATUSES and rng.random() < 0.35:
        ended = min(started + dt.timedelta(days=rng.randint(2, 10)), now)
        mediation.status = MediationStatus.FAILED
        mediation.failure_reason = "双方对赔偿金额分歧较大"
        mediation.referral = rng.choice([Referral.LITIGATION, Referral.ESCALATE])
        mediation.referral_note = "已告知诉讼途径" if mediation.referral == "litigation" else ""
        mediation.concluded_at = ended
        return mediation, [first]
    return mediation, [first]
