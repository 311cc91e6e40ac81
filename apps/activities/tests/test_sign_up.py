"""Sign-up with a capacity and a waiting list; cancellation moves the first waiting person up."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.activities.actions import do_cancel_signup, do_sign_up, do_update_activity
from apps.activities.models import Participation
from apps.core.models import AuditEvent

from .conftest import make_activity

pytestmark = pytest.mark.django_db


def statuses(activity):
    rows = Participation.objects.filter(activity=activity).select_related("person")
    return {r.person.name: r.status for r in rows}


class TestCapacity:
    def test_it_puts_people_beyond_the_capacity_on_the_waiting_list(self, book_fair, cast, world):
        staff = world.user("community_a")
        rows = [do_sign_up(book_fair, p, actor=staff) for p in cast.residents]
        assert [r.status for r in rows] == ["registered", "registered", "waitlisted", "waitlisted"]

    def test_it_promotes_the_first_waiting_when_a_seat_is_freed(self, book_fair, cast, world):
        staff = world.user("community_a")
        first, _second, third, _fourth = (
            do_sign_up(book_fair, p, actor=staff) for p in cast.residents
        )
        do_cancel_signup(first, actor=staff)
        assert statuses(book_fair) == {
            "张桂英": "cancelled",
            "李建国": "registered",
            "王小红": "registered",
            "赵明": "waitlisted",
        }
        promoted = AuditEvent.objects.filter(
            object_type="activities.participation", object_id=str(third.pk)
        ).latest("id")
        assert promoted.changes["status"] == ["waitlisted", "registered"]

    def test_more_seats_move_the_waiting_list_up(self, book_fair, cast, world):
        staff = world.user("community_a")
        for person in cast.residents:
            do_sign_up(book_fair, person, actor=staff)
        do_update_activity(book_fair, actor=staff, capacity=3)
        assert list(statuses(book_fair).values()).count("registered") == 3

    def test_volunteers_take_no_seat(self, book_fair, cast, world):
        staff = world.user("community_a")
        do_sign_up(book_fair, cast.volunteer, actor=staff, role="volunteer")
        rows = [do_sign_up(book_fair, p, actor=staff) for p in cast.residents[:2]]
        assert [r.status for r in rows] == ["registered", "registered"]

    def test_unlimited_capacity_never_waits(self, world, cast):
        activity = make_activity(world, capacity=None)
        rows = [do_sign_up(activity, p, actor=world.user("community_a")) for p in cast.residents]
        assert {r.status for r in rows} == {"registered"}


class TestRules:
    def test_it_refuses_a_second_sign_up(self, book_fair, cast, world):
        staff = world.user("community_a")
        do_sign_up(book_fair, cast.residents[0], actor=staff)
        with pytest.raises(ValidationError) as exc:
            do_sign_up(book_fair, cast.residents[0], actor=staff)
        assert exc.value.messages == ["张桂英已在该活动的报名名单中，无需重复报名"]

    def test_a_cancelled_sign_up_can_sign_up_again_on_the_same_row(self, book_fair, cast, world):
        staff = world.user("community_a")
        row = do_sign_up(book_fair, cast.residents[0], actor=staff)
        do_cancel_signup(row, actor=staff)
        again = do_sign_up(book_fair, cast.residents[0], actor=staff)
        assert again.pk == row.pk and again.status == "registered"

    def test_a_volunteer_signs_up_themselves(self, book_fair, cast):
        row = do_sign_up(book_fair, cast.volunteer, actor=cast.volunteer_user)
        assert (row.source, row.status) == ("self", "registered")
        event = AuditEvent.objects.filter(object_type="activities.participation").latest("id")
        assert event.actor == cast.volunteer_user and event.verb == "create"

    def test_it_refuses_self_sign_up_when_the_activity_does_not_allow_it(self, world, cast):
        activity = make_activity(world, self_signup=False)
        with pytest.raises(PermissionDenied, match="该活动不开放自助报名，请联系社区工作人员"):
            do_sign_up(activity, cast.volunteer, actor=cast.volunteer_user)

    def test_a_volunteer_cannot_sign_up_someone_else(self, book_fair, cast):
        with pytest.raises(PermissionDenied, match="您不能为该居民报名"):
            do_sign_up(book_fair, cast.residents[0], actor=cast.volunteer_user)

    def test_staff_of_another_community_cannot_sign_up(self, book_fair, cast, world):
        with pytest.raises(PermissionDenied, match="您不能为该居民报名"):
            do_sign_up(book_fair, cast.residents[0], actor=world.user("outsider_b"))

    def test_a_resident_can_be_signed_up_as_volunteer_only_if_registered(
        self, book_fair, cast, world
    ):
        with pytest.raises(ValidationError) as exc:
            do_sign_up(
                book_fair, cast.residents[0], actor=world.user("community_a"), role="volunteer"
            )
        assert exc.value.messages == ["张桂英不是登记在册的志愿者"]

    def test_it_refuses_sign_up_to_an_ended_activity(self, world, cast):
        activity = make_activity(world, starts_in=-300)
        with pytest.raises(ValidationError, match="该活动已结束，不能报名"):
            do_sign_up(activity, cast.residents[0], actor=world.user("community_a"))

    def test_cancelling_twice_is_refused(self, book_fair, cast, world):
        staff = world.user("community_a")
        row = do_sign_up(book_fair, cast.residents[0], actor=staff)
        do_cancel_signup(row, actor=staff)
        with pytest.raises(ValidationError, match="该报名已取消"):
            do_cancel_signup(row, actor=staff)

    def test_a_sign_up_cannot_be_cancelled_after_the_end(self, book_fair, cast, world, monkeypatch):
        staff = world.user("community_a")
        row = do_sign_up(book_fair, cast.residents[0], actor=staff)
        later = book_fair.end_at + dt.timedelta(minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        with pytest.raises(ValidationError, match="活动已结束，不能取消报名"):
            do_cancel_signup(row, actor=staff)
