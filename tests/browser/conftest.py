"""Shared Playwright fixtures: Debian's Chromium, headless, with phone and desktop pages.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
thread with a running loop unless told otherwise, and the tests do set up data through the
ORM, hence DJANGO_ALLOW_ASYNC_UNSAFE.

Frozen clock — a browser test whose data or pages depend on the date must not depend on the
day or hour it runs. Ask for `frozen_clock` BEFORE any fixture that builds dated data
(list it first, or make your data fixture depend on it):

    def test_x(frozen_clock, page, live_server, ...):            # Friday 2026-12-04 10:00
    @pytest.mark.frozen_clock("2026-12-07 22:30")                # or a moment of your own
    def test_y(frozen_clock, page, ...):
        frozen_clock.moment      # the aware datetime (Asia/Shanghai) the clock was set to
        frozen_clock.today       # its date
        frozen_clock.travel(dt)  # move both clocks to another moment during the test

- Server side: `time-machine` moves the process clock (time.time, datetime.now, date.today),
  so `timezone.now`, `from django.utils.timezone import now` references, model `default=now`
  values and the live server (a thread of this process) all see the frozen moment. The clock
  then ticks on from that moment (sessions, throttles and timeouts keep working); monotonic
  clocks are untouched. SQL-side now()/CURRENT_TIMESTAMP would NOT follow: the code base has
  none (keep it that way, or pass the time from Python).
- Browser side: Playwright's `clock.install(time=moment)` on every open and later context of
  `page` / `desktop_page`, whose time zone is Asia/Shanghai like the server's.
- The server's clock ticks on (a test of a few minutes started at 23:58 ends the next day);
  `@pytest.mark.frozen_clock("2026-12-04 23:59", tick=False)` stops it instead: every
  timezone.now() returns the same instant (mind orderings by time, then).
- GONGZHI_TEST_NOW="2026-12-08 23:50" overrides every frozen moment (a marker's too): run a
  dated test at several weekdays and hours to prove it does not depend on them.
"""

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _serve_media_through_the_application() -> None:
    """Django's live server answers MEDIA_URL itself, straight from MEDIA_ROOT with no access
    check (django.test.testcases._MediaFilesHandler). `gongzhi serve` and production do not:
    /media/ goes to apps.core.media, which applies the record's scope. Make the live server
    behave like them, so browser tests see what a user sees."""
    from django.test import testcases

    testcases._MediaFilesHandler._should_handle = lambda self, path: False  # type: ignore[method-assign]


_serve_media_through_the_application()

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Gongzhi-test-2026"  # as in apps.core.testing.factories.make_user
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_MOMENT = "2026-12-04 10:00"  # a Friday, mid-morning, Asia/Shanghai

_open_contexts: list[Any] = []  # browser contexts of the running test (for frozen_clock)
_frozen: list["FrozenClock"] = []  # the active frozen clock, if any


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def _page(browser: Any, viewport: dict[str, int], **options: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options
    )
    _open_contexts.append(context)
    if _frozen:
        _frozen[-1].set_browser_clock(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    _open_contexts.remove(context)
    context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page (390×844, touch, 3× pixels)."""
    yield from _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)


@pytest.fixture
def desktop_page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, DESKTOP)


def log_in(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form; ends on the account's home page.

    A page that is already open may have a request in flight (the notification badge polls),
    and every response renews the session cookie (SESSION_SAVE_EVERY_REQUEST): a late answer
    could put the previous user's cookie back after the new login. So the helper waits for the
    current page to go quiet and leaves it before clearing the cookies."""
    for _ in range(3):
        if page.url.startswith("http"):
            page.wait_for_load_state("networkidle")
            page.goto("about:blank")
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        # The page names its account (<meta name="gongzhi-user">): if it names the previous
        # one, that user's late cookie won the race (seen in CI under load); log in again.
        named = page.locator('meta[name="gongzhi-user"]')
        if not named.count() or named.get_attribute("content") == username:
            return
    raise AssertionError(f"the browser is still logged in as {named.get_attribute('content')}")
    assert "/accounts/login/" not in page.url, "login failed"


@pytest.fixture
def login() -> Any:
    """`login(page, live_server, username)`: the helper, as a fixture (this folder is not a
    package, so tests cannot import from conftest)."""
    return log_in


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Where browser tests save their pictures: a temporary folder, or the folder named by
    GONGZHI_SCREENSHOTS (`make screenshots` refreshes docs/screenshots/ that way), so that a
    test run never changes the working tree."""
    from pathlib import Path

    folder = os.environ.get("GONGZHI_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


def _moment(text: str) -> dt.datetime:
    """'2026-12-04 10:00' (Asia/Shanghai unless it names an offset) as an aware datetime."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


@dataclass
class FrozenClock:
    moment: dt.datetime
    tick: bool = True
    _traveller: Any = field(default=None, repr=False)

    @property
    def today(self) -> dt.date:
        return self.moment.astimezone(SHANGHAI).date()

    def travel(self, moment: dt.datetime | str) -> None:
        """Move the server's and the browsers' clocks to another moment."""
        import time_machine

        self.moment = _moment(moment) if isinstance(moment, str) else moment
        if self._traveller is not None:
            self._traveller.stop()
        self._traveller = time_machine.travel(self.moment, tick=self.tick)
        self._traveller.start()
        for context in _open_contexts:
            self.set_browser_clock(context)

    def set_browser_clock(self, context: Any) -> None:
        if getattr(context, "_gongzhi_clock", False):
            context.clock.set_system_time(self.moment)
        else:
            context.clock.install(time=self.moment)
            context._gongzhi_clock = True


@pytest.fixture
def frozen_clock(request: pytest.FixtureRequest) -> Iterator[FrozenClock]:
    """Freeze the server's and the browser's clock (see the top of this file)."""
    marker = request.node.get_closest_marker("frozen_clock")
    text = os.environ.get("GONGZHI_TEST_NOW") or (marker.args[0] if marker else DEFAULT_MOMENT)
    clock = FrozenClock(_moment(text), tick=marker.kwargs.get("tick", True) if marker else True)
    clock.travel(clock.moment)
    _frozen.append(clock)
    try:
        yield clock
    finally:
        _frozen.remove(clock)
        clock._traveller.stop()
