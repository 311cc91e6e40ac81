"""Password policy (MLPS 2.0 level 3, identity), through HTTP: complexity, no reuse of the last
five passwords, expiry after GONGZHI_PASSWORD_MAX_AGE_DAYS (apps/accounts/passwords.py)."""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import PasswordHistory
from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Gongzhi-test-2026"  # apps/core/testing/factories.make_user
CHANGE = "/accounts/password/"


def _login(client, username="staff_a", password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _change(client, old, new):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def _age(user, days):
    PasswordHistory.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def test_a_password_of_one_kind_of_character_is_refused(client, world):
    _login(client)
    response = _change(client, PASSWORD, "abcdefghijkmnop")
    assert response.status_code == 200
    assert "密码须包含大写字母、小写字母、数字、符号中的至少3类" in response.content.decode()
    user = world.user("community_a")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_good_password_is_changed_and_audited(client, world):
    _login(client)
    response = _change(client, PASSWORD, "Hongmen#Lane-2027")
    assert response.status_code == 302
    user = world.user("community_a")
    user.refresh_from_db()
    assert user.check_password("Hongmen#Lane-2027")
    event = AuditEvent.objects.get(verb="update", object_id=str(user.pk))
    assert event.changes == {"password": "已修改"}
    assert client.get("/cases/").status_code == 200  # still signed in


def test_none_of_the_last_five_passwords_comes_back(client, world):
    _login(client)
    used = [PASSWORD] + [f"Hongmen#Lane-{year}" for year in range(2027, 2032)]
    for old, new in itertools.pairwise(used):
        assert _change(client, old, new).status_code == 302, new
    current = used[-1]
    for again in used[1:]:  # the five newest, the current one included
        response = _change(client, current, again)
        assert "新密码不能与最近5次使用过的密码相同" in response.content.decode(), again
    assert PasswordHistory.objects.filter(user=world.user("community_a")).count() == 5
    # the sixth back has left the history: allowed again
    assert _change(client, current, PASSWORD).status_code == 302


def test_an_expired_password_allows_nothing_but_changing_it(client, world):
    user = world.user("community_a")
    _age(user, 91)
    response = _login(client)
    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True)
    assert landing.redirect_chain[-1][0] == CHANGE
    assert "您的密码已超过 90 天未修改，请先修改密码再继续使用" in landing.content.decode()
    for page in ("/cases/", "/people/", "/accounts/audit/", "/"):
        answer = client.get(page)
        assert answer.status_code == 302 and answer["Location"] == CHANGE, page
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403
    assert "请先修改密码" in api.json()["detail"]

    assert _change(client, PASSWORD, "Hongmen#Lane-2027").status_code == 302
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200


def test_a_password_within_its_age_is_not_asked_for(client, world, settings):
    _age(world.user("community_a"), 89)
    _login(client)
    assert client.get("/cases/").status_code == 200
    settings.PASSWORD_MAX_AGE_DAYS = 0  # expiry switched off
    _age(world.user("community_a"), 4000)
    client.logout()
    _login(client)
    assert client.get("/cases/").status_code == 200
