"""The staff's day on a 390 px phone (issue 20, items 5, 6, 8 and 9), one journey per role:

- the party member logs in, lands on 今日任务 (not a place table), sees each household once with
  compound · building · unit · room, the head of the household and the care tags that make it
  重点 (next week's round under its own heading), and records a visit;
- the grid worker lands on 今日任务 with the case dispatched to them, and claims it;
- the community secretary lands on 待我处理 (overdue first, nothing archived) under today's
  figures, opens 更多条件 without squeezing the filters, accepts a case, reveals the phone of a
  suggested volunteer without an account (tel: link, audited), dispatches to another, sees that
  a case routed to the street is not theirs to act on, and gets an explained batch dispatch.

Every page fits the phone (no sideways scroll). The clock is frozen (`frozen_clock`): the
rounds and deadlines are computed from it, so the journeys pass on any day and hour."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.cases.choices import CaseKind, Level, Status
from apps.cases.models import Case, Category
from apps.cases.tests.helpers import make_case, walk
from apps.core.models import AuditEvent
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.people.models import CareTag, Skill
from apps.places.choices import PlaceKind
from apps.visits.actions import do_create_plan, do_generate_cycle
from apps.visits.models import VisitRecord
from apps.volunteers.models import Volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def assert_fits(page: Page, width: int = 390) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px screen"


def shot(page: Page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / name), full_page=True)


@pytest.fixture
def day(frozen_clock, world):
    """Community A on the frozen day: a weekly round on today's weekday (this week's cycle and
    next week's generated), a party member with two households of two buildings (both "101室"),
    a grid worker with a person and a patrol, and the secretary's cases."""
    today = frozen_clock.today
    repairs, _ = Category.objects.update_or_create(
        code="repairs",
        defaults={
            "name": "水电维修",
            "default_level": Level.COMMUNITY,
            "skill_codes": ["plumbing"],
            "active": True,
        },
    )
    plumbing, _ = Skill.objects.get_or_create(code="plumbing", defaults={"name": "水电维修"})
    lonely, _ = CareTag.objects.get_or_create(name="独居老人", defaults={"code": "lonely"})
    CareTag.objects.filter(pk=lonely.pk).update(weight=30, active=True)
    building_2 = make_place(PlaceKind.BUILDING, "2栋", world.compound_a)
    unit_21 = make_place(PlaceKind.UNIT, "1单元", building_2)
    h_2_101 = make_place(PlaceKind.HOUSEHOLD, "101室", unit_21)
    head = PersonFactory(name="张桂英", place=world.household_a, relation="head")
    head.care_tags.add(lonely)
    PersonFactory(name="赵大山", place=h_2_101, relation="head")

    member = PersonFactory(name="刘党员", place=world.household_a)
    make_user("party_a", Role.PARTY_MEMBER, world.community_a, person=member)
    for household in (world.household_a, h_2_101):
        DutyFactory(person=member, place=household, kind="baolian")
    staff = world.user("community_a")
    plan = do_create_plan(
        actor=staff,
        name="每周入户",
        kind="household",
        scope=world.community_a,
        rule=f"FREQ=WEEKLY;BYDAY={WEEKDAYS[today.weekday()]}",
        start_date=dt.date(2025, 1, 1),
        duty_kinds=["baolian"],
        checklist=["政策宣传", "民意记录"],
        window_days=6,
    )
    do_generate_cycle(plan, today)
    do_generate_cycle(plan, today + dt.timedelta(days=7))

    gridder = world.user("grid_worker_a")
    gridder.person = PersonFactory(name="吴网格", place=world.grid_a)
    gridder.save(update_fields=["person"])
    DutyFactory(person=gridder.person, place=world.grid_a, kind="grid_worker")
    patrol = do_create_plan(
        actor=staff,
        name="网格巡查",
        kind="hazard",
        scope=world.community_a,
        rule="FREQ=DAILY",
        start_date=dt.date(2025, 1, 1),
        duty_kinds=["grid_worker"],
        checklist=["消防通道"],
        window_days=1,
    )
    do_generate_cycle(patrol, today)

    # The secretary's cases: one overdue, one new (水管漏水, to accept and dispatch), one
    # archived in August with the oldest deadline, one routed to the street, and one
    # dispatched to the grid worker.
    late = make_case(world, title="楼道堆物超期未处理", category=repairs)
    Case.objects.filter(pk=late.pk).update(respond_by=frozen_clock.moment - dt.timedelta(days=2))
    leak = make_case(world, title="厨房水管漏水", category=repairs)
    archived = make_case(world, title="八月已归档的事", category=repairs)
    Case.objects.filter(pk=archived.pk).update(
        status=Status.CLOSED, resolve_by=frozen_clock.moment - dt.timedelta(days=120)
    )
    street = walk(
        make_case(world, title="主干道路灯不亮", category=repairs),
        world,
        ("escalate", "community_a", None),
    )
    for_gridder = walk(
        make_case(world, title="井盖松动", category=repairs),
        world,
        ("accept", "community_a", None),
        ("dispatch", "community_a", {"assignee": gridder.pk}),
    )
    # Suggested handlers of 厨房水管漏水: a plumber without an account, one with an account.
    wang = PersonFactory(name="王师傅", place=world.household_a, secrets__phone="13900001111")
    Volunteer.objects.create(person=wang).skills.add(plumbing)
    li = PersonFactory(name="李师傅", place=world.household_a)
    Volunteer.objects.create(person=li).skills.add(plumbing)
    make_user("li_v", Role.VOLUNTEER, world.community_a, person=li)
    # A 点单 still 待受理: the batch has nothing ready to dispatch, and must say so.
    make_case(world, title="帮忙换灯泡", category=repairs, kind=CaseKind.SERVICE_ORDER)
    return {
        "h_2_101": h_2_101,
        "leak": leak,
        "street": street,
        "for_gridder": for_gridder,
        "wang": wang,
    }


