import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_answers_in_chinese_whatever_the_browser_prefers(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录共治" in response.content.decode()


def test_it_switches_to_english_when_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "en"
