"""Demo volunteers: for a sample of communities, their volunteers' service hours over the last
six months (approved, pending and declined, with the points the approved ones earned), a few
veterans past the star thresholds, rewards granted, a redemption catalogue per community with
some items redeemed, training records, no-shows and pending self-registrations.

Rows are written in bulk with the same invariants the actions keep (each approved hour has
its earned entry; an account's balance is the sum of its entries; stock never below zero).
"""

import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core import crypto
from apps.people.models import Skill
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .actions import points_per_hour
from .choices import (
    ApplicationStatus,
    HoursStatus,
    PointsKind,
    TrainingKind,
    VolunteerStatus,
)
from .models import (
    NoShow,
    PointsAccount,
    PointsEntry,
    RewardItem,
    ServiceHours,
    Training,
    Volunteer,
    VolunteerApplication,
)

DEMO_ORDER = 70
COMMUNITIES = {"tiny": 4, "small": 8, "county": 24, "large": 30}
VOLUNTEERS_PER_COMMUNITY = 40
ACTIVITIES = [
    "敬老院陪伴",
    "社区环境整治",
    "义诊咨询",
    "四点半课堂",
    "反诈宣传",
    "助残帮扶",
    "文明交通劝导",
]
REWARDS = [("洗衣液", 80), ("大米 5 斤", 150), ("食用油", 200), ("理发券", 60), ("保温杯", 120)]
TRAININGS = [
    ("志愿服务通识", TrainingKind.THEORY),
    ("应急救护实操", TrainingKind.PRACTICE),
    ("老年人沟通技巧", TrainingKind.THEORY),
    ("入户服务实践", TrainingKind.PRACTICE),
]
Say = Callable[[str], None]


def populate_demo(county: Place, size: str, seed: int, say: Say) -> dict[str, int]:
    began = time.perf_counter()
    rng = random.Random(f"{seed}/services")
    today = timezone.localdate()
    communities = communities_sample(county, size, rng)
    staff = community_staff(communities)
    counts = {"hours": 0, "points_entries": 0, "reward_items": 0}
    for community in communities:
        actor = staff.get(community.pk)
        if actor is None:
            continue
        volunteers = list(
            Volunteer.objects.filter(
                subtree_q(community, "person__place"), status=VolunteerStatus.ACTIVE
            ).order_by("pk")[:VOLUNTEERS_PER_COMMUNITY]
        )
        made = _hours_and_points(volunteers, community, actor, rng, today)
        for key, value in made.items():
            counts[key] = counts.get(key, 0) + value
        _extras(volunteers, community, actor, rng, today)
    say(
        f"  志愿服务：{len(communities)} 个社区，{counts['hours']} 条服务时长，"
        f"{counts['points_entries']} 条积分明细，{counts['reward_items']} 种兑换物品，"
        f"用时 {time.perf_counter() - began:.1f} 秒"
    )
    return counts


def communities_sample(county: Place, size: str, rng: random.Random) -> list[Place]:
    found = list(
        Place.objects.filter(subtree_q(county, ""), kind=PlaceKind.COMMUNITY).order_by("path")
    )
    rng.shuffle(found)
    return sorted(found[: COMMUNITIES.get(size, 8)], key=lambda p: p.path)


