"""A county leader's day, on a 390 px phone and at 1366 px, with the clock frozen on Sunday
2026-12-06 10:00 (issue 20, items 7, 12 and 14):

log in → the overview, whose 超期未办 card agrees with the 红灯 list (the same cases) and whose
较上月同期 compares 1–6 December with 1–6 November → the overdue cases (status badges on one
line at 1366 px) → a town meeting prepared from the grouped, searchable agenda, held and
decided (the page says beforehand who may decide what) → the month's briefing generated and
opened, with the same 超期未办 figure. No page scrolls sideways. Screenshots go to
GONGZHI_SCREENSHOTS (docs/screenshots/ with `make screenshots`)."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from apps.cases.models import Case, Category
from apps.cases.tests.helpers import make_case
from apps.meetings.models import AgendaItem, Meeting
from apps.stats.rollups import rebuild

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.frozen_clock("2026-12-06 10:00"),
]

OVERDUE = ("路灯坏了十多天", "楼道堆物没人管", "下水道反味")


@pytest.fixture
def county(frozen_clock, world) -> dict[str, Any]:
    """Two cases on 1–6 November, three later in November now overdue, two at the end of
    November, three in December (answered in time): the rollups rebuilt."""
    category = Category.objects.create(
        code="facilities", name="设施报修", default_level="community"
    )
    now = frozen_clock.moment

    def at(day: dt.datetime, title: str, overdue: bool = False) -> Case:
        case = make_case(world, title=title, category=category, place=world.household_a)
        Case.objects.filter(pk=case.pk).update(
            created_at=day,
            respond_by=day + dt.timedelta(hours=24),
            responded_at=None if overdue else day + dt.timedelta(hours=2),
            resolve_by=day + dt.timedelta(days=5 if overdue else 60),
        )
        return case

    nov = [dt.datetime(2026, 11, d, 9, tzinfo=now.tzinfo) for d in (2, 5, 22, 25)]
    for i, day in enumerate(nov):
        at(day, f"十一月事项{i}")
    late = [
        at(dt.datetime(2026, 11, d, 9, tzinfo=now.tzinfo), title, overdue=True)
        for d, title in zip((12, 15, 20), OVERDUE, strict=True)
    ]
    for d in (1, 3, 5):
        at(dt.datetime(2026, 12, d, 9, tzinfo=now.tzinfo), f"十二月事项{d}")
    rebuild()
    return {"late": late, "now": now}


@pytest.fixture
def wide_page(browser: Any, frozen_clock) -> Iterator[Page]:
    """A 1366×768 desktop page (the leader's office screen), on the frozen clock."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    frozen_clock.set_browser_clock(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


def badges_on_one_line(page: Page) -> None:
    wrapped = page.evaluate(
        """() => [...document.querySelectorAll('.status, .tag')].filter(el => {
            const style = getComputedStyle(el);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
            return el.getClientRects().length > 1 || el.getBoundingClientRect().height > line * 1.5;
        }).map(el => el.textContent)"""
    )
    assert wrapped == [], f"badges wrap on {page.url}: {wrapped}"


def journey(
    page: Page, live_server: Any, login: Any, world: Any, county: dict, shots: Any, tag: str
):
    width = page.viewport_size["width"] if page.viewport_size else 390
    login(page, live_server, "leader")

    # the overview: 超期未办 is the red list, 较上月同期 the same days of November
    page.goto(f"{live_server.url}/stats/?place={world.county.pk}")
    card = page.locator("#figure-overdue")
    expect(card.locator(".stat")).to_have_text("3")
    expect(card).to_contain_text("截至此刻")
    red = page.locator("#overdue li")
    expect(red).to_have_count(3)
    for title in OVERDUE:
        expect(page.locator("#overdue")).to_contain_text(title)
    expect(page.locator("#figure-cases_total .stat")).to_have_text("3")
    expect(page.locator("#figure-cases_total")).to_contain_text("较上月同期 +1")
    expect(page.locator("#compare-note")).to_contain_text("12月1日至6日，对比上月11月1日至6日")
    fits(page, width)
    page.screenshot(path=str(shots / f"leader-overview-{tag}.png"), full_page=True)

    # the full overdue list behind the card: the same three, badges on one line
    page.get_by_role("link", name="全部超期事项").click()
    for title in OVERDUE:
        expect(page.locator("main")).to_contain_text(title)
    fits(page, width)
    if width >= 1366:
        badges_on_one_line(page)

    # a town meeting on the overdue cases: grouped, searchable agenda
    page.goto(f"{live_server.url}/meetings/new/?place={world.town.pk}")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"the new-meeting page is {height} px tall"
    page.select_option("#id_kind", "joint")
    page.fill("#id_title", "潋江镇联席会议")
    start = county["now"] - dt.timedelta(hours=1)
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#proposal-search", OVERDUE[0])
    expect(page.locator("#proposal-count")).to_contain_text("找到 1 条")
    visible = page.locator("li.proposal:visible")
    expect(visible).to_have_count(1)
    visible.locator("input[name=proposals]").check()
    page.fill("#id_participants", "王建国 居民代表\n李梅 社区书记")
    fits(page, width)
    page.get_by_role("button", name="创建会议").click()
    expect(page.locator("h1")).to_contain_text("潋江镇联席会议")
    expect(page.locator("#authority")).to_contain_text("本会议可以决定由潋江镇范围内单位承办的事项")

    form = page.locator("#hold-form")
    form.get_by_label("王建国 居民代表").check()
    form.get_by_label("李梅 社区书记").check()
    page.get_by_role("button", name="登记召开").click()
    expect(page.locator("#meeting-status")).to_have_text("已召开")

    item = page.locator("ol.agenda > li").first
    item.locator("summary").click()
    item.locator("textarea").fill("网格员三日内处理，社区督办")
    item.locator("select[name$=owner]").select_option(str(world.user("grid_worker_a").pk))
    item.get_by_role("button", name="保存决定").click()
    expect(page.locator(".messages")).to_contain_text("已登记决定")
    expect(page.locator("ol.agenda > li").first.locator(".decision")).to_contain_text(
        "网格员三日内处理"
    )
    fits(page, width)
    page.screenshot(path=str(shots / f"leader-meeting-{tag}.png"), full_page=True)
    meeting = Meeting.objects.get(title="潋江镇联席会议")
    decided = AgendaItem.objects.get(meeting=meeting)
    assert decided.decided_at is not None and decided.applied["decided"]

    # the month's briefing, generated and opened: the same 超期未办
    page.goto(f"{live_server.url}/reports/")
    page.select_option("#req-place", str(world.county.pk))
    page.fill("#req-period", "2026-12")
    # generated at once in tests (PDF with embedded fonts: slow on a loaded machine)
    page.locator("#request-button").click(timeout=120_000)
    page.get_by_role("link", name="在线查看").first.click()
    briefing = page.locator("article.briefing")
    expect(briefing).to_contain_text("较上月同期")
    row = briefing.locator("tr", has_text="超期未办").first
    expect(row.locator("td.num").first).to_contain_text("3")
    expect(briefing).to_contain_text("四、超期未办事项（3 件")
    fits(page, width)
    page.screenshot(path=str(shots / f"leader-briefing-{tag}.png"), full_page=True)


def test_the_leaders_day_on_a_phone(
    frozen_clock, county, page: Page, live_server, login, world, screenshot_dir
):
    journey(page, live_server, login, world, county, screenshot_dir, "phone")


def test_the_leaders_day_at_1366(
    frozen_clock, county, wide_page: Page, live_server, login, world, screenshot_dir
):
    journey(wide_page, live_server, login, world, county, screenshot_dir, "desktop")
