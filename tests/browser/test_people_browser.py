"""People pages in a real browser on a phone-sized screen: search by pinyin initials, open a
person, reveal the full phone number (audited); who sees the reveal button."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from apps.core.models import AuditEvent
from apps.core.testing.factories import PersonFactory, make_place
from apps.people.models import CareTag
from apps.places.choices import PlaceKind

PHONE = {"width": 390, "height": 844}
PASSWORD = "Gongzhi-test-2026"  # set by apps.core.testing.factories.make_user
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "people-phone.png"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def people_browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the test still touches the ORM.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(people_browser: Browser, live_server) -> Iterator[Page]:
    context = people_browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def residents(world, resident_a):
    # Live-server tests flush the database, seeded lists included.
    tag, _ = CareTag.objects.get_or_create(code="alone_elderly", defaults={"name": "独居老人"})
    resident_a.care_tags.add(tag)
    for i, name in enumerate(["王建国", "刘美华", "陈国栋", "周丽", "黄志强"]):
        household = make_place(PlaceKind.HOUSEHOLD, f"{102 + i}室", world.unit_a)
        PersonFactory(name=name, place=household)
    return resident_a


def test_it_searches_opens_and_reveals_on_a_phone(phone_page: Page, live_server, residents):
    page = phone_page
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/people/")
    expect(page.locator("table.people-list tbody tr")).to_have_count(6)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.fill("#id_initials", "zgy")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("table.people-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("138****5678")
    rows.first.get_by_role("link", name="张桂英").click()

    expect(page.locator("h1")).to_contain_text("张桂英")
    expect(page.locator("#value-phone")).to_contain_text("138****5678")
    page.locator("#value-phone button.reveal").click()
    expect(page.locator("#reveal-phone")).to_have_text("13812345678")
    assert AuditEvent.objects.filter(verb="reveal", object_id=str(residents.pk)).count() == 1


@pytest.mark.parametrize(("username", "shown"), [("grid_a", True), ("leader", False)])
def test_it_shows_the_reveal_button_only_to_roles_that_may(
    phone_page: Page, live_server, residents, username, shown
):
    page = phone_page
    log_in(page, live_server, username)
    page.goto(f"{live_server.url}/people/{residents.pk}/")
    expect(page.locator("h1")).to_contain_text("张桂英")
    expect(page.get_by_role("button", name="显示完整号码")).to_have_count(2 if shown else 0)
