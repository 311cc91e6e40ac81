"""Self-registration end to end over HTTP: a resident applies without an account, staff of the
community approve (the resident becomes an active volunteer with a volunteer account that can
log in) or decline; another community sees nothing (404)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core.models import AuditEvent
from apps.core.testing import client_as
from apps.people.models import Person
from apps.volunteers.choices import ApplicationStatus, VolunteerStatus
from apps.volunteers.models import Volunteer, VolunteerApplication

pytestmark = pytest.mark.django_db
TOKEN = "t" * 24


def _apply(client, world, phone="13900001111", token=TOKEN, **extra):
    data = {
        "name": "刘小红",
        "phone": phone,
        "community": world.community_a.pk,
        "address": "幸福小区1栋1单元101室",
        "skills": ["companionship", "computer"],
        "availability": ["sat|08:00-12:00", "sun|14:00-18:00"],
        "certificates": "急救员证",
        "motivation": "退休教师，时间充裕",
        "form_token": token,
        **extra,
    }
    return client.post(reverse("volunteers:join"), data)


def _messages(response):
    """The messages the redirect target showed (posts below follow their redirect)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_registers_a_resident_end_to_end(world, client):
    assert client.get(reverse("volunteers:join")).status_code == 200
    response = _apply(client, world)
    assert response.status_code == 302
    status_url = response["Location"]
    assert "待审核" in client.get(status_url).content.decode()
    application = VolunteerApplication.objects.get()
    assert application.phone_masked == "139****1111" and "13900001111" not in application.phone_enc

    staff = client_as(world.user("community_a"))
    page = staff.get(reverse("volunteers:applications")).content.decode()
    assert "刘小红" in page and "139****1111" in page
    decide = reverse("volunteers:application_decide", args=[application.pk])
    # No resident with that phone in the community: staff must say where they live.
    response = staff.post(decide, follow=True, data={"decision": "approve"})
    assert _messages(response) == ["未在本社区找到该电话登记的居民，请选择其住址（户）"]
    response = staff.post(
        decide, follow=True, data={"decision": "approve", "place": world.household_a.pk}
    )
    (text,) = _messages(response)
    username, password = re.search(r"账号 (\S+)，初始密码 (\S+)（", text).groups()

    volunteer = Volunteer.objects.get(person__name="刘小红")
    assert volunteer.status == VolunteerStatus.ACTIVE
    assert volunteer.person.place == world.household_a
    assert sorted(s.code for s in volunteer.skills.all()) == ["companionship", "computer"]
    assert volunteer.availability == {"sat": ["08:00-12:00"], "sun": ["14:00-18:00"]}
    assert volunteer.certificates == [{"name": "急救员证"}]
    user = User.objects.get(username=username)
    assert (user.role, user.scope, user.person) == (
        Role.VOLUNTEER,
        world.community_a,
        volunteer.person,
    )
    assert client.login(username=username, password=password)
    assert "已通过" in client.get(status_url).content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.volunteer == volunteer
    assert AuditEvent.objects.filter(
        object_type="services.volunteerapplication", object_id=str(application.pk), verb="update"
    ).exists()
    # A second decision is refused.
    response = staff.post(decide, follow=True, data={"decision": "decline", "note": "重复"})
    assert _messages(response) == ["该申请已已通过，不能再审核"]


def test_it_reuses_the_registered_resident_with_that_phone(world, client, resident_a):
    _apply(client, world, phone="13812345678")
    application = VolunteerApplication.objects.get()
    staff = client_as(world.user("community_a"))
    staff.post(
        reverse("volunteers:application_decide", args=[application.pk]), {"decision": "approve"}
    )
    assert Volunteer.objects.get().person == resident_a
    assert Person.objects.filter(name="刘小红").count() == 0


def test_a_resubmitted_form_makes_one_application(world, client):
    _apply(client, world)
    _apply(client, world)
    assert VolunteerApplication.objects.count() == 1


def test_it_refuses_a_bad_phone_and_a_second_pending_application(world, client):
    response = _apply(client, world, phone="12345")
    assert response.status_code == 422
    _apply(client, world)
    response = _apply(client, world, token="u" * 24)
    assert response.status_code == 422
    assert "该电话已有一份待审核的申请" in response.content.decode()


def test_declining_needs_a_reason_and_keeps_the_row(world, client):
    _apply(client, world)
    application = VolunteerApplication.objects.get()
    staff = client_as(world.user("community_a"))
    decide = reverse("volunteers:application_decide", args=[application.pk])
    assert _messages(staff.post(decide, follow=True, data={"decision": "decline"})) == [
        "请填写未通过的理由"
    ]
    staff.post(decide, follow=True, data={"decision": "decline", "note": "不在本社区居住"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED
    assert not Volunteer.objects.exists()
    page = client.get(reverse("volunteers:join_status", args=[application.form_token]))
    assert "不在本社区居住" in page.content.decode()


def test_another_community_cannot_see_or_decide(world, client):
    _apply(client, world)
    application = VolunteerApplication.objects.get()
    outsider = client_as(world.user("outsider_b"))
    assert "刘小红" not in outsider.get(reverse("volunteers:applications")).content.decode()
    response = outsider.post(
        reverse("volunteers:application_decide", args=[application.pk]),
        {"decision": "approve", "place": world.household_a.pk},
        follow=True,
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    # A volunteer of the same community may not approve either.
    volunteer = client_as(world.user("volunteer_a"))
    response = volunteer.post(
        reverse("volunteers:application_decide", args=[application.pk]),
        {"decision": "approve", "place": world.household_a.pk},
        follow=True,
    )
    assert _messages(response) == ["只有该社区及上级街道的工作人员可以审核志愿者注册申请"]
