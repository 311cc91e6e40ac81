"""双报到双报告: a unit and its in-service members register with a community, pick needs,
staff confirm the service; the month-end job writes report rows equal to a direct count of
the services and tells the unit's contact once; another community sees nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from apps.accounts.choices import Role
from apps.core.testing import client_as
from apps.core.testing.factories import PersonFactory, make_user
from apps.dual import tasks
from apps.dual.actions import (
    do_complete_dual_service,
    do_generate_dual_reports,
    do_pick_need,
    do_register_dual,
)
from apps.dual.choices import DualServiceStatus, RegistrationStatus
from apps.dual.models import DualRegistration, DualReport, DualService
from apps.notifications.models import Notification
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.choices import PartyEmployment
from apps.people.models import PartyMember
from apps.volunteers.tests.helpers import household, service_order

pytestmark = pytest.mark.django_db
FEB = dt.date(2026, 2, 1)


def said(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def unit(world):
    return Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="县财政局", place=world.county)


def member(world, unit, name, place=None):
    person = PersonFactory(name=name, place=place or world.household_a)
    return PartyMember.objects.create(
        person=person, employment=PartyEmployment.IN_SERVICE, workplace=unit.name
    )


def direct_count(month):
    """The report computed the plain way, from every done service of the month."""
    out = {}
    for s in DualService.objects.filter(status=DualServiceStatus.DONE).select_related(
        "registration"
    ):
        if (s.served_on.year, s.served_on.month) != (month.year, month.month):
            continue
        key = (s.registration.organisation_id, s.registration.community_id)
        line = out.setdefault(key, {"members": set(), "services": 0, "hours": Decimal("0")})
        if s.registration.party_member_id:
            line["members"].add(s.registration.party_member_id)
        line["services"] += 1
        line["hours"] += s.hours
    return {k: (len(v["members"]), v["services"], v["hours"]) for k, v in out.items()}


def test_registration_pick_and_monthly_report_end_to_end(
    world, unit, django_capture_on_commit_callbacks
):
    staff_user = world.user("community_a")
    contact = make_user("czj", Role.COMMUNITY_STAFF, world.county)
    staff = client_as(staff_user)
    staff.post(
        reverse("dual:list"),
        {
            "community": world.community_a.pk,
            "organisation": unit.pk,
            "contact": "czj",
            "registered_on": "2026-01-05",
        },
    )
    unit_reg = DualRegistration.objects.get(party_member__isnull=True)
    assert unit_reg.status == RegistrationStatus.APPROVED and unit_reg.contact == contact

    # An in-service member registers themselves: pending until the community approves.
    zhang = member(world, unit, "张党员")
    zhang_user = make_user("zhang", Role.PARTY_MEMBER, world.community_a, person=zhang.person)
    reg = do_register_dual(
        actor=zhang_user, organisation=unit, community=world.community_a, party_member=zhang
    )
    assert reg.status == RegistrationStatus.PENDING
    order = service_order(world, household(world, "2号", 0.001, 0.001))
    with pytest.raises(Exception, match="报到尚未通过审核"):
        do_pick_need(reg, actor=zhang_user, case=order)
    staff.post(reverse("dual:decide", args=[reg.pk]), {"decision": "approve"})
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.APPROVED

    # The member picks the open order on their phone; staff confirm the service.
    me = client_as(zhang_user)
    me.post(reverse("dual:pick", args=[reg.pk]), {"case": order.pk})
    service = DualService.objects.get(registration=reg)
    assert service.case == order and service.title == order.title
    staff.post(
        reverse("dual:complete", args=[service.pk]),
        {"served_on": "2026-02-10", "hours": "2.5"},
    )
    li = member(world, unit, "李党员")
    li_reg = do_register_dual(
        actor=staff_user, organisation=unit, community=world.community_a, party_member=li
    )
    for day, hours in ((12, "3"), (20, "1.5")):
        s = do_pick_need(li_reg, actor=staff_user, activity_id=7, title="读书会")
        do_complete_dual_service(s, actor=staff_user, served_on=dt.date(2026, 2, day), hours=hours)
    s = do_pick_need(unit_reg, actor=staff_user, activity_id=8, title="义务植树")
    do_complete_dual_service(s, actor=staff_user, served_on=dt.date(2026, 2, 28), hours="4")
    s = do_pick_need(li_reg, actor=staff_user, activity_id=9, title="三月活动")
    do_complete_dual_service(s, actor=staff_user, served_on=dt.date(2026, 3, 1), hours="2")
    do_pick_need(li_reg, actor=staff_user, activity_id=10, title="未完成")

    with django_capture_on_commit_callbacks(execute=True):
        rows = do_generate_dual_reports(FEB)
    assert (
        {(r.organisation_id, r.community_id): (r.members, r.services, r.hours) for r in rows}
        == direct_count(FEB)
        == {(unit.pk, world.community_a.pk): (2, 4, Decimal("11.0"))}
    )
    (note,) = Notification.objects.filter(recipient=contact)
    assert note.title == "双报告：县财政局 2026年2月服务情况"
    assert "服务党员 2 人，服务 4 次，共 11.0 小时" in note.body
    # A rerun (the hourly job) rewrites the rows and does not notify again.
    with django_capture_on_commit_callbacks(execute=True):
        do_generate_dual_reports(FEB)
    assert Notification.objects.filter(recipient=contact).count() == 1
    assert DualReport.objects.count() == 1

    page = staff.get(reverse("dual:reports"), {"month": "2026-02"}).content.decode()
    assert "县财政局" in page and "11.0" in page
    response = staff.get(reverse("dual:reports"), {"month": "2026-02", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert list(sheet.iter_rows(values_only=True))[1] == (
        "县财政局",
        "红门社区",
        "2026-02",
        2,
        4,
        11.0,
    )


def test_the_month_end_job_reports_last_month(world, unit, settings, monkeypatch):
    staff_user = world.user("community_a")
    reg = do_register_dual(actor=staff_user, organisation=unit, community=world.community_a)
    s = do_pick_need(reg, actor=staff_user, activity_id=1, title="义诊")
    today = dt.date.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    do_complete_dual_service(s, actor=staff_user, served_on=last, hours="2")
    assert tasks.dual_reports() == 1
    row = DualReport.objects.get()
    assert row.month == last.replace(day=1) and row.services == 1 and row.members == 0


def test_it_refuses_duplicates_retirees_and_outsiders(world, unit):
    staff_user = world.user("community_a")
    do_register_dual(actor=staff_user, organisation=unit, community=world.community_a)
    with pytest.raises(Exception, match="已在该社区报到，不能重复报到"):
        do_register_dual(actor=staff_user, organisation=unit, community=world.community_a)
    retiree = member(world, unit, "王退休")
    retiree.employment = PartyEmployment.RETIRED
    retiree.save()
    with pytest.raises(Exception, match="双报到的党员应为在职党员"):
        do_register_dual(
            actor=staff_user, organisation=unit, community=world.community_a, party_member=retiree
        )
    with pytest.raises(Exception, match="只有报到社区及上级街道的工作人员可以操作"):
        do_register_dual(
            actor=world.user("outsider_b"), organisation=unit, community=world.community_a
        )
    reg = DualRegistration.objects.get()
    outsider = client_as(world.user("outsider_b"))
    assert outsider.get(reverse("dual:detail", args=[reg.pk])).status_code == 404
    assert outsider.post(reverse("dual:pick", args=[reg.pk]), {"activity_id": 1}).status_code == 404
    assert "县财政局" not in outsider.get(reverse("dual:list")).content.decode()
    s = do_pick_need(reg, actor=staff_user, activity_id=3, title="x")
    response = outsider.post(
        reverse("dual:complete", args=[s.pk]), {"served_on": "2026-02-01", "hours": "1"}
    )
    assert response.status_code == 404
    do_complete_dual_service(s, actor=staff_user, served_on=dt.date(2026, 2, 3), hours="1")
    page = outsider.get(reverse("dual:reports"), {"month": "2026-02"}).content.decode()
    assert "县财政局" not in page
