"""Pairing, ending and recording contacts: the duty behind a pairing, permissions, audit,
atomicity of a contact with its need case."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.care.actions import do_create_pairing, do_end_pairing, do_record_contact
from apps.care.models import Contact, Pairing
from apps.cases.models import Case, Category
from apps.core.models import AuditEvent
from apps.duties.models import Duty

pytestmark = pytest.mark.django_db


def _audit(label, verb="create"):
    return AuditEvent.objects.filter(object_type=label, verb=verb).count()


class TestCreatePairing:
    def test_it_pairs_with_a_pairing_duty_on_the_household(self, care, world, pairing):
        assert pairing.duty.kind == "pairing"
        assert pairing.duty.place == world.household_a
        assert pairing.duty.person == care.teacher
        assert _audit("care.pairing") == 1
        assert _audit("duties.duty") == 1

    def test_it_reuses_the_duty_for_a_sibling(self, care, world, pairing):
        second = do_create_pairing(
            actor=world.user("community_a"), person=care.sibling, carer=care.teacher
        )
        assert second.duty == pairing.duty
        assert Duty.objects.filter(kind="pairing").count() == 1

    def test_it_refuses_a_second_pairing_of_the_same_two(self, care, world, pairing):
        with pytest.raises(ValidationError) as exc:
            do_create_pairing(
                actor=world.user("community_a"), person=care.child, carer=care.teacher
            )
        assert exc.value.message_dict == {"carer": ["陈老师已与刘小明结对"]}

    def test_it_refuses_a_volunteer_account(self, care, world):
        with pytest.raises(PermissionDenied, match="您无权安排该区域的责任"):
            do_create_pairing(actor=care.teacher_user, person=care.child, carer=care.teacher)
        assert not Pairing.objects.exists() and not Duty.objects.exists()

    def test_it_refuses_a_child_outside_the_scope(self, care, world):
        with pytest.raises(PermissionDenied, match="您无权安排该区域的责任"):
            do_create_pairing(
                actor=world.user("community_a"), person=care.child_b, carer=care.teacher
            )

    def test_it_refuses_a_school_that_is_not_a_school(self, care, world):
        care.school.kind = "party_branch"
        care.school.save()
        with pytest.raises(ValidationError) as exc:
            do_create_pairing(
                actor=world.user("community_a"),
                person=care.child,
                carer=care.teacher,
                school=care.school,
            )
        assert exc.value.message_dict == {"school": ["请选择学校"]}
        assert not Duty.objects.exists()


class TestEndPairing:
    def test_it_ends_the_pairing_and_its_duty(self, care, world, pairing):
        do_end_pairing(actor=world.user("community_a"), pairing=pairing, reason="升学转校")
        pairing.refresh_from_db()
        pairing.duty.refresh_from_db()
        assert pairing.end_date == timezone.localdate() and pairing.end_reason == "升学转校"
        assert pairing.duty.end_date == timezone.localdate()
        assert _audit("care.pairing", "update") == 1

    def test_it_keeps_the_duty_while_a_sibling_is_still_paired(self, care, world, pairing):
        do_create_pairing(actor=world.user("community_a"), person=care.sibling, carer=care.teacher)
        do_end_pairing(actor=world.user("community_a"), pairing=pairing, reason="升学")
        pairing.duty.refresh_from_db()
        assert pairing.duty.end_date is None

    def test_it_wants_a_reason(self, world, pairing):
        with pytest.raises(ValidationError) as exc:
            do_end_pairing(actor=world.user("community_a"), pairing=pairing, reason=" ")
        assert exc.value.message_dict == {"reason": ["请填写结束结对的原因"]}


class TestRecordContact:
    def test_the_carer_records_a_home_visit(self, care, pairing):
        contact = do_record_contact(
            pairing, actor=care.teacher_user, kind="home_visit", notes="学习用品齐全"
        )
        assert contact.carer == care.teacher and contact.contacted_on == timezone.localdate()
        assert _audit("care.contact") == 1

    def test_a_need_becomes_a_case_from_a_visit(self, care, world, pairing):
        category = Category.objects.get(code="counselling")
        contact = do_record_contact(
            pairing,
            actor=care.teacher_user,
            kind="home_visit",
            needs="孩子情绪低落，想念父母",
            need_category=category,
            need_title="留守儿童心理疏导",
        )
        case = contact.cases.get()
        assert (case.source, case.kind, case.place) == ("visit", "need", world.household_a)
        assert list(case.persons.all()) == [care.child]
        assert case.attributes == {"care_contact": contact.pk}

    def test_a_refused_case_leaves_no_contact(self, care, pairing):
        inactive = Category.objects.get(code="counselling")
        inactive.active = False
        inactive.save()
        with pytest.raises(ValidationError):
            do_record_contact(
                pairing,
                actor=care.teacher_user,
                kind="phone",
                need_category=inactive,
                need_title="心理疏导",
            )
        assert not Contact.objects.exists() and not Case.objects.exists()
        assert _audit("care.contact") == 0

    def test_an_outsider_may_not_record(self, world, pairing):
        with pytest.raises(PermissionDenied, match="只有结对人或本辖区工作人员可以登记联系记录"):
            do_record_contact(pairing, actor=world.user("outsider_b"), kind="phone")

    def test_it_refuses_a_future_date_and_a_date_before_the_pairing(self, care, pairing):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        with pytest.raises(ValidationError) as exc:
            do_record_contact(pairing, actor=care.teacher_user, kind="phone", contacted_on=tomorrow)
        assert exc.value.message_dict == {"contacted_on": ["联系日期不能晚于今天"]}
        before = pairing.start_date - dt.timedelta(days=1)
        with pytest.raises(ValidationError) as exc:
            do_record_contact(pairing, actor=care.teacher_user, kind="phone", contacted_on=before)
        assert exc.value.message_dict == {"contacted_on": ["联系日期不在结对期间内"]}

    def test_it_refuses_an_unknown_kind(self, care, pairing):
        with pytest.raises(ValidationError) as exc:
            do_record_contact(pairing, actor=care.teacher_user, kind="letter")
        assert exc.value.message_dict == {"kind": ["联系方式不在可选范围内"]}
