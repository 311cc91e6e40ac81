"""People pages in a real browser on a phone-sized screen: search by pinyin initials, open a
person, reveal the full phone number (audited); who sees the reveal button."""

import pytest
from playwright.sync_api import Page, expect

from apps.core.models import AuditEvent
from apps.core.testing.factories import PersonFactory, make_place
from apps.people.models import CareTag
from apps.places.choices import PlaceKind

# `page` (390×844 phone), `login` and the Chromium come from tests/browser/conftest.py.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def residents(world, resident_a):
    # Live-server tests flush the database, seeded lists included.
    tag, _ = CareTag.objects.get_or_create(code="alone_elderly", defaults={"name": "独居老人"})
    resident_a.care_tags.add(tag)
    for i, name in enumerate(["王建国", "刘美华", "陈国栋", "周丽", "黄志强"]):
        household = make_place(PlaceKind.HOUSEHOLD, f"{102 + i}室", world.unit_a)
        PersonFactory(name=name, place=household)
    return resident_a


def test_it_searches_opens_and_reveals_on_a_phone(
    page: Page, live_server, login, residents, screenshot_dir
):
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/people/")
    expect(page.locator("table.people-list tbody tr")).to_have_count(6)
    page.screenshot(path=str(screenshot_dir / "people-phone.png"), full_page=True)

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
    page: Page, live_server, login, residents, username, shown
):
    login(page, live_server, username)
    page.goto(f"{live_server.url}/people/{residents.pk}/")
    expect(page.locator("h1")).to_contain_text("张桂英")
    expect(page.get_by_role("button", name="显示完整号码")).to_have_count(2 if shown else 0)
