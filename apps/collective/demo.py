"""The demo county's village books (三资): a model village at the P8 article's figures
(collective income over 800k yuan a year, 108 亩 transferred, 200+ jobs, 360k visitors, 80 %
of the labour force in logistics, 乡贤 mentoring), and every other village with a realistic
spread of collective operating income (most under 100k yuan; about half under 50k). Written
in bulk; vouchers are posted through the database's balance trigger like any other."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts.choices import Role
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .actions import schedule
from .bulk import post_many, year_of_books
from .choices import ContractKind, ResourceKind, ResourceUse, TalentKind
from .models import (
    Book,
    Contract,
    Instalment,
    Job,
    LabourSurvey,
    Mentoring,
    Resource,
    Talent,
    VisitorCount,
)

DEMO_ORDER = 60


def _spread(rng: random.Random) -> int:
    """Operating income (yuan) of an ordinary village: half under 50k, a few over 500k."""
    r = rng.random()
    if r < 0.5:
        return rng.randint(5_000, 49_000)
    if r < 0.75:
        return rng.randint(50_000, 99_000)
    if r < 0.95:
        return rng.randint(100_000, 499_000)
    return rng.randint(500_000, 900_000)


def _accounts(model: Place) -> int:
    """Demo logins of the model village's bookkeepers, with the demo password (the admin's
    hash, so no slow hashing here)."""
    users = get_user_model()
    password = users.objects.filter(username="admin").values_list("password", flat=True).first()
    if not password:
        return 0
    town = model.parent
    made = 0
    for username, role, scope in (
        ("kuaiji01", Role.VILLAGE_ACCOUNTANT, model),
        ("jiandu01", Role.VILLAGE_SUPERVISOR, model),
        ("sanzi01", Role.AGENCY_ACCOUNTANT, town),
    ):
        _, created = users.objects.get_or_create(
            username=username, defaults={"role": role, "scope": scope, "password": password}
        )
        made += created
    return made


def populate_demo(county: Place, size: str, seed: int, say: Any) -> dict[str, int]:
    rng = random.Random(f"{seed}/collective")
    today = timezone.localdate()
    # 村委会 only (statistical codes 200–399 in the last three digits; 居委会 are 001–199)
    villages = [
        p
        for p in Place.objects.subtree(county).filter(kind=PlaceKind.COMMUNITY).order_by("path")
        if p.code[-3:] >= "200"
    ]
    if not villages:
        return {}
    Book.objects.bulk_create(
        Book(village=v, organisation=f"{v.name}股份经济合作社", members=rng.randint(600, 3000))
        for v in villages
    )
    books = list(
        Book.objects.filter(village__in=villages)
        .select_related("village")
        .order_by("village__path")
    )
    model = books[0]
    model.members = 2600
    model.organisation = f"{model.village.name}股份经济合作社（石塘村式示范村）"
    model.save(update_fields=["members", "organisation"])
    contracts = _model_village(model, today)
    traded = _trades(model.village, today, random.Random(f"{seed}/collective/trades"))
    jobs = sum(Job.objects.filter(book=model).values_list("count", flat=True))
    batch: list[tuple[Book, list[Any]]] = []
    for year in (today.year - 1, today.year):
        batch.append((model, _model_year(year, today, contracts)))
        for book in books[1:]:
            batch.append((book, year_of_books(rng, year, _spread(rng) * 100, until=today)))
    lines = post_many(batch)
    accounts = _accounts(model.village)
    say(
        f"  村集体三资：{len(books)} 个村账套，凭证分录 {lines} 条；示范村 {model.village.name}"
        f"（流转 108 亩、带动就业 {jobs} 人、合同 {len(contracts)} 份）"
    )
    return {
        "books": len(books),
        "lines": lines,
        "contracts": len(contracts),
        "jobs": jobs,
        "accounts": accounts,
        "traded": traded,
    }


# The model village's residents of working age get a 从业行业 in the registry: most in the
# logistics the village lives on, some in farming and tourism, a few raising livestock (a
# trade the village's survey did not ask about, so its figure comes from the registry alone).
DEMO_TRADES = (("物流", 70), ("种植", 12), ("旅游服务", 8), ("外出务工", 5), ("养殖", 5))


def _trades(village: Place, today: dt.date, rng: random.Random) -> int:
    """Record a trade on the working-age (18–60) residents of the model village; returns how
    many. Only people with a birth date are considered (their age is known)."""
    young = dt.date(today.year - 18, today.month, 1)
    old = dt.date(today.year - 60, today.month, 1)
    ids = list(
        Person.objects.filter(
            subtree_q(village), active=True, birth_date__lte=young, birth_date__gt=old
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    names = [t for t, _ in DEMO_TRADES]
    weights = [w for _, w in DEMO_TRADES]
    by_trade: dict[str, list[int]] = {}
    for pk in ids:
        by_trade.setdefault(rng.choices(names, weights)[0], []).append(pk)
    for trade, pks in by_trade.items():
        Person.objects.filter(pk__in=pks).update(trade=trade)
    return len(ids)


def _receipt(instalment: Instalment, day: dt.date, text: str, income: str) -> Any:
    c = instalment.contract
    return (
        "receipt",
        day,
        text,
        [("102", instalment.amount, 0, c.number), (income, 0, instalment.amount, c.number)],
        {"contract_id": c.pk, "instalment_id": instalment.pk},
    )


def _model_year(year: int, today: dt.date, contracts: list[Contract]) -> list[Any]:
    """The model village's year: 108 亩 of rent (54k), 600k of dividends from the logistics
    enterprise (村企共建), 300k of warehouse rent — each against its contract, the latest
    quarter of the lease left unpaid (a red flag) — wages and public works."""
    last = min(today, dt.date(year, 12, 31))
    months = last.month if last.year == year else 12
    out: list[Any] = []
    land, shares, lease = contracts
    for contract, text, income in (
        (land, "收108亩土地流转租金", "501"),
        (shares, "收临川物流公司入股分红", "521"),
        (lease, "收村集体仓库租金", "501"),
    ):
        due = [i for i in contract.instalments.all() if i.due.year == year and i.due <= last]
        if contract is lease and year == today.year:
            due = due[:-1]
        for i in due:
            out.append(_receipt(i, min(i.due + dt.timedelta(days=10), last), text, income))
    for m in range(1, months + 1):
        out.append(
            (
                "payment",
                dt.date(year, m, 25),
                "付村干部误工补贴",
                [("511", 18_000_00, 0, ""), ("102", 0, 18_000_00, "")],
            )
        )
    out.append(
        (
            "payment",
            dt.date(year, min(months, 9), 5),
            "付村道亮化（公益支出）",
            [("551", 120_000_00, 0, ""), ("102", 0, 120_000_00, "")],
        )
    )
    return out


def _model_village(book: Book, today: dt.date) -> list[Contract]:
    village = book.village
    parcels = Resource.objects.bulk_create(
        Resource(
            book=book,
            kind=ResourceKind.LAND,
            name=f"村东水田{n}号地块",
            area_mu=Decimal(a),
            location=f"{village.name}东片",
            use=ResourceUse.CONTRACTED,
        )
        for n, a in enumerate(["40", "38", "30"], start=1)
    )
    Resource.objects.bulk_create(
        [
            Resource(
                book=book,
                kind=ResourceKind.FOREST,
                name="后山林地",
                area_mu=Decimal("620"),
                location=f"{village.name}北",
                use=ResourceUse.SELF,
            ),
            Resource(
                book=book,
                kind=ResourceKind.WATER,
                name="石塘水面",
                area_mu=Decimal("45"),
                location=f"{village.name}中心",
                use=ResourceUse.IDLE,
            ),
        ]
    )
    start = dt.date(today.year - 1, 1, 1)
    land = Contract.objects.create(
        book=book,
        kind=ContractKind.LAND_TRANSFER,
        number="LZ-001",
        title="村东 108 亩水田流转（蔬菜基地）",
        counterparty="临川绿野农业有限公司",
        start=start,
        end=dt.date(today.year + 9, 1, 1),
        area_mu=Decimal("108"),
        rent_per_mu=500_00,
        annual_amount=108 * 500_00,
        jobs=60,
    )
    land.parcels.set(parcels)
    shares = Contract.objects.create(
        book=book,
        kind=ContractKind.SHARES,
        number="GF-001",
        title="集体资金入股物流园（村企共建）",
        counterparty="临川物流有限公司",
        start=start,
        end=dt.date(today.year + 14, 1, 1),
        annual_amount=600_000_00,
        jobs=86,
    )
    lease = Contract.objects.create(
        book=book,
        kind=ContractKind.LEASE,
        number="ZL-001",
        title="村集体仓库出租",
        counterparty="李建国",
        counterparty_is_person=True,
        start=dt.date(today.year - 2, 4, 1),
        end=today + dt.timedelta(days=60),
        annual_amount=300_000_00,
        frequency="3",
    )
    Instalment.objects.bulk_create(
        Instalment(contract=c, due=d, amount=a)
        for c in (land, shares, lease)
        for d, a in schedule(c.start, c.end, c.annual_amount, c.frequency)
    )
    jobs = [
        ("临川物流有限公司", "物流", 86, f"{village.name}物流园"),
        ("绿野蔬菜基地", "种植", 60, f"{village.name}东片流转地"),
        ("石塘乡村旅游", "旅游服务", 48, f"{village.name}古村落"),
        ("村级保洁", "公共服务", 12, village.name),
    ]
    Job.objects.bulk_create(
        Job(book=book, employer=e, trade=t, count=n, since=start, location=w) for e, t, n, w in jobs
    )
    LabourSurvey.objects.bulk_create(
        LabourSurvey(book=book, year=today.year, trade=t, count=n)
        for t, n in [("物流", 960), ("种植", 120), ("旅游服务", 60), ("外出务工", 60)]
    )
    talents = Talent.objects.bulk_create(
        [
            Talent(book=book, kind=TalentKind.ACHIEVER, name="黄志强", field="物流运输"),
            Talent(book=book, kind=TalentKind.SAGE, name="吴德明", field="乡村旅游"),
        ]
    )
    Mentoring.objects.bulk_create(
        Mentoring(
            talent=talents[n % 2],
            mentee=f"青年村民{n + 1}",
            goal="学开物流专线" if n % 2 == 0 else "办农家乐",
            since=start,
        )
        for n in range(8)
    )
    VisitorCount.objects.bulk_create(
        VisitorCount(
            book=book, month=dt.date(today.year - 1, m, 1), count=30_000, source="景区闸机统计"
        )
        for m in range(1, 13)
    )
    return [land, shares, lease]
