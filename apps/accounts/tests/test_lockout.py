"""One lockout for every way in (issue 14, item 2): /admin/login/ and /accounts/login/ share
the counters; holds are per address and account, per address, and per account; unknown names
get the same answers as real ones; every hold lifts by itself."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Gongzhi-test-2026"
LOCKED = "连续登录失败次数过多，账号已临时锁定"
WRONG = "用户名或密码不正确"


def accounts_login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def admin_login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def errors(response) -> str:
    html = response.content.decode()
    start = html.find('class="errorlist')
    return html[start : html.find("</ul>", start)] if start >= 0 else ""


def test_the_admin_login_is_locked_after_five_failures(client, world):
    for _ in range(4):
        assert WRONG in admin_login(client, "admin", "wrong").content.decode()
    assert LOCKED in admin_login(client, "admin", "wrong").content.decode()  # the fifth
    response = admin_login(client, "admin", PASSWORD)  # the right password, but held
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_and_staff_login_failures_share_one_counter(client, world):
    for _ in range(3):
        admin_login(client, "admin", "wrong")
    for _ in range(2):
        accounts_login(client, "admin", "wrong")
    assert LOCKED in accounts_login(client, "admin", PASSWORD).content.decode()
    assert AuditEvent.objects.filter(verb="login_failed", object_repr="admin").count() == 6


def test_a_successful_admin_login_is_audited(client, world):
    response = admin_login(client, "admin", PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="login", actor=world.user("admin")).count() == 1


def test_unknown_and_known_names_get_the_same_answers(client, world):
    known = [errors(accounts_login(client, "staff_a", "wrong", ip="10.0.0.2")) for _ in range(6)]
    unknown = [errors(accounts_login(client, "nobody", "wrong", ip="10.0.0.3")) for _ in range(6)]
    assert known == unknown
    assert WRONG in known[0] and LOCKED in known[-1]


def test_an_attacker_cannot_lock_the_account_for_its_owner(client, world):
    for _ in range(60):  # past every limit: held attempts are not counted
        accounts_login(client, "staff_a", "wrong", ip="203.0.113.9")
    assert LOCKED in accounts_login(client, "staff_a", PASSWORD, ip="203.0.113.9").content.decode()
    owner = accounts_login(client, "staff_a", PASSWORD, ip="10.1.2.3")
    assert owner.status_code == 302


def test_one_address_spraying_many_names_is_held_off_all_of_them(client, world, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 8
    for n in range(8):
        accounts_login(client, f"guess{n}", "wrong", ip="198.51.100.7")
    held = accounts_login(client, "staff_a", PASSWORD, ip="198.51.100.7")
    assert LOCKED in held.content.decode()
    assert accounts_login(client, "staff_a", PASSWORD, ip="10.9.9.9").status_code == 302


def test_a_spread_attack_locks_the_account_and_the_lock_decays(client, world, settings):
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 12
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(12):
            accounts_login(client, "staff_a", "wrong", ip=f"192.0.2.{n % 4 + 1}")
        fresh = accounts_login(client, "staff_a", PASSWORD, ip="10.7.7.7")
        assert LOCKED in fresh.content.decode()
        user = world.user("community_a")
        user.refresh_from_db()
        assert user.locked_until is not None
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert accounts_login(client, "staff_a", PASSWORD, ip="10.7.7.7").status_code == 302


def test_failures_decay_so_a_mistype_a_day_never_locks(client, world):
    start = timezone.now()
    for day in range(7):
        with time_machine.travel(start + timedelta(hours=day), tick=False):
            accounts_login(client, "staff_a", "wrong")
    assert accounts_login(client, "staff_a", PASSWORD).status_code == 302
