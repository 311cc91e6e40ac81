"""Shared Playwright fixtures: Debian's Chromium, headless, with phone and desktop pages.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
thread with a running loop unless told otherwise, and the tests do set up data through the
ORM, hence DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Gongzhi-test-2026"  # as in apps.core.testing.factories.make_user
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
    context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page (390×844, touch, 3× pixels)."""
    yield from _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)


@pytest.fixture
def desktop_page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, DESKTOP)


def log_in(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form; ends on the account's home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
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
