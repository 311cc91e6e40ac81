"""No default accounts in production (MLPS 2.0 level 3, issue 14): with GONGZHI_HTTPS=1 the
demo accounts make `check --deploy` fail and `gongzhi serve` refuse to start; without HTTPS the
demo runs as before."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from apps.accounts.choices import Role
from apps.core.management.commands import serve
from apps.core.testing.factories import make_user
from apps.demo.accounts import DEMO_PASSWORD
from apps.demo.checks import demo_accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(world):
    shared = make_password(DEMO_PASSWORD)  # as the demo makes them: one hash for all
    for name in ("grid07", "grid08"):
        user = make_user(name, Role.GRID_WORKER, world.grid_a)
        user.password = shared
        user.save()


@pytest.fixture
def never_serve(monkeypatch):
    served = []
    monkeypatch.setattr(serve.Command, "_serve", lambda self, *a: served.append(a))
    return served


def test_the_demo_accounts_are_found_by_their_shared_password(demo_users):
    assert demo_accounts() == ["grid07", "grid08"]


def test_a_known_name_with_the_demo_password_is_found_alone(world):
    admin = world.user("admin")
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    assert demo_accounts() == ["admin"]


def test_check_deploy_fails_over_https(settings, demo_users):
    settings.GONGZHI_HTTPS = True
    with pytest.raises(SystemCheckError, match=r"gongzhi\.E010"):
        call_command("check", deploy=True, tags=["gongzhi_demo"])
    settings.GONGZHI_HTTPS = False
    call_command("check", deploy=True, tags=["gongzhi_demo"])  # the plain-HTTP demo is fine


def test_serve_refuses_to_start_over_https(settings, demo_users, never_serve):
    settings.GONGZHI_HTTPS = True
    with pytest.raises(CommandError, match="不能有演示账号"):
        call_command("serve", no_migrate=True, demo_size="none")
    with pytest.raises(CommandError, match="不加载演示数据"):
        call_command("serve", no_migrate=True, demo_size="tiny")
    assert never_serve == []


def test_serve_starts_over_https_once_the_passwords_are_changed(settings, world, never_serve):
    settings.GONGZHI_HTTPS = True
    call_command("serve", no_migrate=True, demo_size="none")
    assert len(never_serve) == 1
