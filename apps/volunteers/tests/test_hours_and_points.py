"""Service hours and points: the ledgers always balance, a declined hour never counts, exact
refusals and one audit event per action."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.models import AuditEvent
from apps.volunteers.actions import (
    do_approve_hours,
    do_decline_hours,
    do_donate_points,
    do_grant_points,
    do_record_hours,
    do_redeem,
    points_per_hour,
)
from apps.volunteers.choices import HoursStatus
from apps.volunteers.models import PointsAccount, PointsEntry, RewardItem, ServiceHours
from apps.volunteers.selectors import star_level, volunteer_summary

from .helpers import volunteer

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 1)


def record(v, actor, hours="2", **kw):
    kw.setdefault("activity", "敬老院探访")
    return do_record_hours(v, actor=actor, hours=hours, served_on=DAY, **kw)


def test_it_counts_only_approved_hours_toward_the_star(world, settings):
    settings.SERVICES_STAR_THRESHOLDS = (5, 10, 20, 30, 40)
    v, _ = volunteer(world, "王芳")
    staff = world.user("community_a")
    approved = record(v, staff, "6")
    declined = record(v, staff, "20")
    record(v, staff, "20")  # pending
    do_approve_hours(approved, actor=staff)
    do_decline_hours(declined, actor=staff, note="无签到记录")
    summary = volunteer_summary(v)
    assert summary.approved == Decimal("6.0")
    assert summary.star == 1 and summary.star_name == "一星"
    assert ServiceHours.objects.filter(volunteer=v).count() == 3  # declining deletes nothing
    assert summary.balance == 6 * points_per_hour()


def test_it_uses_the_national_thresholds_by_default():
    assert [star_level(h) for h in (99, 100, 299.9, 300, 600, 1000, 1500, 9999)] == [
        0,
        1,
        1,
        2,
        3,
        4,
        5,
        5,
    ]


def test_it_refuses_a_second_decision_and_staff_of_another_community(world):
    v, _ = volunteer(world, "王芳")
    row = record(v, world.user("community_a"))
    with pytest.raises(PermissionDenied, match="只有该志愿者所在辖区的社区、街道工作人员可以操作"):
        do_approve_hours(row, actor=world.user("outsider_b"))
    do_approve_hours(row, actor=world.user("community_a"))
    with pytest.raises(ValidationError, match="该时长已已认定，不能再审核"):
        do_decline_hours(row, actor=world.user("community_a"), note="重复")


def test_it_lets_a_volunteer_record_own_hours_but_not_approve_them(world):
    v, user = volunteer(world, "王芳")
    row = record(v, user)
    assert row.status == HoursStatus.PENDING
    with pytest.raises(PermissionDenied):
        do_approve_hours(row, actor=user)


def test_it_writes_one_audit_event_per_action(world):
    v, _ = volunteer(world, "王芳")
    staff = world.user("community_a")
    before = AuditEvent.objects.count()
    row = record(v, staff)
    do_approve_hours(row, actor=staff)
    item = RewardItem.objects.create(community=world.community_a, name="毛巾", cost=5, stock=1)
    do_redeem(v, item, actor=staff)
    assert AuditEvent.objects.count() - before == 3


def test_it_never_overdraws_points_or_stock(world):
    v, user = volunteer(world, "王芳")
    item = RewardItem.objects.create(community=world.community_a, name="大米", cost=30, stock=1)
    with pytest.raises(ValidationError, match="积分不足：余额 0 分，需要 30 分"):
        do_redeem(v, item, actor=user)
    do_grant_points(v, 70, actor=world.user("community_a"), note="优秀志愿者")
    do_redeem(v, item, actor=user)
    with pytest.raises(ValidationError, match="“大米”已兑完"):
        do_redeem(v, item, actor=user)
    assert PointsAccount.objects.get(volunteer=v).balance == 40


ops = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.sampled_from(["0.5", "1", "2.5", "8"])),
        st.tuples(st.just("approve"), st.integers(0, 9)),
        st.tuples(st.just("decline"), st.integers(0, 9)),
        st.tuples(st.just("grant"), st.integers(1, 50)),
        st.tuples(st.just("donate"), st.integers(1, 50)),
        st.tuples(st.just("redeem"), st.integers(0, 1)),
    ),
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=ops)
def test_it_keeps_the_ledgers_balanced(world, steps):
    staff = world.user("community_a")
    v, user = volunteer(world, "王芳")
    items = [
        RewardItem.objects.create(community=world.community_a, name="毛巾", cost=15, stock=2),
        RewardItem.objects.create(community=world.community_a, name="大米", cost=60, stock=1),
    ]
    recorded = []
    for op, arg in steps:
        try:
            if op == "record":
                recorded.append(record(v, user, arg))
            elif op in ("approve", "decline") and recorded:
                row = recorded[arg % len(recorded)]
                if op == "approve":
                    do_approve_hours(row, actor=staff)
                else:
                    do_decline_hours(row, actor=staff, note="不符")
            elif op == "grant":
                do_grant_points(v, arg, actor=staff, note="奖励")
            elif op == "donate":
                do_donate_points(v, arg, actor=user, note="爱心基金")
            elif op == "redeem":
                do_redeem(v, items[arg], actor=user)
        except ValidationError:
            pass
        entries = PointsEntry.objects.filter(account__volunteer=v)
        balance = PointsAccount.objects.filter(volunteer=v).values_list("balance", flat=True)
        total = entries.aggregate(s=Sum("amount"))["s"] or 0
        assert (balance.first() or 0) == total >= 0
        approved = ServiceHours.objects.filter(volunteer=v, status=HoursStatus.APPROVED)
        hours = approved.aggregate(s=Sum("hours"))["s"] or Decimal("0")
        earned = entries.filter(kind="earned").aggregate(s=Sum("amount"))["s"] or 0
        assert earned == int(hours * points_per_hour())
        assert volunteer_summary(v).approved == hours
        assert ServiceHours.objects.filter(volunteer=v).count() == len(recorded)
        for item in items:
            item.refresh_from_db()
            assert item.stock + item.redemptions.count() == (2 if item.cost == 15 else 1)