def community_staff(communities: list[Place]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for user in (
        get_user_model()
        .objects.filter(role=Role.COMMUNITY_STAFF, scope__in=communities, is_active=True)
        .order_by("pk")
    ):
        found.setdefault(user.scope_id or 0, user)
    return found


def _hours_and_points(
    volunteers: list[Volunteer], community: Place, actor: User, rng: random.Random, today: dt.date
) -> dict[str, int]:
    now = timezone.now()
    rows: list[ServiceHours] = []
    for v in volunteers:
        veteran = rng.random() < 0.08
        for _ in range(rng.randint(35, 70) if veteran else rng.randint(1, 10)):
            served = today - dt.timedelta(days=rng.randint(1, 180))
            roll = rng.random()
            status = (
                HoursStatus.APPROVED
                if roll < 0.75 or veteran
                else HoursStatus.PENDING
                if roll < 0.9
                else HoursStatus.DECLINED
            )
            decided = status != HoursStatus.PENDING
            rows.append(
                ServiceHours(
                    volunteer=v,
                    activity=rng.choice(ACTIVITIES),
                    served_on=served,
                    hours=Decimal(rng.choice(["1.5", "2", "2.5", "3", "4"])),
                    status=status,
                    recorded_by=actor,
                    decided_by=actor if decided else None,
                    decided_at=now if decided else None,
                    decision_note="" if status != HoursStatus.DECLINED else "无活动签到记录",
                )
            )
    rows = ServiceHours.objects.bulk_create(rows, batch_size=2000)
    accounts = {
        a.volunteer_id: a
        for a in PointsAccount.objects.bulk_create(
            [PointsAccount(volunteer=v) for v in volunteers], batch_size=2000
        )
    }
    entries: list[PointsEntry] = []
    rate = points_per_hour()
    for row in rows:
        if row.status == HoursStatus.APPROVED:
            entries.append(
                PointsEntry(
                    account=accounts[row.volunteer_id],
                    kind=PointsKind.EARNED,
                    amount=int(row.hours * rate),
                    hours=row,
                    note="服务时长认定",
                    created_by=actor,
                )
            )
    for v in rng.sample(volunteers, min(len(volunteers), 4)):
        entries.append(
            PointsEntry(
                account=accounts[v.pk],
                kind=PointsKind.GRANTED,
                amount=rng.choice([50, 100]),
                note="优秀志愿者表彰",
                created_by=actor,
            )
        )
    items = RewardItem.objects.bulk_create(
        [
            RewardItem(community=community, name=name, cost=cost, stock=rng.randint(3, 20))
            for name, cost in rng.sample(REWARDS, 4)
        ]
    )
    balance = {a: 0 for a in accounts}
    for e in entries:
        balance[e.account.volunteer_id] += e.amount
    for v in volunteers:
        item = rng.choice(items)
        if balance[v.pk] >= item.cost and item.stock > 0 and rng.random() < 0.3:
            item.stock -= 1
            balance[v.pk] -= item.cost
            entries.append(
                PointsEntry(
                    account=accounts[v.pk],
                    kind=PointsKind.REDEEMED,
                    amount=-item.cost,
                    item=item,
                    note=f"兑换{item.name}",
                    created_by=actor,
                )
            )
    PointsEntry.objects.bulk_create(entries, batch_size=2000)
    RewardItem.objects.bulk_update(items, ["stock"])
    for account in accounts.values():
        account.balance = balance[account.volunteer_id]
    PointsAccount.objects.bulk_update(list(accounts.values()), ["balance"], batch_size=2000)
    return {"hours": len(rows), "points_entries": len(entries), "reward_items": len(items)}


def _extras(
    volunteers: list[Volunteer], community: Place, actor: User, rng: random.Random, today: dt.date
) -> None:
    trainings, no_shows = [], []
    for v in volunteers:
        for title, kind in rng.sample(TRAININGS, rng.randint(0, 2)):
            trainings.append(
                Training(
                    volunteer=v,
                    title=title,
                    kind=kind,
                    held_on=today - dt.timedelta(days=rng.randint(10, 300)),
                    hours=Decimal(rng.choice(["2", "3", "4"])),
                    organiser=f"{community.name}新时代文明实践站",
                    recorded_by=actor,
                )
            )
        if rng.random() < 0.06:
            no_shows.append(
                NoShow(
                    volunteer=v,
                    activity=rng.choice(ACTIVITIES),
                    happened_on=today - dt.timedelta(days=rng.randint(1, 90)),
                    note="报名后未到场",
                    recorded_by=actor,
                )
            )
    Training.objects.bulk_create(trainings)
    NoShow.objects.bulk_create(no_shows)
    # A few certified social workers (持证社工), the article's figure.
    certified = [v for v in volunteers if rng.random() < 0.08]
    for v in certified:
        held = [c for c in v.certificates or [] if c.get("name") != "持证社工"]
        v.certificates = [*held, {"name": "持证社工", "number": f"SW{rng.randint(10000, 99999)}"}]
    Volunteer.objects.bulk_update(certified, ["certificates"])
    skills = list(Skill.objects.order_by("id")[:6])
    for n in range(2):
        phone = f"139{rng.randint(0, 99_999_999):08d}"
        application = VolunteerApplication.objects.create(
            community=community,
            name=rng.choice(["刘", "陈", "黄", "钟", "曾"])
            + rng.choice(["秀兰", "建华", "志强", "玉梅"]),
            phone_enc=crypto.encrypt(phone),
            phone_index=crypto.blind_index(phone),
            phone_masked=crypto.mask_phone(phone),
            address=f"{community.name}{rng.randint(1, 30)}号",
            availability={"sat": ["08:00-12:00"]},
            motivation="想为邻居们做点事",
            form_token=f"demo-{community.pk}-{n}",
            status=ApplicationStatus.PENDING,
        )
        application.skills.set(rng.sample(skills, 2))
