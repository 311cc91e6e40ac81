"""A street official at month's end, on a phone: asks for the monthly briefing, opens it on
the page (在线查看) and reads it without sideways scrolling of the page."""

import pytest
from playwright.sync_api import Page, expect

from apps.cases.choices import Level
from apps.cases.models import Category
from apps.cases.tests.helpers import make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_monthly_briefing_reads_on_a_phone(
    page: Page, live_server, login, world, screenshot_dir
):
    category, _ = Category.objects.update_or_create(
        code="repairs", defaults={"name": "水电维修", "default_level": Level.GRID}
    )
    make_case(world, category=category, title="楼道灯不亮")
    make_case(world, category=category, title="水管漏水")
    login(page, live_server, "town")
    page.goto(f"{live_server.url}/reports/")
    page.click("#request-button")
    link = page.get_by_role("link", name="在线查看").first
    expect(link).to_be_visible()
    link.click()
    expect(page.locator(".briefing h1")).to_contain_text("工作简报")
    expect(page.locator(".briefing h2").first).to_have_text("一、关键指标")
    expect(page.locator(".briefing svg.chart").first).to_be_visible()
    expect(page.get_by_role("link", name="下载 PDF")).to_be_visible()
    # the page itself never scrolls sideways; wide tables scroll inside their own box
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.screenshot(path=str(screenshot_dir / "briefing-phone.png"), full_page=False)
