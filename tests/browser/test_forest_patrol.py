"""A ranger's patrol on a phone (390 px) with a simulated position (Playwright geolocation):
start from the forest page, positions recorded and sent in batches, an event (火情隐患) reported
on the way, finish; the server measured the track, and the event became a case routed to the
zone's village chief, who sees it on their forest page."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.cases.choices import Level
from apps.cases.models import Category
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.duties.choices import DutyKind
from apps.forestry.models import ForestEvent, Patrol, TrackBatch
from apps.notifications.models import Notification
from apps.places.choices import PlaceKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAT0, LNG0 = 26.95, 115.20
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [LNG0, LAT0],
            [LNG0 + 0.02, LAT0],
            [LNG0 + 0.02, LAT0 + 0.02],
            [LNG0, LAT0 + 0.02],
            [LNG0, LAT0],
        ]
    ],
}


@pytest.fixture
def zone(frozen_clock, world):
    # Live-server tests flush the database, seeded rows included: the category again.
    hazard, _ = Category.objects.update_or_create(
        code="hazard", defaults={"name": "安全隐患", "default_level": Level.TOWN}
    )
    Category.objects.update_or_create(
        code="forest-fire",
        defaults={"name": "森林火情隐患", "default_level": Level.TOWN, "parent": hazard},
    )
    place = make_place(PlaceKind.FOREST_ZONE, "潋江镇第一林区", world.town, geometry=SQUARE)
    start = dt.date(2024, 1, 1)
    ranger = PersonFactory(name="钟护林", place=world.household_a)
    chief = PersonFactory(name="刘村林长", place=world.household_a)
    DutyFactory(person=ranger, place=place, kind=DutyKind.RANGER, start_date=start)
    DutyFactory(person=chief, place=place, kind=DutyKind.FOREST_CHIEF_VILLAGE, start_date=start)
    make_user("ranger_a", Role.RANGER, place, person=ranger)
    make_user("chief_a", Role.FOREST_CHIEF, place, person=chief)
    return place


def sign_in(page: Page, live_server, username: str) -> None:
    """A session made by the test client, handed to the browser (the login form itself is
    tested elsewhere; its page also polls the demo's loading progress)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("load")


def test_ranger_patrol_with_an_event_routed_to_the_chief(
    frozen_clock, zone, page: Page, live_server
):
    # The shared test machine runs many suites at once: pages take longer than the default.
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(60_000)
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(
        {"latitude": LAT0 + 0.001, "longitude": LNG0 + 0.005, "accuracy": 8}
    )
    sign_in(page, live_server, "ranger_a")
    assert page.url.endswith("/forest/")
    expect(page.locator("#zones")).to_contain_text("潋江镇第一林区")
    page.locator("#zones button.start").click()
    expect(page.locator("h1")).to_contain_text("巡护")
    patrol = Patrol.objects.get()
    # walk north: a new position every 10 s of the page's clock, 18 m apart
    for k in range(1, 40):
        page.context.set_geolocation(
            {"latitude": LAT0 + 0.001 + k * 0.00016, "longitude": LNG0 + 0.005, "accuracy": 8}
        )
        page.clock.run_for(10_000)
    page.clock.run_for(16_000)  # the next batch goes out
    expect(page.locator("#sync")).to_contain_text("已同步", timeout=10_000)
    assert TrackBatch.objects.filter(patrol=patrol).exists()
    # an event on the way, with the current position
    page.select_option("#id_kind", "fire")
    page.fill("#id_description", "山脚烧荒余火未灭，有烟")
    with page.expect_navigation():
        page.click("#event-form button[type=submit]")
    expect(page.locator("body")).to_contain_text("已上报火情隐患")
    event = ForestEvent.objects.get()
    assert event.lat is not None and event.patrol_id == patrol.pk
    # the page keeps recording after the reload; then finish
    for k in range(40, 60):
        page.context.set_geolocation(
            {"latitude": LAT0 + 0.001 + k * 0.00016, "longitude": LNG0 + 0.005, "accuracy": 8}
        )
        page.clock.run_for(10_000)
    page.click("#finish")
    expect(page.locator("#status")).to_contain_text("已结束", timeout=15_000)
    patrol.refresh_from_db()
    assert patrol.status == "finished" and patrol.distance_m > 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#map svg")).to_be_visible()
    # the case reached the zone's village chief
    assert event.case.category.code == "forest-fire"
    assert Notification.objects.filter(
        recipient__username="chief_a", object_id=str(event.case_id)
    ).exists()
    page.goto("about:blank")
    sign_in(page, live_server, "chief_a")
    assert page.url.endswith("/forest/")
    expect(page.locator("#events")).to_contain_text(event.case.number)
    page.locator("#events a").first.click()
    expect(page.locator("body")).to_contain_text("山脚烧荒余火未灭")
    # dispatched by rule to the zone: the village chief claims it on the phone, no dispatcher
    page.click('button[name="submit-claim"]')
    expect(page.locator("#case-panel")).to_contain_text("已接单", timeout=15_000)
    event.case.refresh_from_db()
    assert event.case.status == "claimed" and event.case.assignee.username == "chief_a"
