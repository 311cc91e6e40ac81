"""Error pages speak Chinese: a missing or out-of-scope record, a refusal, an expired form."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_missing_or_out_of_scope_case_is_a_chinese_404(world):
    client = Client()
    client.force_login(world.user("community_a"))
    response = client.get("/cases/999999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "未找到该页面或记录" in page and "不在您的管辖范围内" in page
    assert "Not Found" not in page


def test_an_expired_form_is_a_chinese_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("community_a"))
    response = client.post("/cases/new/", {"title": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page and "没有保存" in page
    assert "Forbidden" not in page


def test_a_refused_page_is_a_chinese_403(world):
    client = Client()
    client.force_login(world.user("volunteer_a"))
    response = client.get("/accounts/apikeys/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "您没有权限执行此操作" in page and "Forbidden" not in page


def test_the_500_page_needs_nothing_but_itself():
    """Rendered by Django without a request context (the database may be what failed)."""
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "系统出错了" in page and "已保存的数据不会丢失" in page and "{%" not in page
