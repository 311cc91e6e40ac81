"""The leader's overview in a browser: open it, change the area and the month, see the
figures follow, click a figure and land on the cases behind it; the map picker and the
大屏 mode render their charts."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.cases.choices import Level
from apps.cases.models import Case, Category
from apps.cases.tests.helpers import make_case
from apps.stats.rollups import rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cases(world):
    # Live-server tests flush the database, seeded lists included.
    category, _ = Category.objects.update_or_create(
        code="repairs", defaults={"name": "水电维修", "default_level": Level.GRID}
    )
    this_month = [
        make_case(world, category=category, title="楼道灯不亮"),
        make_case(world, category=category, title="水管漏水"),
        make_case(
            world,
            category=category,
            title="将军社区路灯坏了",
            place=world.household_b,
            actor=world.user("outsider_b"),
        ),
    ]
    old = make_case(world, category=category, title="上月的井盖松动")
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=10)
    when = timezone.make_aware(dt.datetime.combine(last_month, dt.time(10)))
    Case.objects.filter(pk=old.pk).update(
        created_at=when,
        respond_by=when + dt.timedelta(days=1),
        resolve_by=when + dt.timedelta(days=5),
    )
    rebuild()  # the row was moved behind the rollups' back
    return this_month, old, last_month


def figure(page: Page, code: str) -> str:
    return page.locator(f"#figure-{code} .stat").inner_text().strip()


def test_the_leader_changes_area_and_month_and_clicks_through(
    desktop_page: Page, live_server, login, world, cases
):
    page = desktop_page
    _, old, last_month = cases
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/stats/")
    expect(page.locator("h1")).to_contain_text("兴国县")
    assert figure(page, "cases_total") == "3"
    # the charts are drawn (ECharts puts a canvas into each chart box)
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    expect(page.locator("#chart-ranking canvas")).to_have_count(1)

    # change the area: the town, then its community A
    page.select_option("#child", label="潋江镇")
    page.click("form.stats-filters button[type=submit]")
    expect(page.locator("h1")).to_contain_text("潋江镇")
    page.select_option("#child", label="红门社区")
    page.click("form.stats-filters button[type=submit]")
    expect(page.locator("h1")).to_contain_text("红门社区")
    assert figure(page, "cases_total") == "2"

    # change the month: last month holds the one moved case
    page.fill("#period", last_month.strftime("%Y-%m"))
    page.click("form.stats-filters button[type=submit]")
    expect(page.locator("h1")).to_contain_text(last_month.strftime("%Y-%m"))
    assert figure(page, "cases_total") == "1"

    # click the figure: the case list behind it
    page.click("#figure-cases_total .stat")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/cases/\?", page.url)
    body = page.locator("main").inner_text()
    assert "上月的井盖松动" in body
    assert "楼道灯不亮" not in body and "将军社区路灯坏了" not in body
    assert old.number in body or "上月的井盖松动" in body


def test_the_ranking_clicks_through_and_the_big_screen_renders(
    desktop_page: Page, live_server, login, world, cases
):
    page = desktop_page
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/stats/?place={world.town.pk}&rank=cases_total")
    first = page.locator("#ranking li").first
    expect(first).to_contain_text("红门社区")
    first.locator("a").nth(1).click()  # the value: the cases behind it
    page.wait_for_load_state("networkidle")
    body = page.locator("main").inner_text()
    assert "楼道灯不亮" in body and "水管漏水" in body and "将军社区路灯坏了" not in body

    page.goto(f"{live_server.url}/stats/?place={world.town.pk}&screen=big")
    expect(page.locator("body")).to_have_class(re.compile("bigscreen"))
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
