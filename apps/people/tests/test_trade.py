"""从业行业 (a resident's trade): optional, kept by the person form, the API and the actions,
audited when set or changed, at most 30 characters; the village books count the labour force
by trade from it (apps/collective)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.people.actions import do_create_person, do_update_person
from apps.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_form_records_and_changes_a_trade_and_the_audit_says_so(client_as, world):
    staff = client_as("community_a")
    response = staff.post(
        reverse("people:create"),
        {"name": "刘美华", "place": world.household_a.pk, "trade": " 物流 "},
    )
    assert response.status_code == 302
    person = Person.objects.get(name="刘美华")
    assert person.trade == "物流"
    created = AuditEvent.objects.get(object_type="people.person", verb="create")
    assert created.changes["trade"] == "物流"
    detail = staff.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "从业行业" in detail and "物流" in detail
    form = staff.get(reverse("people:edit", args=[person.pk])).content.decode()
    assert 'name="trade"' in form and 'value="物流"' in form

    staff.post(
        reverse("people:edit", args=[person.pk]),
        {"name": "刘美华", "place": world.household_a.pk, "trade": "种植"},
    )
    person.refresh_from_db()
    assert person.trade == "种植"
    changed = AuditEvent.objects.get(object_type="people.person", verb="update")
    assert changed.changes["trade"] == ["物流", "种植"]


def test_a_trade_longer_than_30_characters_is_refused(client_as, world, resident_a):
    response = client_as("community_a").post(
        reverse("people:create"),
        {"name": "王五", "place": world.household_a.pk, "trade": "物" * 31},
    )
    assert response.status_code == 200 and "trade" in response.context["form"].errors
    with pytest.raises(ValidationError) as refused:
        do_create_person(
            actor=world.user("community_a"), name="王五", place=world.household_a, trade="物" * 31
        )
    assert refused.value.message_dict == {"trade": ["从业行业最多30个字"]}
    with pytest.raises(ValidationError):
        do_update_person(resident_a, actor=world.user("community_a"), trade="物" * 31)
    resident_a.refresh_from_db()
    assert resident_a.trade == "" and not Person.objects.filter(name="王五").exists()


def test_the_api_reads_and_writes_the_trade(client_as, world, resident_a):
    api = client_as("community_a")
    response = api.patch(
        f"/api/v1/people/{resident_a.pk}",
        {"trade": "旅游服务"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["trade"] == "旅游服务"
    resident_a.refresh_from_db()
    assert resident_a.trade == "旅游服务"
