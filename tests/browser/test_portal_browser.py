"""The closed loop in a real browser, every party on a phone-sized screen: a resident reports
through the portal, community staff accept and dispatch it from the inbox, a volunteer claims,
starts and resolves it, the resident rates it on the tracking page, and the KPIs move."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from apps.cases.choices import Status
from apps.cases.models import Case, Category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phones(browser: Any) -> Iterator[Any]:
    """`phones()` opens one more phone (its own cookies): one per person in the story."""
    contexts = []

    def open_phone() -> Page:
        context = browser.new_context(
            viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def category(world) -> Category:
    # Live-server tests flush the database, the seeded catalogue included.
    return Category.objects.create(
        code="help-elderly",
        name="助老服务",
        default_level="community",
        materials="老人身份证\n户口簿",
    )


def press(page: Page, action: str, note: str = "") -> None:
    """Open an action's fold on the case page, fill the note, confirm; wait for the panel."""
    fold = page.locator(f"details#{action}")
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()
    if note:
        fold.locator("textarea[name=note]").fill(note)
    fold.locator(f"button[name=submit-{action}]").click()


def test_it_runs_a_resident_report_round_the_loop(
    phones, live_server, login, world, category, screenshot_dir
):
    url = live_server.url
    resident = phones()
    resident.goto(f"{url}/portal/?place={world.household_a.code}")
    expect(resident.locator(".portal-place")).to_contain_text("101室")
    resident.get_by_role("link", name="助老服务").click()
    expect(resident.locator(".notice")).to_contain_text("户口簿")
    resident.fill("#id_description", "家里老人腿脚不便，想请人帮忙买药")
    resident.fill("#id_name", "张阿姨")
    resident.fill("#id_phone", "13912345678")
    resident.screenshot(path=str(screenshot_dir / "portal-phone.png"), full_page=True)
    resident.click("#submit-report")
    expect(resident.locator("#timeline")).to_contain_text("已提交，等待受理")
    tracking = resident.url
    case = Case.objects.get()
    assert tracking.endswith(f"/portal/t/{case.tracking_token}/")
    assert case.source == "portal"

    staff = phones()
    login(staff, live_server, "staff_a")
    staff.goto(f"{url}/cases/kpis/")
    expect(staff.locator("#kpi-satisfaction")).to_have_text("—")
    staff.goto(f"{url}/cases/")
    staff.get_by_role("link", name=case.number).click()
    expect(staff.locator(".case-head .status")).to_have_text("待受理")
    press(staff, "accept")
    expect(staff.locator(".case-head .status")).to_have_text("已受理")
    # Dispatched to nobody in particular (抢单): any handler of the community may claim it.
    press(staff, "dispatch", note="请志愿者帮忙")
    expect(staff.locator(".case-head .status")).to_have_text("已派单")

    volunteer = phones()
    login(volunteer, live_server, "vol_a")
    volunteer.goto(f"{url}/cases/mine/")
    order = volunteer.locator("article.order", has_text=case.number)
    order.get_by_role("button", name="接单").click()
    order = volunteer.locator("article.order", has_text=case.number)
    expect(order.locator(".status")).to_have_text("已接单")
    order.get_by_role("button", name="开始办理").click()
    order = volunteer.locator("article.order", has_text=case.number)
    expect(order.locator(".status")).to_have_text("办理中")
    volunteer.goto(f"{url}/cases/{case.pk}/")
    press(volunteer, "resolve", note="已代买降压药送到家")
    expect(volunteer.locator(".case-head .status")).to_have_text("已办结")

    resident.goto(tracking)
    expect(resident.locator("#timeline")).to_contain_text("已办结，请评价")
    expect(resident.locator("#timeline")).not_to_contain_text("vol_a")
    resident.get_by_label("满意", exact=True).check()
    resident.fill("#id_comment", "很及时，谢谢")
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.locator(".messages")).to_contain_text("感谢您的评价")
    expect(resident.locator("#timeline")).to_contain_text("您已评价")

    case.refresh_from_db()
    assert case.status == Status.EVALUATED and case.rating == "satisfied"
    staff.goto(f"{url}/cases/kpis/")
    expect(staff.locator("#kpi-satisfaction")).to_have_text("100%")
    expect(staff.locator("#kpi-resolution")).to_have_text("100%")
    expect(staff.locator("#kpi-by-source")).to_contain_text("居民自助")
