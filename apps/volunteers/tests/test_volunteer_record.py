"""The volunteer record over HTTP: certificates, training, no-shows (counted and shown),
points granted / donated / redeemed from the catalogue (the ledger still balances), the
volunteer list with its filters and Excel export, and availability exceptions in dispatch."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.models import AuditEvent
from apps.core.testing import client_as
from apps.services.batch import is_available
from apps.volunteers.actions import do_add_reward_item, do_approve_hours, do_record_hours
from apps.volunteers.choices import ExceptionKind
from apps.volunteers.models import (
    AvailabilityException,
    NoShow,
    PointsAccount,
    RewardItem,
    Training,
)

from .helpers import volunteer

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 1)


def said(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_counts_and_shows_no_shows(world):
    v, _ = volunteer(world, "王芳")
    staff = client_as(world.user("community_a"))
    url = reverse("volunteers:no_show_add", args=[v.pk])
    staff.post(url, {"happened_on": "2026-02-01", "activity": "敬老院义演", "note": "未请假"})
    staff.post(url, {"happened_on": "2026-02-08", "activity": "社区清扫"})
    assert NoShow.objects.filter(volunteer=v).count() == 2
    page = staff.get(reverse("volunteers:detail", args=[v.pk])).content.decode()
    assert '<strong id="no-show-count">2</strong>' in page and "敬老院义演" in page
    listing = staff.get(reverse("volunteers:list")).content.decode()
    assert "<td>2</td>" in listing
    # Neither an activity nor an order: refused in words.
    response = staff.post(url, {"happened_on": "2026-02-09"}, follow=True)
    assert said(response)[-1] == "请填写爽约的工单或活动"
    # The volunteer cannot record their own (or anyone's) no-shows.
    _, user = volunteer(world, "李强")
    c = Client()
    c.force_login(user)
    response = c.post(
        reverse("volunteers:no_show_add", args=[v.pk]),
        {"happened_on": "2026-02-09", "activity": "x"},
        follow=True,
    )
    assert said(response) == ["您不能登记爽约：只有该志愿者所在辖区的社区、街道工作人员可以操作"]
    assert NoShow.objects.filter(volunteer=v).count() == 2
    assert AuditEvent.objects.filter(object_type="services.noshow").count() == 2


def test_it_manages_certificates_and_training(world):
    v, _ = volunteer(world, "王芳")
    staff = client_as(world.user("community_a"))
    staff.post(
        reverse("volunteers:certificate_add", args=[v.pk]),
        {"name": "持证社工", "number": "SW-2024-017", "issued_on": "2024-05-01"},
    )
    v.refresh_from_db()
    assert v.certificates == [
        {"name": "持证社工", "number": "SW-2024-017", "issued_on": "2024-05-01"}
    ]
    response = staff.post(
        reverse("volunteers:certificate_add", args=[v.pk]), {"name": "持证社工"}, follow=True
    )
    assert said(response)[-1] == "已登记“持证社工”"
    staff.post(reverse("volunteers:certificate_remove", args=[v.pk]), {"name": "持证社工"})
    v.refresh_from_db()
    assert v.certificates == []

    url = reverse("volunteers:training_add", args=[v.pk])
    staff.post(
        url, {"title": "志愿服务通识", "kind": "theory", "held_on": "2026-01-10", "hours": "4"}
    )
    staff.post(
        url, {"title": "急救实操", "kind": "practice", "held_on": "2026-01-17", "hours": "3.5"}
    )
    assert Training.objects.filter(volunteer=v).aggregate(t=Sum("hours"))["t"] == Decimal("7.5")
    page = staff.get(reverse("volunteers:detail", args=[v.pk])).content.decode()
    assert "理论 4.0 学时" in page and "实践 3.5 学时" in page
    # Training hours are not service hours.
    assert "认定时长：<strong>0</strong>" in page


def test_grant_donate_and_redeem_keep_the_ledger_balanced(world):
    v, user = volunteer(world, "王芳")
    staff = client_as(world.user("community_a"))
    staff.post(reverse("volunteers:points_grant", args=[v.pk]), {"amount": 120, "note": "年度表彰"})
    item = do_add_reward_item(
        world.community_a, actor=world.user("community_a"), name="洗衣液", cost=50, stock=1
    )
    me = Client()
    me.force_login(user)
    page = me.get(reverse("volunteers:rewards", args=[v.pk])).content.decode()
    assert "洗衣液" in page and "库存 1" in page and '<strong id="balance">120</strong>' in page
    me.post(reverse("volunteers:redeem", args=[v.pk, item.pk]))
    response = me.post(reverse("volunteers:redeem", args=[v.pk, item.pk]), follow=True)
    assert said(response)[-1] == "“洗衣液”已兑完"
    me.post(reverse("volunteers:points_donate", args=[v.pk]), {"amount": 30, "note": "帮扶基金"})
    account = PointsAccount.objects.get(volunteer=v)
    assert account.balance == 120 - 50 - 30 == account.entries.aggregate(s=Sum("amount"))["s"]
    item.refresh_from_db()
    assert item.stock == 0
    # Staff restock on the catalogue page.
    staff.post(reverse("volunteers:restock", args=[item.pk]), {"add": 5})
    assert RewardItem.objects.get(pk=item.pk).stock == 5
    assert "洗衣液" in staff.get(reverse("volunteers:catalogue")).content.decode()
    # Another community sees neither the catalogue item nor the volunteer.
    outsider = client_as(world.user("outsider_b"))
    assert (
        outsider.post(reverse("volunteers:restock", args=[item.pk]), {"add": 1}).status_code == 404
    )
    assert outsider.get(reverse("volunteers:rewards", args=[v.pk])).status_code == 404


def test_the_volunteer_list_filters_exports_and_stays_in_scope(world):
    star, _ = volunteer(world, "王芳", ["plumbing"])
    volunteer(world, "李强", ["cleaning"])
    volunteer(world, "赵将军", ["plumbing"], place=world.household_b, account=False)
    staff_user = world.user("community_a")
    for day in range(1, 6):
        row = do_record_hours(
            star,
            actor=staff_user,
            hours="20",
            served_on=TODAY - dt.timedelta(days=day),
            activity="巡河",
        )
        do_approve_hours(row, actor=staff_user)
    staff = client_as(world.user("community_a"))
    url = reverse("volunteers:list")
    page = staff.get(url).content.decode()
    assert "王芳" in page and "李强" in page and "赵将军" not in page
    page = staff.get(url, {"skill": "plumbing"}).content.decode()
    assert "王芳" in page and "李强" not in page
    page = staff.get(url, {"star": "1"}).content.decode()
    assert "王芳" in page and "李强" not in page
    page = staff.get(url, {"star": "0"}).content.decode()
    assert "王芳" not in page and "李强" in page
    # One query for the rows however many there are (plus session, user, skills, filter).
    with CaptureQueriesContext(connection) as few:
        staff.get(url)
    for i in range(5):
        volunteer(world, f"志愿者{i}", ["cleaning"], account=False)
    with CaptureQueriesContext(connection) as many:
        staff.get(url)
    assert len(many) == len(few)

    response = staff.get(url, {"skill": "plumbing", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "所在地", "状态")
    assert [(r[0], r[5], r[6]) for r in rows[1:]] == [("王芳", 100.0, "一星")]
    assert AuditEvent.objects.filter(verb="export", object_repr="志愿者名册").exists()
    outsider = client_as(world.user("outsider_b"))
    assert "王芳" not in outsider.get(url).content.decode()
    # The API applies the same filter.
    api = staff.get("/api/v1/services/volunteers", {"skill": "plumbing", "star": "1"}).json()
    rows = [(r["name"], r["star"], float(r["approved_hours"])) for r in api]
    assert rows == [("王芳", 1, 100.0)]
    assert [r["name"] for r in outsider.get("/api/v1/services/volunteers").json()] == ["赵将军"]
    assert staff.get("/api/v1/services/volunteers", {"star": "9"}).status_code == 422


def test_exceptions_override_the_weekly_pattern(world):
    v, _ = volunteer(world, "王芳", availability={"sat": ["08:00-12:00"]})
    saturday = timezone.make_aware(dt.datetime(2026, 3, 7, 9, 0))
    sunday = timezone.make_aware(dt.datetime(2026, 3, 8, 15, 0))
    assert is_available(v, saturday, []) and not is_available(v, sunday, [])
    off = AvailabilityException(volunteer=v, on=saturday.date(), kind=ExceptionKind.UNAVAILABLE)
    extra = AvailabilityException(
        volunteer=v,
        on=sunday.date(),
        kind=ExceptionKind.EXTRA,
        start=dt.time(14, 0),
        end=dt.time(17, 0),
    )
    assert not is_available(v, saturday, [off])
    assert is_available(v, sunday, [extra])
    assert not is_available(v, sunday.replace(hour=18), [extra])
    # The volunteer adds one themselves over HTTP.
    user = world.user("volunteer_a")
    user.person = v.person
    user.save()
    c = Client()
    c.force_login(user)
    day = timezone.localdate() + dt.timedelta(days=3)
    c.post(
        reverse("volunteers:exception_add", args=[v.pk]),
        {"on": day.isoformat(), "kind": "unavailable", "note": "外出"},
    )
    assert AvailabilityException.objects.get(volunteer=v).on == day
