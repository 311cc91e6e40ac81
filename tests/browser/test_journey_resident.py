"""A resident's whole journey on a 390 px phone, no login: find the place by typing the
compound and building, report a need with a photo, keep the tracking link, see the handler's
result and after-photo once staff resolve it, rate it; find the case again by number and the
phone's last four digits; report a spot that is no building (村口桥头) with the phone's
position, which lands in the community and grid whose boundaries hold it. No page scrolls
sideways. Screenshots go to GONGZHI_SCREENSHOTS (docs/screenshots/ with `make screenshots`)."""

import io
import re
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from apps.cases.actions import do_transition
from apps.cases.images import do_add_attachment
from apps.cases.models import Case, Category
from apps.core.testing.factories import make_place
from apps.notifications.choices import ChannelKind
from apps.notifications.models import Channel
from apps.notifications.sms import LoggingSmsGateway
from apps.places.choices import PlaceKind
from apps.portal.tests.conftest import set_area, square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRIDGE = {"latitude": 26.3303, "longitude": 115.3105}  # in grid A, far from every compound


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return out.getvalue()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide at 390 px"


@pytest.fixture
def county(frozen_clock, world) -> Any:
    """The persona county with boundaries, 康乐雅苑 6栋 in grid A, a category (live-server
    tests flush the seeded catalogue) and the county's SMS gateway (logging)."""
    set_area(world.county, square(115.2, 26.2, 115.5, 26.5))
    set_area(world.town, square(115.30, 26.30, 115.40, 26.40))
    set_area(world.community_a, square(115.30, 26.30, 115.35, 26.40))
    set_area(world.community_b, square(115.35, 26.30, 115.40, 26.40))
    set_area(world.grid_a, square(115.30, 26.30, 115.35, 26.35))
    compound = make_place(PlaceKind.COMPOUND, "康乐雅苑", world.grid_a)
    compound.lng, compound.lat = 115.3400, 26.3450
    compound.save()
    make_place(PlaceKind.BUILDING, "6栋", compound)
    make_place(PlaceKind.BUILDING, "1栋", compound)
    Category.objects.create(code="help-elderly", name="助老服务", default_level="community")
    Category.objects.create(code="facilities", name="设施报修", default_level="community")
    channel = Channel(kind=ChannelKind.SMS, name="县短信平台", place=world.county)
    channel.options = {"gateway": "log"}
    channel.save()
    LoggingSmsGateway.outbox.clear()
    return world


