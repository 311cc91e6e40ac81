"""三员分立 (MLPS 2.0 level 3, issue 14): the system administrator, the security administrator
and the auditor each do their own work in the admin and none of the others'."""

import pytest

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.testing import client_as
from apps.core.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio(world):
    return {
        "system": world.user("admin"),
        "security": make_user("sec", Role.SECURITY_ADMIN, world.county, is_staff=True),
        "auditor": make_user("aud", Role.AUDITOR, world.county, is_staff=True),
    }


def _change_url(user):
    return f"/admin/accounts/user/{user.pk}/change/"


def _post_user(client, target, **changes):
    data = {
        "username": target.username,
        "display_name": target.display_name,
        "role": target.role,
        "scope": target.scope_id,
        "is_active": "on",
        "failed_logins": target.failed_logins,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        **changes,
    }
    return client.post(_change_url(target), data)


def test_only_the_auditor_reads_the_audit_trail(world, trio):
    with audit_event(world):
        pass
    for name in ("system", "security"):
        response = client_as(trio[name]).get("/admin/core/auditevent/")
        assert response.status_code == 403, name
    response = client_as(trio["auditor"]).get("/admin/core/auditevent/")
    assert response.status_code == 200
    assert "审计测试" in response.content.decode()


def test_the_auditor_changes_no_account(world, trio):
    client = client_as(trio["auditor"])
    target = world.user("grid_worker_a")
    assert client.get("/admin/accounts/user/").status_code == 403
    _post_user(client, target, role=Role.COUNTY_LEADER)
    target.refresh_from_db()
    assert target.role == Role.GRID_WORKER


def test_the_system_admin_cannot_assign_roles(world, trio):
    client = client_as(trio["system"])
    target = world.user("grid_worker_a")
    page = client.get(_change_url(target)).content.decode()
    assert 'name="role"' not in page  # shown read-only
    _post_user(client, target, role=Role.COUNTY_LEADER, display_name="改名")
    target.refresh_from_db()
    assert target.role == Role.GRID_WORKER  # the role stays
    assert target.display_name == "改名"  # the account's own details are the admin's


def test_the_security_admin_assigns_roles_and_nothing_else(world, trio):
    client = client_as(trio["security"])
    target = world.user("grid_worker_a")
    page = client.get(_change_url(target)).content.decode()
    assert 'name="role"' in page and 'name="display_name"' not in page
    _post_user(client, target, role=Role.COMMUNITY_STAFF, display_name="改名")
    target.refresh_from_db()
    assert target.role == Role.COMMUNITY_STAFF
    assert target.display_name != "改名"
    # no new accounts, no password resets, no deletes
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.get(f"/admin/accounts/user/{target.pk}/password/").status_code == 403
    assert (
        client.post(f"/admin/accounts/user/{target.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert User.objects.filter(pk=target.pk).exists()


def test_the_security_admin_cannot_use_the_system_admins_other_pages(world, trio):
    client = client_as(trio["security"])
    assert client.get("/admin/places/place/").status_code == 403
    assert client.get("/accounts/apikeys/").status_code in (403, 404)


class audit_event:
    def __init__(self, world):
        self.world = world

    def __enter__(self):
        audit.record(
            actor=self.world.user("admin"),
            verb=AuditVerb.UPDATE,
            object_type="test",
            object_repr="审计测试",
            scope_path=self.world.county.path,
        )

    def __exit__(self, *exc):
        return False
