"""The API docs render with no Internet: every request to another host is blocked, and the
page still shows the operations (Swagger UI comes from static/vendor/swagger-ui)."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_offline(desktop_page: Page, live_server, login, world):
    page = desktop_page
    outside: list[str] = []

    def only_this_site(route):
        url = route.request.url
        if url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.context.route("**/*", only_this_site)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # the docs need a login
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("共治 Gongzhi API")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 50
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases/").first).to_be_visible()
    assert outside == [], f"the docs asked another host: {outside}"
