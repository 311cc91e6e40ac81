"""三员分立 through HTTP: where the audit and security administrators land, and that neither
opens the other's page (nor does the system administrator open either)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import PasswordHistory
from apps.core.testing.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Gongzhi-test-2026"


def _landing(username: str) -> tuple[Client, str]:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)
    return client, page.redirect_chain[-1][0]


def test_each_officer_lands_on_its_own_page_and_only_opens_it(world):
    make_user("auditor1", Role.AUDITOR, world.county)
    make_user("secadmin1", Role.SECURITY_ADMIN, world.county)
    auditor, landing = _landing("auditor1")
    assert landing == "/accounts/audit/"
    assert auditor.get("/accounts/security/").status_code == 403
    security, landing = _landing("secadmin1")
    assert landing == "/accounts/security/"
    assert security.get("/accounts/audit/").status_code == 403
    admin = Client()
    admin.force_login(world.user("admin"))
    assert admin.get("/accounts/security/").status_code == 403
    assert admin.get("/accounts/audit/").status_code == 403


def test_account_security_shows_second_factor_password_age_and_lock(world):
    officer = make_user("secadmin1", Role.SECURITY_ADMIN, world.county)
    staff = world.user("community_a")
    PasswordHistory.objects.filter(user=staff).update(
        created_at=timezone.now() - timedelta(days=120)
    )
    staff.locked_until = timezone.now() + timedelta(minutes=10)
    staff.save(update_fields=["locked_until"])
    client = Client()
    client.force_login(officer)
    text = client.get("/accounts/security/").content.decode()
    row = text[text.index(">staff_a<") :].split("</tr>", 1)[0]
    assert "已过期（120 天）" in row
    assert "已锁定" in row
    assert "未绑定" in row
