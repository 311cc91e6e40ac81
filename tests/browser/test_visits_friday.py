"""A party member's Friday on a phone (390×844): opens today's tasks, records a visit with the
checklist and a photo, records 未能入户 with a reason, registers a need that becomes a case;
then a grid worker's patrol finds a hazard that becomes a rectification case with a
re-inspection task.

The clock is frozen (frozen_clock: Friday 10:00 by default); GONGZHI_TEST_NOW runs it at another
weekday or hour, which must pass as well."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.cases.choices import Level
from apps.cases.models import Case, Category
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.places.choices import PlaceKind
from apps.visits.actions import do_create_plan, do_generate_cycle
from apps.visits.models import Rectification, VisitRecord, VisitTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def last_friday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=(today.weekday() - 4) % 7)


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


@pytest.fixture
def friday(frozen_clock, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    Category.objects.update_or_create(
        code="repairs", defaults={"name": "水电维修", "default_level": Level.GRID}
    )
    Category.objects.update_or_create(
        code="fire", defaults={"name": "消防安全", "default_level": Level.GRID}
    )
    h_201 = make_place(PlaceKind.HOUSEHOLD, "201室", world.unit_a)
    h_301 = make_place(PlaceKind.HOUSEHOLD, "301室", world.unit_a)
    member = PersonFactory(name="刘党员", place=world.household_a)
    make_user("party_a", Role.PARTY_MEMBER, world.community_a, person=member)
    for household in (world.household_a, h_201, h_301):
        DutyFactory(person=member, place=household, kind="baolian")
    staff = world.user("community_a")
    plan = do_create_plan(
        actor=staff,
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
    inspector = PersonFactory(name="吴网格", place=world.grid_a)
    make_user("patrol_a", Role.GRID_WORKER, world.grid_a, person=inspector)
    DutyFactory(person=inspector, place=world.grid_a, kind="grid_worker")
    patrol = do_create_plan(
        actor=staff,
        name="网格巡查",
        kind="hazard",
        scope=world.community_a,
        rule="FREQ=DAILY",
        start_date=dt.date(2025, 1, 1),
        duty_kinds=["grid_worker"],
        checklist=["消防通道", "电动车充电"],
        window_days=1,
    )
    do_generate_cycle(patrol, timezone.localdate())
    photo = tmp_path / "door.png"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(out, "PNG")
    photo.write_bytes(out.getvalue())
    return {"h_201": h_201, "h_301": h_301, "photo": photo}


def test_a_party_members_friday_and_a_patrol(
    frozen_clock, page: Page, live_server, login, world, friday
):
    login(page, live_server, "party_a")
    page.goto(f"{live_server.url}/visits/")
    expect(page.locator("h1")).to_contain_text(f"今日任务 {frozen_clock.today:%m月%d日}")
    assert page.evaluate("new Date().toLocaleDateString('sv')") == frozen_clock.today.isoformat()
    expect(page.locator("main")).to_contain_text("待走访 3 户")
    assert_fits(page)

    # 1. a visit with the checklist and a photo
    page.get_by_role("link", name="201室").click()
    page.get_by_label("政策宣传").check()
    page.get_by_label("民意记录").check()
    page.fill("#id_notes", "老人身体尚好")
    page.set_input_files("#id_photos", str(friday["photo"]))
    assert_fits(page)
    page.get_by_role("button", name="完成走访").click()
    expect(page.locator(".messages")).to_contain_text("已登记走访：201室")
    expect(page.locator("main")).to_contain_text("待走访 2 户")

    # 2. 未能入户, with its reason
    page.get_by_role("link", name="301室").click()
    page.get_by_text("未能入户", exact=True).first.click()
    page.fill("#id_reason", "家中无人，电话未接")
    page.get_by_role("button", name="记录未能入户").click()
    expect(page.locator(".messages")).to_contain_text("不计为已走访")

    # 3. a need registered as a case, from the third household
    page.get_by_role("link", name="101室").click()
    page.get_by_text("登记诉求", exact=True).click()
    page.select_option("#id_category", label="水电维修")
    page.fill("#id_title", "楼道灯不亮")
    page.get_by_role("button", name="登记为诉求").click()
    expect(page.locator(".messages")).to_contain_text("诉求已登记")
    expect(page.locator("main")).to_contain_text("楼道灯不亮")

    done = VisitTask.objects.get(place=friday["h_201"], kind="round", plan__kind="household")
    record = VisitRecord.objects.get(task=done)
    assert done.status == "done" and record.answers == {"政策宣传": True, "民意记录": True}
    assert record.photos.count() == 1
    unreached = VisitTask.objects.get(place=friday["h_301"], plan__kind="household")
    assert (unreached.status, unreached.reason) == ("unreachable", "家中无人，电话未接")
    case = Case.objects.get(title="楼道灯不亮")
    assert (case.kind, case.source, case.place_id) == ("need", "visit", world.household_a.pk)

    # 4. the grid worker's inspection finds a hazard: a case, a deadline, a re-inspection
    page.context.clear_cookies()
    login(page, live_server, "patrol_a")
    page.goto(f"{live_server.url}/visits/")
    expect(page.locator("h1")).to_contain_text("今日任务")
    compound = page.locator(
        "a.task-link", has=page.locator(".task-address", has_text=re.compile(r"^幸福小区$"))
    )
    expect(compound).to_have_count(1)
    compound.click()
    expect(page.locator("main")).to_contain_text("检查清单")
    page.get_by_text("发现隐患", exact=True).click()
    page.select_option("#id_hazard-category", label="消防安全")
    page.fill("#id_hazard-title", "消防通道被电动车堵塞")
    deadline = timezone.localdate() + dt.timedelta(days=7)
    page.fill("#id_hazard-deadline", deadline.isoformat())
    assert_fits(page)
    page.get_by_role("button", name="登记隐患").click()
    expect(page.locator(".messages")).to_contain_text("隐患已登记")
    rectification = Rectification.objects.get()
    assert (rectification.case.kind, rectification.case.source) == ("hazard", "patrol")
    reinspect = rectification.reinspections.get()
    assert (reinspect.occurrence, reinspect.place_id) == (deadline, world.compound_a.pk)
