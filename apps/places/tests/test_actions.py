"""do_create_place and do_update_place: scope, validation and the audit row."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import AuditEvent
from apps.places.actions import do_create_place, do_update_place
from apps.places.choices import PlaceKind
from apps.places.models import Place, path_segment

pytestmark = pytest.mark.django_db


class TestCreatePlace:
    def test_it_creates_a_place_with_its_path_and_an_audit_row(self, world):
        actor = world.user("community_a")
        place = do_create_place(
            actor=actor,
            kind=PlaceKind.GRID,
            name="红门第二网格",
            code=world.community_a.code + "002",
            parent=world.community_a,
        )
        assert place.path == world.community_a.path + path_segment(place.pk)
        assert place.depth == 3
        event = AuditEvent.objects.get(object_type="places.place", object_id=str(place.pk))
        assert (event.verb, event.actor) == ("create", actor)
        assert event.changes == {"kind": "grid", "code": place.code, "name": "红门第二网格"}
        assert event.scope_path == place.path

    def test_it_refuses_a_parent_outside_the_scope(self, world):
        with pytest.raises(PermissionDenied, match="您无权修改该区域的地点"):
            do_create_place(
                actor=world.user("community_a"),
                kind=PlaceKind.GRID,
                name="越界",
                code=world.community_b.code + "009",
                parent=world.community_b,
            )
        assert not Place.objects.filter(name="越界").exists()

    def test_it_refuses_a_role_that_does_not_keep_ledgers(self, world):
        with pytest.raises(PermissionDenied):
            do_create_place(
                actor=world.user("grid_worker_a"),
                kind=PlaceKind.HOUSEHOLD,
                name="102室",
                code=world.unit_a.code + "002",
                parent=world.unit_a,
            )

    def test_it_explains_a_wrong_code(self, world):
        with pytest.raises(ValidationError) as exc:
            do_create_place(
                actor=world.user("community_a"),
                kind=PlaceKind.HOUSEHOLD,
                name="102室",
                code="102",
                parent=world.unit_a,
            )
        assert exc.value.message_dict == {"code": [f"编码应以上级编码 {world.unit_a.code} 开头"]}
        assert not AuditEvent.objects.filter(verb="create").exists()


class TestUpdatePlace:
    def test_it_records_the_changed_fields(self, world):
        actor = world.user("community_a")
        do_update_place(actor=actor, place=world.household_a, name="101户", address="红门路1号")
        event = AuditEvent.objects.get(verb="update")
        assert event.changes == {"name": ["101室", "101户"], "address": ["", "红门路1号"]}
        world.household_a.refresh_from_db()
        assert world.household_a.name == "101户"

    def test_it_writes_nothing_when_nothing_changes(self, world):
        do_update_place(actor=world.user("community_a"), place=world.household_a, name="101室")
        assert not AuditEvent.objects.exists()

    def test_it_refuses_to_move_a_place(self, world):
        with pytest.raises(ValidationError, match="不能修改字段：code, parent"):
            do_update_place(
                actor=world.user("community_a"),
                place=world.household_a,
                parent=world.grid_a,
                code="1",
            )

    def test_it_refuses_a_place_outside_the_scope(self, world):
        with pytest.raises(PermissionDenied):
            do_update_place(actor=world.user("community_a"), place=world.household_b, name="改名")
