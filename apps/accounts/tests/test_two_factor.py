"""Two factors for staff (MLPS 2.0 level 3, issue 14): password + TOTP (RFC 6238) for the
administrative roles, enrolment by QR code, single-use recovery codes, the same lockout as the
password, through /accounts/login/ and /admin/login/ alike; the plain-HTTP demo still logs in
with the password alone until an account enrols."""

import base64
import re
import time

import pyotp
import pytest

from apps.accounts import two_factor
from apps.accounts.actions import do_reset_two_factor
from apps.accounts.choices import Role
from apps.accounts.models import RecoveryCode, TotpDevice
from apps.core.models import AuditEvent
from apps.core.testing.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Gongzhi-test-2026"
LOCKED = "连续登录失败次数过多，账号已临时锁定"


def login(client, username, path="/accounts/login/", ip="10.0.0.1"):
    data = {"username": username, "password": PASSWORD}
    if path.startswith("/admin"):
        data["next"] = "/admin/"
    return client.post(path, data, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def enrol(client, username, path="/accounts/login/"):
    """Password, then the enrolment page: scan (read the key off the page), give a code."""
    response = login(client, username, path)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/setup/"
    page = client.get("/accounts/2fa/setup/").content.decode()
    assert "<svg" in page  # the QR code, drawn on the server
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    response = client.post("/accounts/2fa/setup/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.content.decode())
    return secret, codes


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True
    settings.TWO_FACTOR_ROLES = ["admin", "security_admin", "auditor", "county_leader"]


def test_an_admin_role_must_enrol_and_is_not_signed_in_before_the_code(client, world, required):
    secret, codes = enrol(client, "leader")
    assert signed_in(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    device = TotpDevice.objects.get(user=world.user("county_leader"))
    assert secret not in device.secret  # stored encrypted
    hashes = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not any(c in h for c in codes for h in hashes)  # only hashes are kept
    assert AuditEvent.objects.filter(verb="login", actor=world.user("county_leader")).count() == 1


def test_the_password_alone_does_not_sign_in_an_enrolled_account(client, world, required):
    secret, _ = enrol(client, "leader")
    client.logout()
    response = login(client, "leader")
    assert response["Location"] == "/accounts/2fa/"
    assert not signed_in(client)
    assert client.get("/").status_code == 302  # still sent to the login page
    # a code from the next time step (the enrolment used this one)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    response = client.post("/accounts/2fa/", {"code": code})
    assert response.status_code == 302 and signed_in(client)


def test_a_code_is_accepted_once(client, world, required):
    secret, _ = enrol(client, "leader")
    client.logout()
    code = pyotp.TOTP(secret).at(time.time() + 30)
    login(client, "leader")
    assert client.post("/accounts/2fa/", {"code": code}).status_code == 302
    client.logout()
    login(client, "leader")
    response = client.post("/accounts/2fa/", {"code": code})  # replayed
    assert "动态口令或恢复码不正确" in response.content.decode()
    assert not signed_in(client)


def test_a_recovery_code_works_once(client, world, required):
    _, codes = enrol(client, "leader")
    client.logout()
    login(client, "leader")
    assert client.post("/accounts/2fa/", {"code": codes[3].upper()}).status_code == 302
    client.logout()
    login(client, "leader")
    response = client.post("/accounts/2fa/", {"code": codes[3]})
    assert not signed_in(client) and "动态口令或恢复码不正确" in response.content.decode()
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1


def test_wrong_codes_share_the_password_lockout(client, world, required):
    enrol(client, "leader")
    client.logout()
    ip = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        client.post("/accounts/login/", {"username": "leader", "password": "wrong"}, **ip)
    login(client, "leader")
    for _ in range(2):
        client.post("/accounts/2fa/", {"code": "000000"}, **ip)
    response = client.post("/accounts/2fa/", {"code": "000000"}, **ip)  # the fifth failure
    assert LOCKED in response.content.decode()
    assert not signed_in(client)
    # the right password is held now, like after five wrong passwords
    assert LOCKED in login(client, "leader").content.decode()
    assert AuditEvent.objects.filter(verb="login_failed", object_repr="leader").count() >= 5


def test_the_admin_login_asks_for_the_second_factor_too(client, world, required):
    secret, _ = enrol(client, "admin", path="/admin/login/?next=/admin/")
    assert signed_in(client)
    client.logout()
    response = login(client, "admin", path="/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/2fa/" and not signed_in(client)
    response = client.post("/accounts/2fa/", {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_pending_login_expires(client, world, required, monkeypatch):
    secret, _ = enrol(client, "leader")
    client.logout()
    login(client, "leader")
    later = time.time() + two_factor.PENDING_SECONDS + 1
    monkeypatch.setattr(two_factor.time, "time", lambda: later)
    response = client.post("/accounts/2fa/", {"code": pyotp.TOTP(secret).at(later)})
    assert "登录已超时" in response.content.decode() and not signed_in(client)


def test_other_roles_and_the_plain_http_demo_use_the_password_alone(client, world, settings):
    assert login(client, "staff_a")["Location"] != "/accounts/2fa/"  # not an admin role
    assert signed_in(client)
    client.logout()
    settings.TWO_FACTOR_REQUIRED = False  # the default without GONGZHI_HTTPS
    response = login(client, "admin", path="/admin/login/?next=/admin/")
    assert response["Location"] == "/admin/" and signed_in(client)


def test_an_enrolled_account_gives_its_code_even_when_enrolment_is_not_required(
    client, world, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    login(client, "leader")
    client.get("/accounts/2fa/setup/")  # enrol of one's own accord, signed in
    page = client.get("/accounts/2fa/setup/").content.decode()
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    client.post("/accounts/2fa/setup/", {"code": pyotp.TOTP(secret).now()})
    client.logout()
    assert login(client, "leader")["Location"] == "/accounts/2fa/"


def test_only_a_security_admin_resets_a_second_factor(client, world, required):
    enrol(client, "leader")
    leader = world.user("county_leader")
    security = make_user("sec", Role.SECURITY_ADMIN, world.county, is_staff=True)
    with pytest.raises(Exception, match="只有安全保密管理员"):
        do_reset_two_factor(user=leader, actor=world.user("admin"))
    do_reset_two_factor(user=leader, actor=security)
    assert not TotpDevice.objects.filter(user=leader).exists()
    assert not RecoveryCode.objects.filter(user=leader).exists()
    assert AuditEvent.objects.filter(actor=security, changes__two_factor="reset").exists()
    client.logout()
    assert login(client, "leader")["Location"] == "/accounts/2fa/setup/"  # enrols again


def test_totp_matches_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits); 6 digits: the last six
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert two_factor.matching_step(secret, "287082", after=0, now=59) == 1
    assert two_factor.matching_step(secret, "287082", after=1, now=59) is None