def test_the_party_members_day(frozen_clock, page: Page, live_server, login, day, screenshot_dir):
    login(page, live_server, "party_a")
    assert page.url.endswith("/visits/"), page.url  # lands on today's tasks, not a place table
    expect(page.locator("h1")).to_contain_text("今日任务")
    main = page.locator("main")
    expect(main).to_contain_text("待走访 2 户")  # households, though 4 tasks are open
    cards = page.locator("main > section.building .task-address")
    expect(cards).to_have_text(["幸福小区 · 1栋 · 1单元 · 101室", "幸福小区 · 2栋 · 1单元 · 101室"])
    expect(page.locator("main > section.building h2").first).to_contain_text("幸福小区 · 1栋")
    expect(main).to_contain_text("户主 张桂英")
    expect(main).to_contain_text("户主 赵大山")
    first = page.locator("main > section.building li").first
    expect(first).to_contain_text("独居老人")
    expect(first).to_contain_text("重点")
    expect(main).to_contain_text("关爱标签（独居老人、高龄等）的权重之和")
    expect(page.locator("details.upcoming summary")).to_have_text("下一轮走访 2 户（尚未开始）")
    assert_fits(page)
    shot(page, screenshot_dir, "journey-party-member-today.png")

    page.locator("main > section.building .task-link").nth(1).click()
    page.get_by_label("政策宣传").check()
    page.fill("#id_notes", "老人身体尚好")
    assert_fits(page)
    page.get_by_role("button", name="完成走访").click()
    expect(page.locator(".messages")).to_contain_text("已登记走访")
    expect(main).to_contain_text("待走访 1 户")
    record = VisitRecord.objects.get()
    assert (
        record.task.place_id == day["h_2_101"].pk and record.task.occurrence == frozen_clock.today
    )


def test_the_grid_workers_day(frozen_clock, page: Page, live_server, login, day, screenshot_dir):
    login(page, live_server, "grid_a")
    assert page.url.endswith("/visits/"), page.url
    main = page.locator("main")
    expect(main).to_contain_text("派给我的事项")
    expect(main).to_contain_text("幸福小区")  # the patrol of the compound and its buildings
    assert_fits(page)
    shot(page, screenshot_dir, "journey-grid-worker-today.png")

    page.get_by_role("link", name="井盖松动").click()
    expect(page.locator(".ownership")).to_contain_text("您可以：接单")
    page.get_by_role("button", name="确认接单").click()
    expect(page.locator("#case-panel h1")).to_contain_text("已接单")
    assert_fits(page)
    assert Case.objects.get(pk=day["for_gridder"].pk).status == Status.CLAIMED


