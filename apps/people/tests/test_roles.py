import pytest
from django.core.exceptions import ValidationError

from apps.core.models import AuditEvent
from apps.core.testing.factories import OrganisationFactory
from apps.people.actions import do_set_party_member
from apps.volunteers.actions import do_register_volunteer


class TestSetPartyMember:
    def test_it_records_branch_group_and_double_report(self, world, resident_a):
        branch = OrganisationFactory(name="红门社区党支部", place=world.community_a)
        member = do_set_party_member(
            resident_a,
            actor=world.user("community_a"),
            branch=branch,
            group_name="第一党小组",
            is_central_household=True,
            report_community=world.community_a,
        )
        assert (member.branch, member.is_central_household) == (branch, True)
        event = AuditEvent.objects.get(object_type="people.partymember")
        assert event.changes["branch"] == branch.pk

    def test_it_updates_and_audits_only_changes(self, world, resident_a):
        staff = world.user("community_a")
        do_set_party_member(resident_a, actor=staff, group_name="一组")
        do_set_party_member(resident_a, actor=staff, group_name="二组")
        event = AuditEvent.objects.filter(object_type="people.partymember").order_by("id").last()
        assert (event.verb, event.changes) == ("update", {"group_name": "二组"})

    def test_it_requires_a_party_organisation(self, world, resident_a):
        committee = OrganisationFactory(kind="owner_committee", place=world.compound_a)
        with pytest.raises(ValidationError) as excinfo:
            do_set_party_member(resident_a, actor=world.user("community_a"), branch=committee)
        assert excinfo.value.message_dict == {"branch": ["所在支部必须是党组织"]}


class TestRegisterVolunteer:
    def test_it_records_skills_certificates_and_availability(self, world, resident_a):
        volunteer = do_register_volunteer(
            resident_a,
            actor=world.user("community_a"),
            skills=["medical", "legal"],
            certificates=[{"name": "持证社工", "number": "S-001"}],
            availability={"fri": ["08:00-12:00"], "sat": ["14:00-17:30"]},
        )
        assert set(volunteer.skills.values_list("code", flat=True)) == {"medical", "legal"}
        assert volunteer.availability["fri"] == ["08:00-12:00"]

    @pytest.mark.parametrize(
        ("kwargs", "errors"),
        [
            (
                {"availability": {"fri": ["8-12"]}},
                {"availability": ["可服务时间“fri”的时段应写成 08:00-12:00"]},
            ),
            (
                {"availability": {"xyz": []}},
                {"availability": ["可服务时间中的星期“xyz”无效（应为 mon…sun）"]},
            ),
            (
                {"certificates": [{"number": "1"}]},
                {"certificates": ["证书应为列表，每项至少有名称"]},
            ),
            ({"skills": ["flying"]}, {"skills": ["未知的技能：flying"]}),
        ],
    )
    def test_it_explains_bad_input(self, world, resident_a, kwargs, errors):
        with pytest.raises(ValidationError) as excinfo:
            do_register_volunteer(resident_a, actor=world.user("community_a"), **kwargs)
        assert excinfo.value.message_dict == errors
