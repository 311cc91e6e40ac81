import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_answers_in_chinese_whatever_the_browser_prefers(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录共治" in response.content.decode()


def test_a_stale_english_cookie_falls_back_to_chinese(client, settings):
    """The English switch translated nothing and was removed (issue 20): a cookie left from
    it changes nothing."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "zh-hans"
    assert "登录共治" in response.content.decode()
