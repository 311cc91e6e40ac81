"""A resident registers as a volunteer on a phone-sized screen, without an account; staff of
the community approve it on a phone; the resident's status page says so and the new volunteer
account logs in and sees its own record."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from apps.people.models import Skill
from apps.volunteers.models import Volunteer, VolunteerApplication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_resident_registers_and_is_approved(
    page, browser, live_server, login, world, screenshot_dir
):
    # Live-server tests may have flushed the seeded skills: make sure these two exist.
    Skill.objects.get_or_create(code="companionship", defaults={"name": "陪伴聊天"})
    Skill.objects.get_or_create(code="computer", defaults={"name": "电脑手机"})

    page.set_default_timeout(45_000)  # a loaded CI machine can be slow on the first page
    page.goto(f"{live_server.url}/services/join/")
    expect(page.locator("h1")).to_have_text("志愿者注册")
    no_sideways_scroll(page)
    page.fill("#id_name", "刘小红")
    page.fill("#id_phone", "13900001111")
    page.select_option("#id_community", str(world.community_a.pk))
    page.fill("#id_address", "幸福小区1栋1单元101室")
    page.get_by_label("陪伴聊天").check()
    page.get_by_label("周六上午").check()
    page.get_by_label("周日下午").check()
    page.fill("#id_certificates", "急救员证")
    page.screenshot(path=str(screenshot_dir / "volunteer-join-phone.png"), full_page=True)
    page.click("#join-form button[type=submit]")
    expect(page.locator("#application-status")).to_have_text("待审核")
    status_url = page.url
    no_sideways_scroll(page)

    staff_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    staff = staff_context.new_page()
    login(staff, live_server, "staff_a")
    staff.goto(f"{live_server.url}/services/applications/")
    card = staff.locator("article", has_text="刘小红")
    expect(card).to_contain_text("139****1111")
    expect(card).to_contain_text("陪伴聊天")
    no_sideways_scroll(staff)
    card.locator("input[name=place]").fill(str(world.household_a.pk))
    card.locator("button[value=approve]").click()
    message = staff.locator(".msg-success").inner_text()
    username, password = re.search(r"账号 (\S+)，初始密码 (\S+)（", message).groups()
    staff_context.close()

    volunteer = Volunteer.objects.get(person__name="刘小红")
    assert VolunteerApplication.objects.get().volunteer == volunteer
    page.goto(status_url)
    expect(page.locator("#application-status")).to_have_text("已通过")

    login(page, live_server, username, password)
    page.goto(f"{live_server.url}/services/me/")
    assert page.url.endswith(f"/services/volunteers/{volunteer.pk}/")
    expect(page.locator("h1")).to_contain_text("刘小红")
    expect(page.locator("main")).to_contain_text("急救员证")
    no_sideways_scroll(page)
