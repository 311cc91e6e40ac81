"""One-click batch dispatch says what it considered and why nothing matched (issue 20, item 8),
instead of a bare "派出 0 件，未派 0 件，参与志愿者 0 人"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.cases.choices import CaseKind
from apps.cases.models import Category
from apps.cases.tests.helpers import make_case
from apps.services.batch import propose
from apps.volunteers.choices import ExceptionKind
from apps.volunteers.models import AvailabilityException
from apps.volunteers.tests.helpers import household, service_order, volunteer

pytestmark = pytest.mark.django_db
SATURDAY_10AM = timezone.make_aware(dt.datetime(2026, 3, 7, 10, 0))


def test_it_says_no_order_waits_for_dispatch_and_what_the_others_wait_for(world, client):
    place = household(world, "101室", 0, 0)
    for i in range(3):  # 点单 still 待受理: not ready for 派单
        make_case(
            world,
            category=Category.objects.get(code="repairs"),
            place=place,
            title=f"修水管{i}",
            kind=CaseKind.SERVICE_ORDER,
        )
    volunteer(world, "王师傅", ["plumbing"], place=place, account=False)
    client.force_login(world.user("community_a"))
    response = client.get(
        reverse("services:batch"), {"area": world.community_a.pk, "radius_km": 5, "k": 3}
    )
    body = response.content.decode()
    assert "方案：派出 0 件，未派 0 件，参与志愿者 0 人。" in body
    assert "考虑了红门社区内待派单的点单 0 件（状态为已受理、已退单）" in body
    assert "另有未办结点单 待受理 3 件，不在本次派单范围（待受理的请先受理）" in body
    assert "志愿者：在册 1 人，其中有可接单账号 0 人" in body
    assert "没有待派单的点单，所以本次派出 0 件。" in body


def test_it_says_no_volunteer_has_an_account(world):
    place = household(world, "101室", 0, 0)
    service_order(world, place)
    volunteer(world, "王师傅", ["plumbing"], place=place, account=False)
    proposal = propose(world.community_a, now=SATURDAY_10AM)
    said = proposal.considered.sentences()
    assert said[0] == "考虑了红门社区内待派单的点单 1 件（状态为已受理、已退单）。"
    assert said[1] == (
        "志愿者：在册 1 人，其中有可接单账号 0 人，具备所需技能 0 人，今天请假 0 人，"
        "服务半径内参与匹配 0 人。"
    )
    assert said[2].startswith("没有一位志愿者开通了可接单的账号")


def test_it_counts_skills_and_leave(world):
    place = household(world, "101室", 0, 0)
    service_order(world, place)
    volunteer(world, "李老师", ["tutoring"], place=place)
    wang, _ = volunteer(world, "王师傅", ["plumbing"], place=place)
    AvailabilityException.objects.create(
        volunteer=wang, on=SATURDAY_10AM.date(), kind=ExceptionKind.UNAVAILABLE
    )
    proposal = propose(world.community_a, now=SATURDAY_10AM)
    assert proposal.pairs == []
    c = proposal.considered
    assert (c.volunteers, c.with_account, c.with_skill, c.on_leave) == (2, 2, 1, 1)
