"""Mediation actions: mediators, opening on a dispute, sessions, outcome, resolving the case
on an agreement through the case engine (its handler only), audit and atomicity."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.cases.errors import IllegalTransition, NotAllowed
from apps.cases.models import Case, CaseEvent
from apps.cases.tests.helpers import make_case
from apps.core.models import AuditEvent
from apps.core.testing.factories import PersonFactory
from apps.mediation.actions import (
    do_open_mediation,
    do_record_outcome,
    do_record_session,
    do_register_mediator,
    do_resolve_by_agreement,
    do_set_mediator_active,
)
from apps.mediation.models import Mediation

pytestmark = pytest.mark.django_db


def _audits(label, verb):
    return AuditEvent.objects.filter(object_type=label, verb=verb).count()


def _open(dispute, world, user="community_a"):
    return do_open_mediation(
        dispute.case,
        actor=world.user(user),
        mediators=[dispute.judge, dispute.mediator],
        parties=["张桂英", " 李春生 ", ""],
    )


def _agree(mediation, world):
    do_record_session(
        mediation,
        actor=world.user("community_a"),
        location="红门社区调解室",
        participants="张桂英、李春生、周法官",
    )
    return do_record_outcome(
        mediation,
        actor=world.user("community_a"),
        agreed=True,
        agreement="楼上住户承担维修费800元",
    )


class TestMediators:
    def test_it_registers_once_per_area_and_kind(self, dispute, world):
        assert _audits("mediation.mediator", "create") == 3
        with pytest.raises(ValidationError) as exc:
            do_register_mediator(
                actor=world.user("community_a"),
                person=dispute.mediator.person,
                area=world.community_a,
                kind="peoples_mediator",
            )
        assert exc.value.message_dict == {"person": ["钟调解已是红门社区的人民调解员"]}

    def test_community_staff_cannot_register_for_the_county(self, world):
        with pytest.raises(PermissionDenied, match="您无权管理该区域的调解员"):
            do_register_mediator(
                actor=world.user("community_a"),
                person=PersonFactory(place=world.grid_a),
                area=world.county,
                kind="lawyer",
            )

    def test_an_inactive_mediator_cannot_be_chosen(self, dispute, world):
        do_set_mediator_active(
            actor=world.user("community_a"), mediator=dispute.mediator, active=False
        )
        with pytest.raises(ValidationError, match="钟调解已不在岗"):
            _open(dispute, world)


class TestOpenMediation:
    def test_it_opens_with_mediators_and_parties(self, dispute, world):
        mediation = _open(dispute, world)
        assert mediation.parties == ["张桂英", "李春生"]
        assert set(mediation.mediators.all()) == {dispute.judge, dispute.mediator}
        assert _audits("mediation.mediation", "create") == 1

    def test_only_a_dispute_may_be_mediated(self, dispute, world):
        other = make_case(world, title="路灯坏了")
        with pytest.raises(ValidationError, match="只有纠纷类事项可以调解"):
            do_open_mediation(
                other, actor=world.user("community_a"), mediators=[dispute.mediator], parties=["甲"]
            )

    def test_a_mediator_of_another_area_is_refused(self, dispute, world):
        with pytest.raises(ValidationError, match="邱调解不负责该纠纷所在区域"):
            do_open_mediation(
                dispute.case,
                actor=world.user("community_a"),
                mediators=[dispute.outsider_mediator],
                parties=["甲"],
            )
        assert not Mediation.objects.exists()

    def test_an_outsider_and_a_volunteer_are_refused(self, dispute, world):
        for name in ("outsider_b", "volunteer_a"):
            with pytest.raises(PermissionDenied, match="只有本辖区工作人员、承办人或本案调解员"):
                _open(dispute, world, name)

    def test_it_opens_only_once(self, dispute, world):
        _open(dispute, world)
        with pytest.raises(ValidationError, match="该纠纷已在调解"):
            _open(dispute, world)


class TestOutcomeAndResolution:
    def test_an_outcome_needs_a_session_first(self, dispute, world):
        mediation = _open(dispute, world)
        with pytest.raises(ValidationError, match="请先登记至少一次调解会"):
            do_record_outcome(
                mediation, actor=world.user("community_a"), agreed=True, agreement="x"
            )

    def test_no_agreement_needs_a_reason_and_a_referral(self, dispute, world):
        mediation = _open(dispute, world)
        do_record_session(
            mediation, actor=world.user("community_a"), location="调解室", participants="双方"
        )
        with pytest.raises(ValidationError) as exc:
            do_record_outcome(
                mediation, actor=world.user("community_a"), agreed=False, failure_reason="分歧大"
            )
        assert exc.value.message_dict == {"referral": ["请选择分流去向"]}
        done = do_record_outcome(
            mediation,
            actor=world.user("community_a"),
            agreed=False,
            failure_reason="赔偿金额分歧大",
            referral="litigation",
        )
        assert done.status == "failed" and done.concluded_at is not None
        with pytest.raises(ValidationError, match="调解未达成协议，不能据此办结"):
            do_resolve_by_agreement(done, actor=world.user("grid_worker_a"))
        with pytest.raises(ValidationError, match="该调解已结束（调解不成）"):
            do_record_session(done, actor=world.user("community_a"), location="x", participants="y")

    def test_the_assignee_resolves_the_case_on_the_agreement(self, dispute, world):
        mediation = _agree(_open(dispute, world), world)
        case = do_resolve_by_agreement(mediation, actor=world.user("grid_worker_a"))
        assert case.status == "resolved"
        event = CaseEvent.objects.filter(case=case, action="resolve").get()
        assert event.note.startswith("调解达成协议（") and "800元" in event.note
        assert _audits("mediation.mediation", "update") == 2  # outcome, resolution

    def test_nobody_but_the_assignee_may_resolve(self, dispute, world):
        mediation = _agree(_open(dispute, world), world)
        with pytest.raises(NotAllowed):
            do_resolve_by_agreement(mediation, actor=world.user("community_a"))
        assert Case.objects.get(pk=dispute.case.pk).status == "claimed"
        assert _audits("mediation.mediation", "update") == 1

    def test_a_resolved_case_cannot_be_resolved_twice(self, dispute, world):
        mediation = _agree(_open(dispute, world), world)
        do_resolve_by_agreement(mediation, actor=world.user("grid_worker_a"))
        with pytest.raises(ValidationError, match="该纠纷事项已办结"):
            do_resolve_by_agreement(mediation, actor=world.user("grid_worker_a"))

    def test_an_unclaimed_case_is_refused_by_the_engine(self, dispute, world):
        mediation = _agree(_open(dispute, world), world)
        Case.objects.filter(pk=dispute.case.pk).update(status="dispatched")
        with pytest.raises(IllegalTransition):
            do_resolve_by_agreement(mediation, actor=world.user("grid_worker_a"))

    def test_a_mediator_with_an_account_records_sessions(self, dispute, world):
        from apps.accounts.choices import Role
        from apps.core.testing.factories import make_user

        user = make_user(
            "mediator_a", Role.VOLUNTEER, world.community_b, person=dispute.judge.person
        )
        mediation = _open(dispute, world)
        session = do_record_session(mediation, actor=user, location="法庭", participants="双方")
        assert session.recorded_by == user


def test_deactivating_a_mediator_is_audited_and_scoped(dispute, world):
    do_set_mediator_active(actor=world.user("community_a"), mediator=dispute.mediator, active=False)
    assert _audits("mediation.mediator", "update") == 1
    with pytest.raises(PermissionDenied, match="您无权管理该区域的调解员"):
        do_set_mediator_active(
            actor=world.user("community_a"), mediator=dispute.judge, active=False
        )
