"""Dispatch help (issue 20, item 8): a suggested volunteer without an account shows a masked
phone and a reveal button; the reveal is the people registry's own (`do_reveal_person`: its
role and scope rule, one audit event each time; ADR 0003) and gives a tel: link."""

import pytest

from apps.accounts.choices import Role
from apps.cases.models import Category
from apps.core.models import AuditEvent
from apps.core.testing.factories import PersonFactory, make_user
from apps.people.models import Skill
from apps.volunteers.models import Volunteer

from .helpers import make_case, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def offline(world):
    """An accepted 水电维修 case of community A and 王师傅, a plumber without an account."""
    person = PersonFactory(name="王师傅", place=world.household_a, secrets__phone="13900001111")
    v = Volunteer.objects.create(person=person)
    v.skills.set(Skill.objects.filter(code="plumbing"))
    case = make_case(world, category=Category.objects.get(code="repairs"), title="水管漏水")
    dispatcher = "grid_worker_a" if case.level == "grid" else "community_a"
    case = walk(case, world, ("accept", dispatcher, None))
    return {"case": case, "person": person, "dispatcher": world.user(dispatcher)}


def test_it_reveals_a_suggested_volunteers_phone_with_an_audit_event(client, offline):
    client.force_login(offline["dispatcher"])
    url = f"/cases/{offline['case'].pk}/dispatch/"
    body = client.get(url).content.decode()
    assert "无账号，需线下联系" in body and "139****1111" in body and "显示电话" in body
    assert "13900001111" not in body
    response = client.post(f"{url}phone/", {"person": offline["person"].pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="tel:13900001111"' in body and "（已记录查看）" in body
    event = AuditEvent.objects.filter(verb="reveal").get()
    assert event.actor_id == offline["dispatcher"].pk
    assert event.changes == {"field": "phone"}


def test_it_refuses_a_person_outside_the_suggestions(client, world, offline):
    client.force_login(offline["dispatcher"])
    stranger = PersonFactory(name="路人", place=world.household_a)
    response = client.post(f"/cases/{offline['case'].pk}/dispatch/phone/", {"person": stranger.pk})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(verb="reveal").exists()


def test_it_refuses_who_may_not_dispatch_the_case(client, world, offline):
    volunteer = make_user("vol_x", Role.VOLUNTEER, world.community_a)
    client.force_login(volunteer)
    response = client.post(
        f"/cases/{offline['case'].pk}/dispatch/phone/", {"person": offline["person"].pk}
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(verb="reveal").exists()
    client.force_login(world.user("outsider_b"))
    response = client.post(
        f"/cases/{offline['case'].pk}/dispatch/phone/", {"person": offline["person"].pk}
    )
    assert response.status_code == 404
