import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import AuditEvent
from apps.people.actions import do_reveal_person


class TestRevealPerson:
    @pytest.mark.parametrize("role", ["community_a", "grid_worker_a", "town_staff", "admin"])
    def test_it_reveals_to_authorised_roles_and_audits(self, world, resident_a, reveals, role):
        actor = world.user(role)
        assert do_reveal_person(resident_a, "phone", actor=actor) == "13812345678"
        assert do_reveal_person(resident_a, "id_number", actor=actor) == "360732194501011234"
        assert reveals(resident_a) == 2
        events = AuditEvent.objects.filter(verb="reveal").order_by("id")
        assert [e.changes for e in events] == [{"field": "phone"}, {"field": "id_number"}]
        assert {e.actor_id for e in events} == {actor.pk}
        assert all(e.scope_path == resident_a.place.path for e in events)

    def test_it_audits_every_time(self, world, resident_a, reveals):
        for _ in range(3):
            do_reveal_person(resident_a, "phone", actor=world.user("grid_worker_a"))
        assert reveals(resident_a) == 3

    @pytest.mark.parametrize("role", ["county_leader", "volunteer_a"])
    def test_it_refuses_other_roles_without_audit(self, world, resident_a, reveals, role):
        with pytest.raises(PermissionDenied, match="您的角色无权查看完整的身份证号和电话号码"):
            do_reveal_person(resident_a, "phone", actor=world.user(role))
        assert reveals(resident_a) == 0

    def test_it_refuses_a_person_outside_scope(self, world, resident_b, reveals):
        with pytest.raises(PermissionDenied, match="该人员不在您的管辖范围内"):
            do_reveal_person(resident_b, "id_number", actor=world.user("community_a"))
        assert reveals(resident_b) == 0

    def test_it_reveals_only_known_fields(self, world, resident_a):
        with pytest.raises(ValidationError):
            do_reveal_person(resident_a, "note", actor=world.user("community_a"))
