"""`gongzhi serve` loads the demo county through `gongzhi demo --if-empty`: on an empty database
it loads and lists one login per role; on a loaded one it loads nothing and lists them again."""

import io
from unittest import mock

import pytest
from django.core.management import call_command

from apps.places.choices import PlaceKind
from apps.places.models import Place

pytestmark = pytest.mark.django_db


def _serve(*args):
    out = io.StringIO()
    with mock.patch("apps.core.management.commands.serve.Command._serve") as served:
        call_command("serve", "--no-migrate", *args, stdout=out)
    served.assert_called_once()
    return out.getvalue()


def test_serve_loads_the_demo_county_once_and_lists_the_logins():
    first = _serve("--demo-size", "tiny")
    assert "演示县已加载。" in first and "演示账号（密码均为" in first
    second = _serve("--demo-size", "tiny")
    assert "演示县已加载。" not in second and "演示账号（密码均为" in second
    assert Place.objects.filter(kind=PlaceKind.COUNTY).count() == 1


def test_serve_with_demo_size_none_loads_nothing():
    assert "演示账号" not in _serve("--demo-size", "none")
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    ("proxies", "passed_on"), [([], None), (["127.0.0.1"], False)], ids=["direct", "proxied"]
)
def test_serve_hands_the_proxy_headers_on_only_behind_a_trusted_proxy(settings, proxies, passed_on):
    from apps.core.management.commands.serve import Command

    settings.GONGZHI_TRUSTED_PROXIES = proxies
    with (
        mock.patch("waitress.serve") as serve,
        mock.patch("apps.core.tasks.start_background"),
    ):
        Command(stdout=io.StringIO())._serve("127.0.0.1", 8000, 4)
    assert serve.call_args.kwargs.get("clear_untrusted_proxy_headers") is passed_on
