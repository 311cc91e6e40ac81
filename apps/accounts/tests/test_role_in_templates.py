"""Templates compare roles with the Role enum (apps.accounts.context_processors.roles): the
administrator's links show for the administrator and for nobody else."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_keys_link_shows_for_the_administrator_only(client_as):
    assert "接口密钥" in client_as("admin").get("/notifications/").content.decode()
    assert "接口密钥" not in client_as("community_a").get("/notifications/").content.decode()


def test_the_notification_channels_show_for_the_administrator_only(client_as):
    assert "通知渠道" in client_as("admin").get("/notifications/").content.decode()
    assert "通知渠道" not in client_as("community_a").get("/notifications/").content.decode()
