"""QR tokens (signed, expiring, renewable) and check-in at the door: by account, by name and
phone suffix, by staff; idempotent, and one row under concurrent check-ins."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from apps.activities import qr
from apps.activities.actions import (
    do_cancel_activity,
    do_check_in_with_token,
    do_renew_qr,
    do_set_attendance,
    do_sign_up,
)
from apps.activities.models import Participation
from apps.core.models import AuditEvent

from .conftest import make_activity

pytestmark = pytest.mark.django_db


def audit_rows(row):
    return AuditEvent.objects.filter(object_type="activities.participation", object_id=str(row.pk))


class TestToken:
    def test_it_admits_to_its_activity(self, book_fair):
        found = qr.read_token(qr.make_token(book_fair))
        assert found.activity == book_fair and not found.not_open_yet

    def test_it_refuses_a_forged_token(self, book_fair):
        token = qr.make_token(book_fair)
        payload, signature = token.rsplit(":", 1)
        forged = f"{payload}:{'A' * len(signature)}"
        with pytest.raises(qr.CheckinTokenError) as exc:
            qr.read_token(forged)
        assert str(exc.value) == (
            "签到码无效：二维码不是本系统生成的，或已被改动。请扫描活动现场的二维码。"
        )

    def test_it_refuses_a_token_signed_for_another_activity_id(self, book_fair):
        from django.core import signing

        token = signing.dumps({"a": book_fair.pk, "v": 1, "e": 0}, salt="another.salt")
        with pytest.raises(qr.CheckinTokenError, match="签到码无效"):
            qr.read_token(token)

    def test_it_expires_after_the_grace_period(self, book_fair):
        token = qr.make_token(book_fair)
        late = book_fair.end_at + qr.grace() + dt.timedelta(seconds=1)
        with pytest.raises(qr.CheckinTokenError) as exc:
            qr.read_token(token, now=late)
        assert str(exc.value) == "签到码已过期，请扫描活动现场最新的二维码。"
        assert qr.read_token(token, now=late - dt.timedelta(seconds=2)).activity == book_fair

    def test_a_renewed_code_voids_the_old_ones(self, book_fair, world):
        old = qr.make_token(book_fair)
        renewed = do_renew_qr(book_fair, actor=world.user("community_a"))
        with pytest.raises(qr.CheckinTokenError, match="签到码已作废"):
            qr.read_token(old)
        assert qr.read_token(qr.make_token(renewed)).activity == book_fair

    def test_a_cancelled_activity_takes_no_check_in(self, book_fair, world):
        token = qr.make_token(book_fair)
        do_cancel_activity(book_fair, actor=world.user("community_a"), reason="暴雨")
        with pytest.raises(qr.CheckinTokenError, match="该活动已取消，无需签到。"):
            qr.read_token(token)

    def test_check_in_opens_an_hour_before_the_start(self, world, cast):
        activity = make_activity(world, starts_in=120)
        with pytest.raises(ValidationError, match="签到尚未开始"):
            do_check_in_with_token(qr.make_token(activity), user=cast.volunteer_user)
        assert not Participation.objects.exists()

    def test_the_qr_code_is_an_svg_and_a_png(self, book_fair):
        assert qr.qr_image("https://example.org/activities/c/x/").startswith(b"<?xml")
        assert qr.qr_image("https://example.org/", "png").startswith(b"\x89PNG")


class TestCheckIn:
    def test_a_signed_in_volunteer_checks_in_once(self, book_fair, cast):
        token = qr.make_token(book_fair)
        row, created = do_check_in_with_token(token, user=cast.volunteer_user)
        again, created_again = do_check_in_with_token(token, user=cast.volunteer_user)
        assert (created, created_again) == (True, False)
        assert again.pk == row.pk and again.checked_in_at == row.checked_in_at
        assert (row.status, row.source, row.checkin_method) == ("registered", "walk_in", "account")
        assert audit_rows(row).count() == 1

    def test_a_resident_checks_in_by_name_and_phone_suffix(self, book_fair, cast, world):
        signed = do_sign_up(book_fair, cast.residents[0], actor=world.user("community_a"))
        row, created = do_check_in_with_token(
            qr.make_token(book_fair), name=" 张桂英 ", phone_suffix="5678"
        )
        assert created and row.pk == signed.pk and row.checkin_method == "phone"
        event = audit_rows(row).latest("id")
        assert event.actor is None and event.actor_label == "居民（扫码签到）"
        assert event.changes["checked_in"] is True

    def test_a_resident_of_the_community_without_sign_up_is_a_walk_in(self, book_fair, cast):
        row, _ = do_check_in_with_token(qr.make_token(book_fair), name="赵明", phone_suffix="3333")
        assert row.person == cast.residents[3] and row.source == "walk_in"

    def test_it_tells_an_unknown_resident_what_to_do(self, book_fair, cast):
        with pytest.raises(ValidationError) as exc:
            do_check_in_with_token(qr.make_token(book_fair), name="张桂英", phone_suffix="0000")
        assert exc.value.messages == [
            "未找到您的报名或居民登记信息，请核对姓名和手机号码后四位，或请现场工作人员登记。"
        ]

    def test_a_resident_of_another_community_is_not_found(self, book_fair, world, resident_b):
        resident_b.set_phone("13300009999")
        resident_b.save()
        with pytest.raises(ValidationError, match="未找到您的报名"):
            do_check_in_with_token(qr.make_token(book_fair), name="李春生", phone_suffix="9999")

    def test_a_waiting_person_who_comes_is_present_and_registered(self, book_fair, cast, world):
        staff = world.user("community_a")
        rows = [do_sign_up(book_fair, p, actor=staff) for p in cast.residents[:3]]
        assert rows[2].status == "waitlisted"
        row, _ = do_check_in_with_token(
            qr.make_token(book_fair), name="王小红", phone_suffix="2222"
        )
        assert (row.pk, row.status, row.present) == (rows[2].pk, "registered", True)

    def test_staff_tick_and_untick_attendance(self, book_fair, cast, world):
        staff = world.user("community_a")
        do_sign_up(book_fair, cast.residents[0], actor=staff)
        row = do_set_attendance(book_fair, cast.residents[0], actor=staff, present=True)
        assert row.present and row.checkin_method == "staff" and row.checked_in_by == staff
        assert (
            do_set_attendance(book_fair, cast.residents[0], actor=staff, present=True).pk == row.pk
        )
        row = do_set_attendance(book_fair, cast.residents[0], actor=staff, present=False)
        assert not row.present
        assert [e.changes.get("checked_in") for e in audit_rows(row).order_by("id")][-2:] == [
            True,
            False,
        ]

    def test_an_organiser_account_may_tick_and_others_may_not(self, world, cast):
        from django.core.exceptions import PermissionDenied

        activity = make_activity(world, organisers=[cast.volunteer_user])
        row = do_set_attendance(
            activity, cast.residents[0], actor=cast.volunteer_user, present=True
        )
        assert row.present
        with pytest.raises(PermissionDenied, match="只有活动所在辖区的工作人员或活动组织人员"):
            do_set_attendance(
                activity, cast.residents[1], actor=world.user("grid_worker_a"), present=True
            )


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_check_ins_of_one_person_make_one_row(world):
    if _in_memory_sqlite():
        pytest.skip("in-memory SQLite cannot run concurrent writers; runs on PostgreSQL")
    from apps.core.testing.factories import PersonFactory

    PersonFactory(name="张桂英", place=world.household_a, secrets__phone="13812345678")
    token = qr.make_token(make_activity(world))
    barrier = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def check_in() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(do_check_in_with_token(token, name="张桂英", phone_suffix="5678")[1])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=check_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [False, True]
    assert Participation.objects.count() == 1
    row = Participation.objects.get()
    assert row.present and timezone.now() - row.checked_in_at < dt.timedelta(minutes=1)
