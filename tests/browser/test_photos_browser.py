"""Photos display (issue 20 item 1): a case photo renders for the case's staff on the case page
and for the resident on the tracking page; a visit photo renders on the visit task for the
party member who took it; another community's staff get 404 for the same addresses."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Page, expect

from apps.cases.images import do_add_attachment
from apps.cases.tests.helpers import make_case
from apps.visits.actions import do_record_visit
from apps.visits.tests.helpers import friday_household_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(colour: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def rendered_widths(page: Page, selector: str) -> list[int]:
    images = page.locator(selector)
    expect(images.first).to_be_visible()
    for i in range(images.count()):  # lazy images: bring each into view, wait until decoded
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(i => i.complete)", arg=selector
    )
    return page.eval_on_selector_all(selector, "els => els.map(e => e.naturalWidth)")


@pytest.fixture
def photos(frozen_clock, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = make_case(world, title="楼道灯不亮")
    submitted = case.events.order_by("id").first()
    case_photo = do_add_attachment(case, jpeg("orange"), actor=None, event=submitted)
    party, task = friday_household_task(world)
    record = do_record_visit(task, actor=party, answers={"政策宣传": True}, photos=[jpeg("green")])
    return {"case": case, "case_photo": case_photo, "task": task, "visit": record.photos.get()}


def test_photos_render_for_their_staff_and_the_resident_and_404_elsewhere(
    page: Page, live_server, login, world, photos
):
    case, photo = photos["case"], photos["case_photo"]

    # the case's staff: the thumbnail renders on the case page, the full photo opens
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    selector = f'img[src="{photo.thumbnail.url}"]'
    assert rendered_widths(page, selector) == [320]
    full = page.request.get(f"{live_server.url}{photo.file.url}")
    assert full.status == 200 and full.headers["content-type"] == "image/jpeg"

    # the party member who visited: the visit photo renders on the task page
    page.context.clear_cookies()
    login(page, live_server, "party_a")
    page.goto(f"{live_server.url}/visits/tasks/{photos['task'].pk}/")
    visit = photos["visit"]
    assert rendered_widths(page, f'img[src="{visit.thumbnail.url}"]') == [320]

    # the resident, without an account: the tracking page shows their photo
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/portal/t/{case.tracking_token}/")
    assert rendered_widths(page, "#my-photos img") == [320]
    assert page.request.get(f"{live_server.url}{photo.file.url}").status == 404  # no token

    # another community's staff: 404 for the very same addresses
    login(page, live_server, "staff_b")
    for url in (photo.thumbnail.url, photo.file.url, visit.thumbnail.url, visit.file.url):
        assert page.request.get(f"{live_server.url}{url}").status == 404, url
    page.goto(f"{live_server.url}{photo.thumbnail.url}")
    assert page.evaluate("document.images.length === 0 || document.images[0].naturalWidth === 0")
