"""A teacher's home visit to the left-behind child she is paired with, on a phone (390×844):
her pairings with the one never contacted first, the pairing page, the 家访 recorded with a
need registered as a case; then the community official's care group shows the child as
contacted and the unpaired child highlighted."""

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.care.actions import do_create_pairing
from apps.care.models import Contact
from apps.cases.choices import Level
from apps.cases.models import Case, Category
from apps.core.testing.factories import OrganisationFactory, PersonFactory, make_user
from apps.people.models import CareTag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paired(world):
    # Live-server tests flush the database, seeded lists included.
    tag, _ = CareTag.objects.get_or_create(
        code="left_behind_child", defaults={"name": "留守儿童", "weight": 30}
    )
    Category.objects.update_or_create(
        code="counselling", defaults={"name": "心理疏导", "default_level": Level.COMMUNITY}
    )
    child = PersonFactory(name="刘小明", place=world.household_a, relation="grandchild")
    lonely = PersonFactory(name="王小军", place=world.household_a, relation="grandchild")
    for person in (child, lonely):
        person.care_tags.add(tag)
    school = OrganisationFactory(kind="school", name="红门小学", place=world.community_a)
    teacher = PersonFactory(name="陈老师", place=world.grid_a)
    make_user("teacher_a", Role.VOLUNTEER, world.community_a, person=teacher)
    return do_create_pairing(
        actor=world.user("community_a"), person=child, carer=teacher, school=school
    )


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_a_teacher_records_a_home_visit_on_a_phone(
    page: Page, desktop_page: Page, live_server, login, world, paired
):
    login(page, live_server, "teacher_a")
    page.goto(f"{live_server.url}/care/mine/")
    expect(page.locator("h1")).to_have_text("我结对的对象")
    expect(page.locator("main")).to_contain_text("从未联系")
    assert_fits(page)

    page.get_by_role("link", name="刘小明").click()
    expect(page.locator("main")).to_contain_text("红门小学")
    expect(page.locator("#contacts")).to_contain_text("还没有联系记录")
    assert_fits(page)
    page.get_by_label("家访").check()
    page.fill("#id_notes", "孩子作业完成较好，与奶奶交流近况")
    page.fill("#id_needs", "孩子想念父母，情绪低落")
    page.select_option("#id_need_category", label="心理疏导")
    page.fill("#id_need_title", "留守儿童心理疏导")
    page.get_by_role("button", name="保存联系记录").click()
    expect(page.locator(".messages")).to_contain_text("已登记家访：刘小明，需求已登记为事项")
    expect(page.locator("#contacts")).to_contain_text("家访")
    expect(page.locator("#contacts")).to_contain_text("留守儿童心理疏导")
    assert_fits(page)

    contact = Contact.objects.get()
    assert (contact.kind, contact.pairing_id) == ("home_visit", paired.pk)
    case = Case.objects.get(title="留守儿童心理疏导")
    assert (case.source, case.place_id) == ("visit", world.household_a.pk)

    office = desktop_page
    login(office, live_server, "staff_a")
    office.goto(f"{live_server.url}/care/")
    expect(office.locator("#fig-total")).to_have_text("2")
    expect(office.locator("#fig-paired")).to_have_text("1")
    expect(office.locator("#fig-unpaired")).to_have_text("1")
    expect(office.locator("#fig-stale")).to_have_text("0")
    expect(office.locator("li.care-row.unpaired")).to_contain_text("王小军")
