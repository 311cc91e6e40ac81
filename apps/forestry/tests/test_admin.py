"""The patrol rule table is configurable by the administrators (the issue's "configurable
rule table"): a change through the admin site takes effect and is audited; other staff are
kept out. State forest farms are listed within the administrator's scope."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.choices import Role
from apps.core.models import AuditEvent
from apps.core.testing.factories import make_user
from apps.forestry.choices import Period
from apps.forestry.models import PatrolRule, StateForestFarm

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world) -> Client:
    client = Client()
    client.force_login(world.user("admin"))
    return client


def test_an_administrator_changes_how_often_a_level_patrols(admin_client):
    rule = PatrolRule.objects.order_by("level").first()
    assert rule is not None  # the rule table is seeded by the forestry migrations
    url = reverse("admin:forestry_patrolrule_change", args=[rule.pk])
    assert admin_client.get(url).status_code == 200
    period = Period.MONTH if rule.period != Period.MONTH else Period.WEEK
    response = admin_client.post(
        url, {"level": rule.level, "period": period, "min_minutes": 45, "active": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert (rule.period, rule.min_minutes) == (period, 45)
    event = AuditEvent.objects.get(object_type="forestry.patrolrule", object_id=str(rule.pk))
    assert event.changes["min_minutes"] == "45"


def test_other_staff_cannot_open_the_rule_table(world):
    client = Client()
    client.force_login(make_user("clerk", Role.TOWN_STAFF, world.town, is_staff=True))
    assert client.get(reverse("admin:forestry_patrolrule_changelist")).status_code == 403


def test_the_farms_are_listed_within_the_scope(admin_client, world):
    StateForestFarm.objects.create(name="东固林场", place=world.county)
    page = admin_client.get(reverse("admin:forestry_stateforestfarm_changelist"))
    assert page.status_code == 200 and "东固林场" in page.content.decode()
