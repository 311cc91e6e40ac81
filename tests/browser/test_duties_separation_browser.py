"""三员分立 on a phone (390 px): the audit administrator lands on the audit trail, the security
administrator on account security; each has its page in the menu and neither opens the other's."""

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.core.testing.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officers(world):
    return {
        "auditor": make_user("auditor1", Role.AUDITOR, world.county),
        "secadmin": make_user("secadmin1", Role.SECURITY_ADMIN, world.county),
    }


def _menu(page: Page) -> None:
    page.locator("label.nav-burger").click()  # the phone's menu


def test_the_auditor_lands_on_the_audit_trail_and_not_on_account_security(
    page: Page, live_server, login, officers
):
    assert page.viewport_size["width"] == 390
    login(page, live_server, "auditor1")
    assert page.url.endswith("/accounts/audit/")
    expect(page.locator("h1")).to_have_text("审计记录")
    expect(page.locator("main")).to_contain_text("审计链校验：完整")
    _menu(page)
    expect(page.get_by_role("link", name="审计记录")).to_be_visible()
    expect(page.get_by_role("link", name="账号安全")).to_have_count(0)
    answer = page.goto(f"{live_server.url}/accounts/security/")
    assert answer is not None and answer.status == 403


def test_the_security_admin_lands_on_account_security_and_not_on_the_audit_trail(
    page: Page, live_server, login, officers
):
    login(page, live_server, "secadmin1")
    assert page.url.endswith("/accounts/security/")
    expect(page.locator("h1")).to_have_text("账号安全")
    row = page.locator("tr", has_text="auditor1")
    expect(row).to_contain_text("安全审计员")
    expect(row).to_contain_text("未绑定")
    expect(row).to_contain_text("0 天")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    _menu(page)
    expect(page.get_by_role("link", name="账号安全")).to_be_visible()
    expect(page.get_by_role("link", name="审计记录")).to_have_count(0)
    answer = page.goto(f"{live_server.url}/accounts/audit/")
    assert answer is not None and answer.status == 403
