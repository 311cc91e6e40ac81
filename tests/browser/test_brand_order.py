"""A resident's order answered by a volunteer through a service brand, every party on a phone:
the resident orders 助老服务 on the portal, community staff attribute it to 暖巢行动 from the
brand page and dispatch it to the brand's volunteer there, the volunteer claims, starts and
resolves it, and the brand's person-times go up."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.brands.actions import do_create_brand
from apps.brands.models import BrandOrder
from apps.cases.models import Case, Category
from apps.core.testing.factories import PersonFactory, make_user
from apps.volunteers.models import Volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phones(browser: Any) -> Iterator[Any]:
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
def brand(world):
    # Live-server tests flush the database, the seeded catalogue included.
    category = Category.objects.create(
        code="help-elderly", name="助老服务", default_level="community", materials="老人身份证"
    )
    person = PersonFactory(name="王芳", place=world.household_a)
    volunteer = Volunteer.objects.create(person=person)
    make_user("wangfang", Role.VOLUNTEER, world.community_a, person=person)
    return do_create_brand(
        actor=world.user("community_a"),
        name="暖巢行动",
        area=world.community_a,
        communities=[world.community_a],
        categories=[category],
        volunteers=[volunteer],
    )


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_a_residents_order_is_answered_through_a_brand(
    phones, live_server, login, world, brand, screenshot_dir
):
    url = live_server.url
    resident = phones()
    resident.goto(f"{url}/portal/?place={world.household_a.code}")
    resident.get_by_role("link", name="助老服务").click()
    resident.fill("#id_description", "老伴住院，家里老人一个人，想请人陪陪聊天")
    resident.fill("#id_name", "张阿姨")
    resident.fill("#id_phone", "13912345678")
    resident.click("#submit-report")
    expect(resident.locator("#timeline")).to_contain_text("已提交，等待受理")
    case = Case.objects.get()

    staff = phones()
    login(staff, live_server, "staff_a")
    staff.goto(f"{url}/brands/{brand.pk}/")
    expect(staff.locator("#fig-person-times")).to_have_text("0")
    candidate = staff.locator("form.candidate", has_text=case.number)
    candidate.locator("select[name=assignee]").select_option(label="王芳（wangfang）")
    assert_fits(staff)
    staff.screenshot(path=str(screenshot_dir / "brand-phone.png"), full_page=True)
    candidate.get_by_role("button", name="归入品牌").click()
    expect(staff.locator(".messages")).to_contain_text(f"工单 {case.number} 已归入“暖巢行动”")
    expect(staff.locator("#orders")).to_contain_text("已派单")
    assert BrandOrder.objects.get().case_id == case.pk

    volunteer = phones()
    login(volunteer, live_server, "wangfang")
    volunteer.goto(f"{url}/cases/mine/")
    order = volunteer.locator("article.order", has_text=case.number)
    order.get_by_role("button", name="接单").click()
    order = volunteer.locator("article.order", has_text=case.number)
    expect(order.locator(".status")).to_have_text("已接单")
    order.get_by_role("button", name="开始办理").click()
    order = volunteer.locator("article.order", has_text=case.number)
    expect(order.locator(".status")).to_have_text("办理中")
    volunteer.goto(f"{url}/cases/{case.pk}/")
    fold = volunteer.locator("details#resolve")
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()
    fold.locator("textarea[name=note]").fill("上门陪老人聊了一下午，量了血压")
    fold.locator("button[name=submit-resolve]").click()
    expect(volunteer.locator(".case-head .status")).to_have_text("已办结")

    staff.goto(f"{url}/brands/{brand.pk}/")
    expect(staff.locator("#fig-resolved")).to_have_text("1")
    expect(staff.locator("#fig-person-times")).to_have_text("1")
    staff.goto(f"{url}/brands/communities/")
    expect(staff.locator("#community-brands")).to_contain_text("暖巢行动")
    assert_fits(staff)


def test_a_survey_team_records_a_households_needs_on_a_phone(page, live_server, login, world):
    import datetime as dt

    from django.utils import timezone

    from apps.brands.actions import do_create_campaign
    from apps.brands.models import SurveyRecord

    # Live-server tests flush the database (the seeded catalogue too) after each test.
    service, _ = Category.objects.get_or_create(code="service", defaults={"name": "便民服务"})
    for code, name in (("elderly-care", "养老服务"), ("repairs", "水电维修")):
        Category.objects.update_or_create(code=code, defaults={"name": name, "parent": service})
    today = timezone.localdate()
    campaign = do_create_campaign(
        actor=world.user("community_a"),
        name="红门社区需求调研",
        area=world.community_a,
        start_date=today - dt.timedelta(days=3),
        end_date=today + dt.timedelta(days=3),
    )
    login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/brands/surveys/{campaign.pk}/")
    page.get_by_label("查找户").fill("101")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="101室").click()
    page.get_by_label("养老服务").check()
    page.locator(".need-row", has_text="养老服务").locator("input.persons").fill("2")
    page.get_by_label("水电维修").check()
    assert_fits(page)
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已登记101室的需求（2项）")
    expect(page.locator("#fig-persons")).to_have_text("3")
    assert_fits(page)
    record = SurveyRecord.objects.get()
    assert sorted((n.category.code, n.persons) for n in record.needs.all()) == [
        ("elderly-care", 2),
        ("repairs", 1),
    ]
