"""The reporter's phone for the people who must call back: the case's handler and its
dispatchers get the number with a tel: link, each read audited (the people registry's rule,
`audit.reveal`); everyone else sees the mask, and out of scope is 404."""

import pytest
from django.test import Client

from apps.cases.actions import do_create_case, do_transition
from apps.cases.models import Case, Category
from apps.core.models import AuditEvent
from apps.core.testing import client_as

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture
def case(world) -> Case:
    category, _ = Category.objects.update_or_create(
        code="reveal-test", defaults={"name": "助老服务", "default_level": "community"}
    )
    case, _ = do_create_case(
        actor=None,
        category=category,
        place=world.household_a,
        title="助老服务：代买药品",
        reporter_name="张阿姨",
        reporter_phone=PHONE,
    )
    staff, vol = world.user("community_a"), world.user("volunteer_a")
    case = do_transition(case, "accept", actor=staff)
    return do_transition(case, "dispatch", actor=staff, data={"assignee": vol.pk})


def reveals(case) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(verb="reveal", object_type="cases.case", object_id=str(case.pk))
    )


@pytest.mark.parametrize("who", ["volunteer_a", "community_a"])
def test_the_handler_and_the_dispatcher_get_the_number_audited(world, case, who):
    user = world.user(who)
    client = client_as(user)
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "139****5678" in detail and PHONE not in detail and 'id="reveal-phone"' in detail
    response = client.post(f"/cases/{case.pk}/reveal-phone/", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and f'href="tel:{PHONE}"' in text
    [event] = reveals(case)
    assert event.actor == user and event.changes == {"field": "reporter_phone"}
    assert event.scope_path == world.household_a.path
    # Without htmx: the case page with the number in place; a second read is a second event.
    page = client.post(f"/cases/{case.pk}/reveal-phone/").content.decode()
    assert f'href="tel:{PHONE}"' in page and len(reveals(case)) == 2


def test_others_in_scope_see_the_mask_only(world, case):
    client = client_as(
        world.user("grid_worker_a")
    )  # sees the case, neither handles it nor dispatches
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "139****5678" in detail and 'id="reveal-phone"' not in detail
    response = client.post(f"/cases/{case.pk}/reveal-phone/")
    text = response.content.decode()
    assert response.status_code == 422 and PHONE not in text
    assert "只有本事项的承办人和承办单位的派单人员可以查看提出人的完整电话" in text
    assert reveals(case) == []


def test_out_of_scope_is_404(world, case):
    response = client_as(world.user("outsider_b")).post(f"/cases/{case.pk}/reveal-phone/")
    assert response.status_code == 404 and reveals(case) == []


def test_it_needs_a_login_and_a_post(world, case):
    assert Client().post(f"/cases/{case.pk}/reveal-phone/").status_code == 302
    assert (
        client_as(world.user("community_a")).get(f"/cases/{case.pk}/reveal-phone/").status_code
        == 405
    )
    assert reveals(case) == []
