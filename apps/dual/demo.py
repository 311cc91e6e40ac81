"""Demo 双报到双报告: county departments and their in-service party members registered with the
communities the volunteers' demo chose, the services they did, and the monthly 双报告 of the
last two months (through the action that the month-end job runs)."""

import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts.choices import Role
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.choices import PartyEmployment
from apps.people.models import PartyMember
from apps.places.models import Place, subtree_q
from apps.volunteers.demo import communities_sample, community_staff

from .actions import do_generate_dual_reports
from .choices import DualKind, DualServiceStatus, RegistrationStatus
from .models import DualRegistration, DualService

DEMO_ORDER = 70
DUAL_SERVICES = ["认领微心愿", "走访独居老人", "政策宣讲", "小区环境清理", "读书会志愿服务"]
Say = Callable[[str], None]


def populate_demo(county: Place, size: str, seed: int, say: Say) -> dict[str, int]:
    began = time.perf_counter()
    # The same communities as the volunteers' demo (the same seeded draw), its own stream after.
    communities = communities_sample(county, size, random.Random(f"{seed}/services"))
    rng = random.Random(f"{seed}/dual")
    today = timezone.localdate()
    counts = {"registrations": _dual(county, communities, community_staff(communities), rng, today)}
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month_before = (last_month - dt.timedelta(days=1)).replace(day=1)
    counts["reports"] = sum(
        len(do_generate_dual_reports(month)) for month in (month_before, last_month)
    )
    say(
        f"  双报到：{counts['registrations']} 条报到，{counts['reports']} 份月报，"
        f"用时 {time.perf_counter() - began:.1f} 秒"
    )
    return counts


def _dual(
    county: Place,
    communities: list[Place],
    staff: dict[int, Any],
    rng: random.Random,
    today: dt.date,
) -> int:
    units = list(
        Organisation.objects.filter(kind=OrgKind.DEPARTMENT, place=county).order_by("pk")[:8]
    )
    if not units:
        return 0
    contacts = list(
        get_user_model().objects.filter(role=Role.DEPT_HANDLER, is_active=True).order_by("pk")
    )
    regs: list[DualRegistration] = []
    for community in communities:
        actor = staff.get(community.pk)
        if actor is None:
            continue
        for unit in rng.sample(units, min(2, len(units))):
            regs.append(
                DualRegistration(
                    kind=DualKind.UNIT,
                    organisation=unit,
                    community=community,
                    registered_on=today - dt.timedelta(days=rng.randint(120, 400)),
                    contact=rng.choice(contacts) if contacts else None,
                    status=RegistrationStatus.APPROVED,
                    decided_by=actor,
                    decided_at=timezone.now(),
                )
            )
        members = PartyMember.objects.filter(
            subtree_q(community, "person__place"), employment=PartyEmployment.IN_SERVICE
        ).order_by("pk")[:6]
        for member in members:
            regs.append(
                DualRegistration(
                    kind=DualKind.MEMBER,
                    organisation=rng.choice(units),
                    party_member=member,
                    community=community,
                    registered_on=today - dt.timedelta(days=rng.randint(60, 300)),
                    status=RegistrationStatus.APPROVED,
                    decided_by=actor,
                    decided_at=timezone.now(),
                )
            )
    regs = DualRegistration.objects.bulk_create(regs)
    services = []
    for reg in regs:
        actor = staff[reg.community_id]
        for _ in range(rng.randint(1, 5)):
            services.append(
                DualService(
                    registration=reg,
                    title=rng.choice(DUAL_SERVICES),
                    status=DualServiceStatus.DONE,
                    served_on=today - dt.timedelta(days=rng.randint(1, 75)),
                    hours=Decimal(rng.choice(["1", "2", "2.5", "3"])),
                    recorded_by=actor,
                )
            )
        if rng.random() < 0.3:
            services.append(
                DualService(registration=reg, title=rng.choice(DUAL_SERVICES), recorded_by=actor)
            )
    DualService.objects.bulk_create(services, batch_size=2000)
    return len(regs)
