"""A case's whole loop in a real browser on a phone-sized screen: staff registers a case,
accepts it and dispatches it with a suggestion; the volunteer claims, starts and resolves it
on 我的工单; the resident rates it by tracking token; the KPI page's figures move."""

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.cases.choices import Level, Status
from apps.cases.models import Case, Category
from apps.core.testing.factories import PersonFactory, make_user
from apps.people.models import Skill
from apps.volunteers.models import Volunteer

# `page` (390×844 phone), `browser`, `login` and the Chromium come from tests/browser/conftest.py.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def repairs(world):
    # Live-server tests flush the database, seeded lists included.
    skill, _ = Skill.objects.get_or_create(code="plumbing", defaults={"name": "水电维修"})
    person = PersonFactory(name="王师傅", place=world.household_a)
    volunteer = Volunteer.objects.create(person=person)
    volunteer.skills.add(skill)
    make_user("wang", Role.VOLUNTEER, world.community_a, person=person)
    category, _ = Category.objects.update_or_create(
        code="repairs",
        defaults={
            "name": "水电维修",
            "default_level": Level.GRID,
            "skill_codes": ["plumbing"],
            "materials": "报修位置\n故障照片",
        },
    )
    return category


def kpi(page: Page, live_server, figure: str) -> str:
    page.goto(f"{live_server.url}/cases/kpis/")
    return page.locator(f"#kpi-{figure}").inner_text().strip()


def test_it_walks_a_case_from_intake_to_rating_on_a_phone(
    page: Page, browser, live_server, login, world, repairs, screenshot_dir
):
    login(page, live_server, "grid_a")
    assert kpi(page, live_server, "resolved") == "0"
    assert kpi(page, live_server, "satisfaction") == "—"

    page.goto(f"{live_server.url}/cases/new/")
    page.select_option("#id_category", label="水电维修")
    page.fill("#id_title", "厨房水管漏水")
    page.fill("#id_description", "楼下天花板在渗水")
    page.fill("#id_place_code", world.household_a.code)
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator("h1")).to_contain_text("厨房水管漏水")
    expect(page.locator("h1")).to_contain_text("待受理")
    case = Case.objects.get(title="厨房水管漏水")

    page.locator("button[name=submit-accept]").click()
    expect(page.locator("h1")).to_contain_text("已受理")
    page.screenshot(path=str(screenshot_dir / "case-phone.png"), full_page=True)
    page.get_by_role("link", name="查看派单建议").click()
    suggestion = page.locator("li.suggestion").first
    expect(suggestion).to_contain_text("王师傅")
    expect(suggestion).to_contain_text("技能匹配：水电维修")
    suggestion.get_by_role("button", name="派给王师傅").click()
    expect(page.locator("h1")).to_contain_text("已派单")

    handler_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    phone = handler_context.new_page()
    login(phone, live_server, "wang")
    phone.goto(f"{live_server.url}/cases/mine/")
    order = phone.locator("article.order", has_text="厨房水管漏水")
    order.get_by_role("button", name="接单").click()
    order = phone.locator("article.order", has_text="厨房水管漏水")
    expect(order).to_contain_text("已接单")
    order.get_by_role("button", name="开始办理").click()
    order = phone.locator("article.order", has_text="厨房水管漏水")
    expect(order).to_contain_text("办理中")
    order.get_by_role("link", name="办结").click()
    phone.locator("details#resolve textarea[name=note]").fill("更换了三通阀，已不再渗水")
    phone.locator("button[name=submit-resolve]").click()
    expect(phone.locator("h1")).to_contain_text("已办结")
    handler_context.close()

    case.refresh_from_db()
    rated = page.request.post(
        f"{live_server.url}/api/v1/cases/track/{case.tracking_token}/rating",
        data={"rating": "satisfied", "comment": "师傅很负责"},
    )
    assert rated.status == 200, rated.text()
    assert rated.json()["status"] == Status.EVALUATED

    assert kpi(page, live_server, "resolved") == "1"
    assert kpi(page, live_server, "satisfaction") == "100%"
    page.locator("#kpi-satisfied").click()
    expect(page.locator("table.case-list tbody tr")).to_have_count(1)
    expect(page.locator("table.case-list")).to_contain_text("厨房水管漏水")
