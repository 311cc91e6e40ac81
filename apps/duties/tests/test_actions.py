"""do_assign_duty, do_end_duty and do_update_duty: scope, validation and the audit row."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import AuditEvent
from apps.core.testing.factories import DutyFactory, PersonFactory
from apps.duties.actions import do_assign_duty, do_end_duty, do_update_duty
from apps.duties.models import Duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(world):
    return PersonFactory(name="党员甲", place=world.household_a)


class TestAssignDuty:
    def test_it_assigns_and_audits(self, world, member):
        actor = world.user("community_a")
        duty = do_assign_duty(
            actor=actor,
            person=member,
            place=world.household_a,
            kind="baolian",
            start_date=date(2026, 1, 2),
        )
        assert (duty.person, duty.place, duty.kind) == (member, world.household_a, "baolian")
        event = AuditEvent.objects.get(object_type="duties.duty")
        assert (event.verb, event.actor, event.object_id) == ("create", actor, str(duty.pk))
        assert event.changes == {
            "person": [None, member.pk],
            "place": [None, world.household_a.pk],
            "kind": [None, "baolian"],
            "start_date": [None, "2026-01-02"],
        }
        assert event.scope_path == world.household_a.path

    def test_it_refuses_a_place_outside_the_scope(self, world, member):
        with pytest.raises(PermissionDenied, match="您无权安排该区域的责任"):
            do_assign_duty(
                actor=world.user("community_a"),
                person=member,
                place=world.household_b,
                kind="baolian",
            )
        assert not Duty.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_it_refuses_a_person_outside_the_scope(self, world, resident_b):
        with pytest.raises(PermissionDenied, match="该人员不在您的管辖范围内"):
            do_assign_duty(
                actor=world.user("community_a"),
                person=resident_b,
                place=world.household_a,
                kind="baolian",
            )

    def test_it_refuses_a_role_without_ledgers(self, world, member):
        with pytest.raises(PermissionDenied):
            do_assign_duty(
                actor=world.user("grid_worker_a"),
                person=member,
                place=world.household_a,
                kind="baolian",
            )

    def test_it_puts_a_household_duty_only_on_a_household(self, world, member):
        with pytest.raises(ValidationError) as exc:
            do_assign_duty(
                actor=world.user("community_a"), person=member, place=world.grid_a, kind="baolian"
            )
        assert exc.value.message_dict == {"place": ["包联只能安排到户"]}

    def test_it_puts_a_building_head_only_on_a_building(self, world, member):
        with pytest.raises(ValidationError) as exc:
            do_assign_duty(
                actor=world.user("community_a"),
                person=member,
                place=world.unit_a,
                kind="building_head",
            )
        assert exc.value.message_dict == {"place": ["楼栋长只能安排到楼栋"]}

    def test_it_refuses_the_same_duty_twice(self, world, member):
        actor = world.user("community_a")
        do_assign_duty(actor=actor, person=member, place=world.household_a, kind="baolian")
        with pytest.raises(ValidationError) as exc:
            do_assign_duty(actor=actor, person=member, place=world.household_a, kind="baolian")
        assert exc.value.message_dict == {"person": ["党员甲已是101室的包联"]}

    def test_it_refuses_an_end_before_the_start(self, world, member):
        with pytest.raises(ValidationError) as exc:
            do_assign_duty(
                actor=world.user("community_a"),
                person=member,
                place=world.household_a,
                kind="baolian",
                start_date=date(2026, 3, 1),
                end_date=date(2026, 2, 1),
            )
        assert exc.value.message_dict == {"end_date": ["结束日期不能早于开始日期"]}


class TestEndDuty:
    def test_it_ends_and_audits(self, world, member):
        duty = DutyFactory(person=member, place=world.household_a, start_date=date(2025, 1, 1))
        do_end_duty(actor=world.user("town_staff"), duty=duty, end_date=date(2026, 1, 31))
        duty.refresh_from_db()
        assert duty.end_date == date(2026, 1, 31)
        event = AuditEvent.objects.get(verb="update")
        assert event.changes == {"end_date": [None, "2026-01-31"]}
        assert not Duty.objects.current(date(2026, 2, 1)).exists()

    def test_it_refuses_to_end_twice(self, world, member):
        duty = DutyFactory(person=member, place=world.household_a, end_date=date(2025, 1, 1))
        with pytest.raises(ValidationError) as exc:
            do_end_duty(actor=world.user("community_a"), duty=duty, end_date=date(2025, 6, 1))
        assert exc.value.message_dict == {"end_date": ["该责任已经结束"]}

    def test_it_refuses_outside_the_scope(self, world, resident_b):
        duty = DutyFactory(person=resident_b, place=world.household_b)
        with pytest.raises(PermissionDenied):
            do_end_duty(actor=world.user("community_a"), duty=duty)
        duty.refresh_from_db()
        assert duty.end_date is None


class TestUpdateDuty:
    def test_it_updates_the_note_and_audits(self, world, member):
        duty = DutyFactory(person=member, place=world.household_a)
        do_update_duty(actor=world.user("community_a"), duty=duty, note="每周五走访")
        assert AuditEvent.objects.get(verb="update").changes == {"note": ["", "每周五走访"]}

    def test_it_refuses_to_move_a_duty(self, world, member):
        duty = DutyFactory(person=member, place=world.household_a)
        with pytest.raises(ValidationError, match="不能修改字段：place"):
            do_update_duty(actor=world.user("community_a"), duty=duty, place=world.grid_a)
