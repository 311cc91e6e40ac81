"""Community staff prepare a five-party meeting on a phone (390 px) from the proposed agenda,
record that it was held, and record a decision that re-dispatches the case to the grid worker."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.cases.models import Case
from apps.cases.tests.helpers import make_case, make_category, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def returned_case(world):
    vol = world.user("volunteer_a").pk
    return walk(
        make_case(world, title="楼道灯坏了", category=make_category("b-light")),
        world,
        ("accept", "community_a", None),
        ("dispatch", "community_a", {"assignee": vol}),
        ("claim", "volunteer_a", None),
        ("return", "volunteer_a", {"note": "缺少配件"}),
    )


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_it_prepares_a_meeting_and_records_a_decision_on_a_phone(
    page: Page, live_server, login, world, returned_case
):
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/meetings/new/")
    page.select_option("#id_place", str(world.community_a.pk))
    page.get_by_role("button", name="下一步：查看建议议题").click()
    proposals = page.locator("#proposal-groups")
    expect(proposals).to_contain_text(returned_case.number)
    expect(proposals).to_contain_text("已退单")
    assert_fits(page)
    # nothing is ticked by default: find the case and tick it (issue 20: grouped, searchable)
    page.fill("#proposal-search", returned_case.number)
    expect(page.locator("#proposal-count")).to_contain_text("找到 1 条")
    page.locator("li.proposal:visible input[name=proposals]").check()

    page.select_option("#id_kind", "five_party")
    page.fill("#id_title", "红门社区五方议事会")
    when = timezone.localtime() - dt.timedelta(minutes=30)
    page.fill("#id_starts_at", when.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_hand_items", "小区停车位规划")
    page.fill("#id_participants", "王建国 居民代表\n李梅 业委会主任")
    page.get_by_role("button", name="创建会议").click()
    expect(page.locator("h1")).to_contain_text("红门社区五方议事会")
    expect(page.locator("#meeting-status")).to_have_text("筹备中")
    expect(page.locator("ol.agenda > li")).to_have_count(2)
    assert_fits(page)

    form = page.locator("#hold-form")
    form.get_by_label("王建国 居民代表").check()
    form.get_by_label("李梅 业委会主任").check()
    page.fill("#id_minutes", "逐项讨论")
    page.get_by_role("button", name="登记召开").click()
    expect(page.locator("#meeting-status")).to_have_text("已召开")

    item = page.locator("ol.agenda > li").filter(has_text=returned_case.number)
    item.locator("summary").click()
    item.locator("textarea").fill("网格员三日内更换灯泡")
    item.locator("select[name$=owner]").select_option(str(world.user("grid_worker_a").pk))
    item.get_by_role("button", name="保存决定").click()
    item = page.locator("ol.agenda > li").filter(has_text=returned_case.number)
    expect(item.locator(".decision")).to_contain_text("网格员三日内更换灯泡")
    expect(page.locator(".messages")).to_contain_text("已登记决定")
    assert_fits(page)

    case = Case.objects.get(pk=returned_case.pk)
    assert case.status == "dispatched" and case.assignee == world.user("grid_worker_a")
    assert case.events.filter(action="meeting_decide").exists()
