"""Browsing the place tree on a phone, down to a household, then its coverage."""

from datetime import date

import pytest

from apps.core.testing.factories import DutyFactory, PersonFactory
from apps.people.models import CareTag, PartyMember

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def household(world):
    head = PersonFactory(
        name="张桂英",
        place=world.household_a,
        relation="head",
        sex="F",
        birth_date=date(1941, 3, 2),
        secrets__phone="13812345678",
    )
    tag, _ = CareTag.objects.get_or_create(code="alone_elderly", defaults={"name": "独居老人"})
    head.care_tags.add(tag)
    PersonFactory(name="刘洋", place=world.household_a, relation="grandchild")
    member = PersonFactory(name="陈党员", place=world.grid_a)
    PartyMember.objects.create(person=member)
    worker = PersonFactory(name="王网格", place=world.grid_a)
    DutyFactory(person=worker, place=world.grid_a, kind="grid_worker")
    return world


def test_it_browses_down_to_a_household_on_a_phone(
    page, live_server, login, household, screenshot_dir
):
    world = household
    login(page, live_server, "leader")
    assert "/stats/" in page.url  # the leader lands on 数据总览; the area is under 基础信息
    page.goto(f"{live_server.url}/area/")
    assert page.locator("h1").inner_text().startswith("兴国县")
    for name in ["潋江镇", "红门社区", "红门第一网格", "幸福小区", "1栋", "1单元", "101室"]:
        page.get_by_role("link", name=name, exact=True).first.click()
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("h1").inner_text().startswith(name)
    body = page.locator("main").inner_text()
    assert "张桂英" in body and "独居老人" in body
    assert "138****5678" in body and "13812345678" not in body
    assert "王网格" in body  # the grid worker of the household's grid
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.screenshot(path=str(screenshot_dir / "household-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/duties/coverage/?place={world.community_a.pk}")
    assert "0 / 1" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="101室").count() == 1


def test_it_assigns_a_baolian_party_member_from_the_household_page(
    page, live_server, login, household
):
    world = household
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/places/{world.household_a.pk}/")
    assert "尚未落实包联" in page.locator("main").inner_text()
    page.select_option("#id_person", label="陈党员（" + _masked(world) + "）")
    page.get_by_role("button", name="安排", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    text = page.locator("main").inner_text()
    assert "已安排 陈党员 为包联" in text
    page.goto(f"{live_server.url}/duties/coverage/?place={world.community_a.pk}")
    assert "1 / 1" in page.locator("main").inner_text()


def test_it_searches_places_on_a_desktop(desktop_page, live_server, login, household):
    login(desktop_page, live_server, "staff_a")  # lands on the inbox (待我处理)
    desktop_page.goto(f"{live_server.url}/area/")
    desktop_page.fill("#place-q", "101")
    desktop_page.get_by_role("button", name="搜索").click()
    desktop_page.wait_for_load_state("domcontentloaded")
    assert desktop_page.get_by_role("link", name="101室").count() == 1


def _masked(world) -> str:
    from apps.people.models import Person

    return Person.objects.get(name="陈党员").phone_masked