def staff_resolve(case: Case, world: Any, tmp_path: Any) -> None:
    """Community staff accept and dispatch, the volunteer resolves with an after-photo (the
    staff side has its own browser journey)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff, vol = world.user("community_a"), world.user("volunteer_a")
    case = do_transition(case, "accept", actor=staff)
    case = do_transition(case, "dispatch", actor=staff, data={"assignee": vol.pk})
    case = do_transition(case, "claim", actor=vol)
    case = do_transition(case, "start", actor=vol)
    case = do_transition(case, "resolve", actor=vol, note="已上门代买降压药，药已送到老人手中")
    after = SimpleUploadedFile("after.png", png("green"), content_type="image/png")
    do_add_attachment(case, after, actor=vol, event=case.events.order_by("-id").first())


def test_a_residents_report_from_place_search_to_rating(
    county, page, live_server, screenshot_dir, tmp_path, settings
):
    world, url = county, live_server.url
    settings.SITE_URL = url  # the links in text messages are absolute
    photo = tmp_path / "stairs.png"
    photo.write_bytes(png("red"))

    page.goto(f"{url}/portal/")
    no_sideways_scroll(page)
    page.get_by_role("link", name="助老服务").click()
    # no wait for htmx (a deferred script): text typed before it runs is searched once it does
    # The placeholder's own example finds the building, named with its compound.
    expect(page.locator("#place-q")).to_have_attribute("placeholder", "如：康乐雅苑 6栋 2单元")
    page.fill("#place-q", "康乐雅苑 6栋")
    hit = page.locator("#place-hits label.place-hit")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("康乐雅苑 6栋")
    expect(hit).to_contain_text("潋江镇 · 红门社区")
    hit.locator("input").check()
    page.fill("#id_description", "老人腿脚不便，想请人帮忙买降压药")
    page.set_input_files("input[name=photo]", str(photo))
    page.fill("#id_name", "张阿姨")
    page.fill("#id_phone", "13912345678")
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "resident-place-search.png"), full_page=True)
    page.click("#submit-report")

    expect(page.locator("#timeline")).to_contain_text("已提交，等待受理")
    case = Case.objects.get()
    assert page.url.endswith(f"/portal/t/{case.tracking_token}/")
    assert case.place.name == "6栋" and case.place.parent.name == "康乐雅苑"
    expect(page.locator("#my-description")).to_contain_text("想请人帮忙买降压药")
    expect(page.locator("#rate-form")).to_have_count(0)  # nothing to rate yet
    tracking = page.url

    staff_resolve(case, world, tmp_path)
    texts = [text for _, text in LoggingSmsGateway.outbox]
    assert len(texts) == 2 and all(f"查看进度：{tracking}" in text for text in texts)

    page.goto(tracking)
    expect(page.locator("#result-note")).to_contain_text("已上门代买降压药")
    after = page.locator("#result-photos img").first
    expect(after).to_be_visible()
    page.wait_for_function("document.querySelector('#result-photos img').naturalWidth > 0")
    assert page.evaluate("document.querySelector('#my-photos img').naturalWidth") > 0
    assert "vol_a" not in page.content() and "staff_a" not in page.content()
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "resident-result.png"), full_page=True)
    page.locator("#rate-form label.rating", has_text="满意").first.locator("input").check()
    page.fill("#id_comment", "很及时，谢谢")
    page.click("#rate-form button[type=submit]")
    expect(page.locator("#my-rating")).to_contain_text("满意")
    expect(page.locator("#rate-form")).to_have_count(0)

    # The link is lost: the number and the phone's last four digits lead back.
    page.goto(f"{url}/portal/")
    page.click("#find-link")
    page.fill("#id_number", case.number)
    page.fill("#id_last_four", "0000")
    page.click("#find-form button[type=submit]")
    expect(page.locator("#find-form")).to_contain_text("编号与电话后四位不匹配")
    page.fill("#id_last_four", "5678")
    page.click("#find-form button[type=submit]")
    expect(page.locator("#result-note")).to_contain_text("已上门代买降压药")
    assert page.url == tracking
    no_sideways_scroll(page)


def test_a_landmark_report_with_the_phones_position(county, page, live_server, screenshot_dir):
    world, url = county, live_server.url
    page.context.grant_permissions(["geolocation"], origin=url)
    page.context.set_geolocation(BRIDGE)

    page.goto(f"{url}/portal/report/facilities/")
    page.click("#locate")
    located = page.locator("#located-place")
    expect(located).to_contain_text("潋江镇 · 红门社区 · 红门第一网格")
    expect(page.locator("#id_community")).to_have_value(str(world.community_a.pk))
    expect(page.locator("#locate-status")).not_to_contain_text("26.33")  # no raw coordinates
    page.fill("#id_landmark", "村口桥头")
    page.fill("#id_description", "村口桥头的护栏松动了，小孩经过很危险")
    page.fill("#id_phone", "13912345678")
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "resident-locate.png"), full_page=True)
    page.click("#submit-report")

    expect(page.locator("#timeline")).to_contain_text("已提交，等待受理")
    case = Case.objects.get()
    assert case.place == world.grid_a and case.handling_unit == world.community_a
    assert case.landmark == "村口桥头"
    assert case.lat == pytest.approx(BRIDGE["latitude"], abs=1e-5)
    assert case.lng == pytest.approx(BRIDGE["longitude"], abs=1e-5)


def test_the_handler_sees_where_and_calls_the_reporter_back(
    county, page, live_server, login, screenshot_dir
):
    """The other end of the resident's report: the volunteer it was dispatched to sees the
    whole place path and the point on a small map, and reveals the phone to call."""
    from apps.cases.actions import do_create_case

    world = county
    staff, vol = world.user("community_a"), world.user("volunteer_a")
    case, _ = do_create_case(
        actor=None,
        category=Category.objects.get(code="facilities"),
        place=world.grid_a,
        title="设施报修：村口桥头护栏松动",
        reporter_phone="13912345678",
        lat=BRIDGE["latitude"],
        lng=BRIDGE["longitude"],
        landmark="村口桥头",
    )
    case = do_transition(case, "accept", actor=staff)
    do_transition(case, "dispatch", actor=staff, data={"assignee": vol.pk})

    login(page, live_server, "vol_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#case-place-path")).to_have_text("潋江镇 · 红门社区 · 红门第一网格")
    expect(page.locator("#case-landmark")).to_contain_text("村口桥头")
    expect(page.locator("#case-map svg circle").first).to_be_visible()
    expect(page.locator("#reporter-phone")).to_contain_text("139****5678")
    page.click("#reveal-phone")
    expect(page.locator("#reporter-tel")).to_have_attribute("href", "tel:13912345678")
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "resident-case-for-handler.png"), full_page=True)


def test_text_typed_before_htmx_has_loaded_still_searches(county, page, live_server):
    """A slow phone: the resident types the compound while htmx (a deferred script) is still
    on its way; once it runs, the search goes out for the text already in the field."""
    held: list[Any] = []
    page.route(re.compile(r"/vendor/htmx/htmx\.min\.js"), lambda route: held.append(route))
    page.goto(f"{live_server.url}/portal/report/help-elderly/", wait_until="commit")
    field = page.locator("#place-q")
    field.fill("康乐雅苑 6栋")
    page.wait_for_timeout(300)  # long enough for a search to go out, were htmx there
    assert len(held) == 1 and page.evaluate("typeof window.htmx") == "undefined"
    expect(page.locator("#place-hits")).to_have_count(0)
    held[0].continue_()  # htmx arrives now
    expect(page.locator("#place-hits label.place-hit")).to_have_text(
        ["康乐雅苑 6栋潋江镇 · 红门社区"]
    )
    # Enter in the field searches in place (the search form is htmx's), no page load
    field.fill("康乐雅苑 1栋")
    field.press("Enter")
    expect(page.locator("#place-hits label.place-hit")).to_contain_text(["康乐雅苑 1栋"])
    assert page.url == f"{live_server.url}/portal/report/help-elderly/"


def test_the_place_search_works_without_javascript(county, browser, live_server):
    """With JavaScript off the search is a plain GET that reloads the report page with the
    results; the resident picks one and reports there."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/portal/report/help-elderly/")
        page.fill("#place-q", "康乐雅苑 6栋")
        page.get_by_role("button", name="查找").click()
        assert "q=" in page.url
        expect(page.locator("#place-q")).to_have_value("康乐雅苑 6栋")
        hit = page.locator("#place-hits label.place-hit")
        expect(hit).to_have_count(1)
        hit.locator("input").check()
        page.fill("#id_description", "楼道灯坏了")
        page.fill("#id_phone", "13912345678")
        page.click("#submit-report")
        expect(page.locator("#timeline")).to_contain_text("已提交，等待受理")
        case = Case.objects.get()
        assert case.place.name == "6栋" and case.place.parent.name == "康乐雅苑"
        no_sideways_scroll(page)
    finally:
        context.close()