def test_the_secretarys_day(
    frozen_clock, page: Page, desktop_page: Page, live_server, login, day, screenshot_dir
):
    login(page, live_server, "staff_a")
    assert page.url.endswith("/cases/"), page.url  # lands on the work queue
    main = page.locator("main")
    expect(page.locator(".queue-tabs [aria-current=page]")).to_have_text("待我处理")
    expect(page.locator(".today-figures")).to_contain_text("待我处理")
    rows = page.locator("table.case-list tbody tr")
    expect(rows.first).to_contain_text("楼道堆物超期未处理")  # overdue first
    expect(main).not_to_contain_text("八月已归档的事")
    expect(main).not_to_contain_text("主干道路灯不亮")  # the street's, not ours to act on
    assert_fits(page)
    shot(page, screenshot_dir, "journey-secretary-inbox.png")

    # 更多条件 opens on a line of its own at 390 px and at 1366 px
    page.get_by_text("更多条件").click()
    assert_filters_not_squeezed(page)
    assert_fits(page)
    login(desktop_page, live_server, "staff_a")
    desktop_page.set_viewport_size({"width": 1366, "height": 900})
    desktop_page.get_by_text("更多条件").click()
    assert_filters_not_squeezed(desktop_page)
    assert_fits(desktop_page, 1366)

    # accept 厨房水管漏水, then dispatch it from the suggestions
    page.get_by_role("link", name=day["leak"].number).click()
    page.get_by_role("button", name="确认受理").click()
    expect(page.locator("#case-panel h1")).to_contain_text("已受理")
    page.get_by_role("link", name="查看派单建议").click()
    wang = page.locator("li.suggestion", has_text="王师傅")
    expect(wang).to_contain_text("无账号，需线下联系")
    expect(wang).to_contain_text("139****1111")
    assert_fits(page)
    wang.get_by_role("button", name="显示电话").click()
    wang = page.locator("li.suggestion", has_text="王师傅")
    expect(wang.locator("a[href='tel:13900001111']")).to_have_text("13900001111")
    assert AuditEvent.objects.filter(verb="reveal", object_id=str(day["wang"].pk)).count() == 1
    assert_fits(page)
    shot(page, screenshot_dir, "journey-secretary-dispatch.png")
    page.get_by_role("button", name="派给李师傅").click()
    expect(page.locator(".messages")).to_contain_text("已派单")
    assert Case.objects.get(pk=day["leak"].pk).status == Status.DISPATCHED

    # a case routed to the street: who owns it, and nothing for us to do
    page.goto(f"{live_server.url}/cases/{day['street'].pk}/")
    ownership = page.locator(".ownership")
    expect(ownership).to_contain_text("潋江镇（乡镇街道）")
    expect(ownership).to_contain_text("您只能查看，无需操作")
    expect(page.locator(".case-actions")).to_have_count(0)
    assert_fits(page)

    # one-click batch dispatch explains its 0
    page.goto(f"{live_server.url}{reverse('services:batch')}")
    page.get_by_role("button", name="生成最优派单方案").click()
    expect(main).to_contain_text("派出 0 件")
    considered = page.locator(".batch-considered")
    expect(considered).to_contain_text("待派单的点单 0 件")
    expect(considered).to_contain_text("待受理 1 件")
    expect(considered).to_contain_text("没有待派单的点单，所以本次派出 0 件。")
    assert_fits(page)
    shot(page, screenshot_dir, "journey-secretary-batch.png")


def assert_filters_not_squeezed(page: Page) -> None:
    """The open 更多条件 spans the filter form, and its fields (those to type or pick in; a
    checkbox is narrow by nature) are not one thin column."""
    sizes = page.evaluate(
        """() => {
        const form = document.querySelector('form.filters');
        const more = form.querySelector('details.filters-more');
        const fields = [...more.querySelectorAll('.filter-field')]
            .filter(f => !f.querySelector('input[type=checkbox]')).map(f => f.offsetWidth);
        return {form: form.clientWidth, more: more.offsetWidth, narrowest: Math.min(...fields)};
    }"""
    )
    assert sizes["more"] >= 0.9 * (sizes["form"] - 32), sizes
    assert sizes["narrowest"] >= min(150, sizes["form"] * 0.4), sizes
