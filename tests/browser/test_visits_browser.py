"""A party member's Friday round on a phone (390 px): 今日任务 grouped by building with the
most urgent household first, a visit with its checklist, a household not reached (recorded
with a reason, not counted), a need registered as a case in one tap; then the community official
sees the coverage at the office with the member below target in red."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.cases.choices import Level
from apps.cases.models import Case, Category
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.people.models import CareTag
from apps.places.choices import PlaceKind
from apps.visits.actions import do_create_plan, do_generate_cycle
from apps.visits.models import VisitTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def last_friday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=(today.weekday() - 4) % 7)


@pytest.fixture
def friday_round(world):
    # Live-server tests flush the database, seeded lists included.
    alone, _ = CareTag.objects.get_or_create(
        code="alone_elderly", defaults={"name": "独居老人", "weight": 30}
    )
    Category.objects.update_or_create(
        code="repairs", defaults={"name": "水电维修", "default_level": Level.GRID}
    )
    building_2 = make_place(PlaceKind.BUILDING, "2栋", world.compound_a)
    unit = make_place(PlaceKind.UNIT, "1单元", building_2)
    h_quiet = make_place(PlaceKind.HOUSEHOLD, "102室", world.unit_a)
    h_elderly = make_place(PlaceKind.HOUSEHOLD, "201室", unit)
    member = PersonFactory(name="刘党员", place=world.household_a)
    make_user("party_a", Role.PARTY_MEMBER, world.community_a, person=member)
    grandma = PersonFactory(name="陈奶奶", place=h_elderly, relation="head")
    grandma.care_tags.add(alone)
    for household in (world.household_a, h_quiet, h_elderly):
        DutyFactory(person=member, place=household, kind="baolian")
    plan = do_create_plan(
        actor=world.user("community_a"),
        name="周五入户",
        kind="household",
        scope=world.community_a,
        rule="FREQ=WEEKLY;BYDAY=FR",
        start_date=dt.date(2025, 1, 3),
        duty_kinds=["baolian"],
        checklist=["政策宣传", "民意记录"],
        window_days=6,
    )
    do_generate_cycle(plan, last_friday())
    return h_elderly, h_quiet


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_it_walks_a_party_members_friday_on_a_phone(
    page: Page, desktop_page: Page, live_server, login, world, friday_round
):
    h_elderly, h_quiet = friday_round
    login(page, live_server, "party_a")
    page.goto(f"{live_server.url}/visits/")
    expect(page.locator("h1")).to_contain_text("今日任务")
    expect(page.locator("main")).to_contain_text("待走访 3 户")
    first = page.locator("section.building").first
    expect(first.locator("h2")).to_contain_text("2栋")  # the 独居老人 household's building
    assert_fits(page)

    first.get_by_role("link", name="201室").click()
    expect(page.locator("main")).to_contain_text("陈奶奶")
    expect(page.locator("main")).to_contain_text("独居老人")
    assert_fits(page)
    page.get_by_text("登记诉求", exact=True).click()
    page.select_option("#id_category", label="水电维修")
    page.fill("#id_title", "卫生间水管漏水")
    page.get_by_role("button", name="登记为诉求").click()
    expect(page.locator(".messages")).to_contain_text("诉求已登记")
    page.get_by_label("政策宣传").check()
    page.get_by_label("民意记录").check()
    page.fill("#id_notes", "老人身体尚好，需修水管")
    page.get_by_role("button", name="完成走访").click()
    expect(page.locator(".messages")).to_contain_text("已登记走访：201室")
    expect(page.locator("main")).to_contain_text("待走访 2 户")

    page.get_by_role("link", name="102室").click()
    page.get_by_text("未能入户", exact=True).first.click()
    page.fill("#id_reason", "家中无人，电话未接")
    page.get_by_role("button", name="记录未能入户").click()
    expect(page.locator(".messages")).to_contain_text("不计为已走访")

    case = Case.objects.get(title="卫生间水管漏水")
    assert (case.source, case.place_id) == ("visit", h_elderly.pk)
    statuses = dict(VisitTask.objects.values_list("place_id", "status"))
    assert statuses == {
        h_elderly.pk: "done",
        h_quiet.pk: "unreachable",
        world.household_a.pk: "planned",
    }

    office = desktop_page  # the community official, at the office
    login(office, live_server, "staff_a")
    office.goto(f"{live_server.url}/visits/coverage/")
    expect(office.locator("#cov-visited")).to_have_text("1 / 3")
    expect(office.locator("tr.below-target")).to_contain_text("刘党员")
