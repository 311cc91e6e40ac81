"""API keys: the command, the page, and the API accepting a key with its account's scope."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from apps.accounts.apikeys import do_create_api_key, hash_key, user_for_key
from apps.accounts.choices import Role
from apps.accounts.models import ApiKey, User
from apps.cases.actions import do_create_case
from apps.cases.models import Case, Category
from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


def key_of(output: str) -> str:
    return output.strip().splitlines()[-1]


@pytest.fixture
def category(db) -> Category:
    category, _ = Category.objects.update_or_create(
        code="test-keys", defaults={"name": "测试密钥类别", "default_level": "community"}
    )
    return category


def test_it_prints_the_key_once_and_stores_only_its_hash(world):
    output = run("create", "热线对接", "--scope", world.community_a.code)
    raw = key_of(output)
    assert raw.startswith("gz_") and len(raw) > 40
    key = ApiKey.objects.get()
    assert key.key_hash == hash_key(raw)
    assert raw[3:11] == key.prefix
    stored = json.dumps(list(ApiKey.objects.values()), default=str)
    assert raw not in stored
    assert key.user.username == f"api-{key.prefix.lower()}"
    assert key.user.role == Role.VOLUNTEER and key.user.scope == world.community_a
    assert not key.user.has_usable_password()
    listing = run("list")
    assert key.prefix in listing and raw not in listing
    assert AuditEvent.objects.filter(object_type="accounts.apikey", verb="create").count() == 1


def test_it_refuses_an_unknown_place_and_the_admin_role(world):
    with pytest.raises(CommandError, match="不存在"):
        run("create", "x", "--scope", "999999999999")
    with pytest.raises(CommandError):
        run("create", "x", "--scope", world.community_a.code, "--role", Role.ADMIN)
    assert not ApiKey.objects.exists()


def test_it_issues_a_key_for_an_existing_account(world):
    raw = key_of(run("create", "个人", "--user", "staff_a"))
    assert user_for_key(raw) == world.user("community_a")
    assert User.objects.filter(username__startswith="api-").count() == 0


def test_it_revokes_a_key(world):
    raw = key_of(run("create", "热线对接", "--scope", world.community_a.code))
    key = ApiKey.objects.get()
    assert user_for_key(raw) is not None
    assert "已吊销" in run("revoke", key.prefix)
    key.refresh_from_db()
    assert key.revoked_at is not None and not key.user.is_active
    assert user_for_key(raw) is None
    response = Client().get("/api/v1/cases/", HTTP_X_API_KEY=raw)
    assert response.status_code == 401
    assert AuditEvent.objects.filter(object_type="accounts.apikey", verb="update").count() == 1


def test_it_lets_the_api_act_with_the_keys_scope(world, category):
    raw = key_of(run("create", "热线对接", "--scope", world.community_a.code))
    client = Client()
    body = {"category": category.code, "place": world.household_a.pk, "title": "路灯不亮"}
    created = client.post(
        "/api/v1/cases/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert created.status_code == 201, created.content
    again = client.post(
        "/api/v1/cases/",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=raw,
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert Case.objects.count() == 1
    case_a = Case.objects.get()
    assert case_a.created_by.username.startswith("api-")
    assert client.get(f"/api/v1/cases/{case_a.pk}", HTTP_X_API_KEY=raw).status_code == 200
    outside = dict(body, place=world.household_b.pk)
    refused = client.post(
        "/api/v1/cases/", json.dumps(outside), content_type="application/json", HTTP_X_API_KEY=raw
    )
    assert refused.status_code == 422
    case_b, _ = do_create_case(
        actor=world.user("outsider_b"),
        category=category,
        place=world.household_b,
        title="将军路积水",
    )
    assert client.get(f"/api/v1/cases/{case_b.pk}", HTTP_X_API_KEY=raw).status_code == 404
    listed = client.get("/api/v1/cases/", HTTP_X_API_KEY=raw).json()["items"]
    assert [row["id"] for row in listed] == [case_a.pk]
    assert ApiKey.objects.get().last_used_at is not None


def test_it_answers_401_for_a_bad_or_missing_key(world):
    client = Client()
    assert client.get("/api/v1/cases/", HTTP_X_API_KEY="gz_nonsense").status_code == 401
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Bearer gz_nonsense").status_code == 401
    assert client.get("/api/v1/cases/").status_code == 401


def test_it_still_accepts_the_session(world):
    client = Client()
    client.force_login(world.user("community_a"))
    assert client.get("/api/v1/cases/").status_code == 200


def test_it_lets_an_admin_issue_and_revoke_keys_on_the_page(world):
    client = Client()
    client.force_login(world.user("admin"))
    assert client.get("/accounts/apikeys/").status_code == 200
    response = client.post(
        "/accounts/apikeys/",
        {"name": "网格通", "scope_code": world.community_a.code, "role": Role.GRID_WORKER},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = response.context["raw"]
    assert raw.encode() in response.content
    key = ApiKey.objects.get()
    assert key.created_by == world.user("admin") and key.user.role == Role.GRID_WORKER
    listing = client.get("/accounts/apikeys/")
    assert key.prefix.encode() in listing.content and raw.encode() not in listing.content
    revoked = client.post(f"/accounts/apikeys/{key.pk}/revoke/")
    assert revoked.status_code == 302
    assert user_for_key(raw) is None


def test_it_keeps_the_page_to_administrators_and_their_scope(world):
    client = Client()
    client.force_login(world.user("community_a"))
    assert client.get("/accounts/apikeys/").status_code == 403
    world.user("admin").scope = world.community_b
    world.user("admin").save()
    key, _ = do_create_api_key(name="A", scope=world.community_a, actor=None)
    client.force_login(world.user("admin"))
    page = client.get("/accounts/apikeys/")
    assert key.prefix.encode() not in page.content
    assert client.post(f"/accounts/apikeys/{key.pk}/revoke/").status_code == 404
    form = client.post(
        "/accounts/apikeys/",
        {"name": "x", "scope_code": world.community_a.code, "role": Role.VOLUNTEER},
    )
    assert "不在您的管辖范围内" in form.content.decode()
    assert ApiKey.objects.count() == 1


def test_a_verified_key_costs_no_query_until_its_account_or_key_changes(
    world, django_assert_num_queries
):
    raw = key_of(run("create", "热线对接", "--scope", world.community_a.code))
    key = ApiKey.objects.get()
    assert user_for_key(raw) == key.user  # read, cached, last use stamped
    with django_assert_num_queries(0):
        assert user_for_key(raw).role == Role.VOLUNTEER
    # A new role or scope counts from the next request, not after the cache expires.
    account = key.user
    account.role = Role.GRID_WORKER
    account.save()
    assert user_for_key(raw).role == Role.GRID_WORKER
    account.is_active = False
    account.save()
    assert user_for_key(raw) is None


def test_a_key_revoked_in_the_admin_stops_at_once(world):
    raw = key_of(run("create", "热线对接", "--scope", world.community_a.code))
    assert user_for_key(raw) is not None
    key = ApiKey.objects.get()
    key.revoked_at = key.created_at
    key.save()
    assert user_for_key(raw) is None


def test_last_use_is_written_at_most_once_a_minute(world, django_assert_num_queries):
    raw = key_of(run("create", "热线对接", "--scope", world.community_a.code))
    user_for_key(raw)
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    with django_assert_num_queries(0):
        for _ in range(5):
            user_for_key(raw)
    assert ApiKey.objects.get().last_used_at == first
