"""Check-in at the door on a phone (390×844): the organiser shows the activity's QR code, a
resident without an account opens the check-in link, gives name and phone suffix and is marked
present; opening it again says so instead of counting twice."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.activities import qr
from apps.activities.actions import do_create_activity, do_sign_up
from apps.activities.models import Participation
from apps.core.testing.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fair(world):
    start = timezone.now() - dt.timedelta(minutes=15)
    activity = do_create_activity(
        actor=world.user("community_a"),
        place=world.community_a,
        title="共建书香社区惠民书展",
        kind="reading",
        start_at=start,
        end_at=start + dt.timedelta(hours=3),
        capacity=50,
    )
    grandma = PersonFactory(name="张桂英", place=world.household_a, secrets__phone="13812345678")
    do_sign_up(activity, grandma, actor=world.user("community_a"))
    return activity


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_checks_in_from_the_qr_link(page: Page, live_server, fair, screenshot_dir):
    url = live_server.url + reverse("activities:checkin", args=[qr.make_token(fair)])
    page.goto(url)
    expect(page.get_by_role("heading", name="共建书香社区惠民书展")).to_be_visible()
    page.get_by_label("姓名").fill("张桂英")
    page.get_by_label("手机号码后四位").fill("5678")
    assert no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "activity-checkin-form.png"))
    page.get_by_role("button", name="签到").click()
    expect(page.get_by_role("heading", name="签到成功")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("张桂英")
    row = Participation.objects.get(activity=fair)
    assert row.present and row.checkin_method == "phone"

    page.goto(url)
    page.get_by_label("姓名").fill("张桂英")
    page.get_by_label("手机号码后四位").fill("5678")
    page.get_by_role("button", name="签到").click()
    expect(page.get_by_role("heading", name="您已签到")).to_be_visible()
    assert Participation.objects.filter(activity=fair, checked_in_at__isnull=False).count() == 1


def test_a_forged_link_says_why(page: Page, live_server, fair):
    token = qr.make_token(fair)
    page.goto(f"{live_server.url}/activities/c/{token[:-4]}AAAA/")
    expect(page.get_by_role("alert")).to_contain_text("签到码无效")
    assert not Participation.objects.filter(checked_in_at__isnull=False).exists()


def test_the_organiser_shows_the_qr_code_on_a_phone(page: Page, live_server, login, fair):
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/activities/{fair.pk}/door/")
    image = page.get_by_role("img", name="活动签到二维码")
    expect(image).to_be_visible()
    assert page.evaluate("img => img.naturalWidth > 0", image.element_handle())
    box = image.bounding_box()
    assert box and 200 <= box["width"] <= 390
    assert no_sideways_scroll(page)
