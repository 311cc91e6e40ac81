"""Issue 14 in a real browser on a phone: a county leader (no reveal right) sees a short mask and
the birth year only; the login page answers a locked account and an unknown name alike."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_sees_the_short_mask_and_the_birth_year(
    page: Page, live_server, login, resident_a
):
    resident_a.birth_date = dt.date(1945, 1, 1)
    resident_a.save(update_fields=["birth_date"])
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/people/{resident_a.pk}/")
    expect(page.locator("#value-id_number")).to_contain_text("3****************4")
    expect(page.locator("table.kv")).to_contain_text("1945年")
    expect(page.locator("table.kv")).not_to_contain_text("1945-01-01")
    expect(page.get_by_role("button", name="显示完整号码")).to_have_count(0)


def _try(page: Page, live_server, username: str) -> str:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "wrong-password")
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    return page.locator(".errorlist, .error, .errornote").first.inner_text()


def test_the_login_page_locks_known_and_unknown_names_alike(page: Page, live_server, world):
    known = [_try(page, live_server, "staff_a") for _ in range(5)]
    unknown = [_try(page, live_server, "nobody") for _ in range(5)]
    assert known == unknown
    assert "用户名或密码不正确" in known[0]
    assert "账号已临时锁定" in known[-1]
