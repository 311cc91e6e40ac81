"""The ECG viewer in a real browser: 12 leads on the paper grid from the stored signal,
layouts, calipers; the physician claims the exam and finds the report form prefilled from
the screening."""

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.core.tasks import capture_tasks
from apps.core.testing.factories import make_place, make_user
from apps.ecg import synth
from apps.ecg.actions import do_screen_exam, do_upload_exam
from apps.ecg.models import DiagnosisTerm
from apps.ecg.terms import TERMS
from apps.ecg.writers import to_csv
from apps.places.choices import PlaceKind

# `desktop_page`, `login` and the Chromium come from tests/browser/conftest.py.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stemi_exam(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for order, (code, name, category, critical) in enumerate(TERMS):  # flushed by live tests
        DiagnosisTerm.objects.update_or_create(
            code=code,
            defaults={"name": name, "category": category, "critical": critical, "order": order},
        )
    clinic = make_place(PlaceKind.CLINIC, "潋江镇卫生院", world.town)
    doctor = make_user("doc_a", Role.CLINIC_DOCTOR, world.town)
    make_user("ecg_1", Role.ECG_PHYSICIAN, world.county)
    with capture_tasks():
        exam = do_upload_exam(
            actor=doctor,
            clinic=clinic,
            files={"stemi.csv": to_csv(synth.generate("stemi", rate=85))},
            patient={"name": "王建国", "sex": "M", "age": 62},
        )
        do_screen_exam(exam.pk)
    return exam


def dark_pixels(page: Page) -> int:
    return page.evaluate(
        """() => {
        const c = document.querySelector('#ecg-viewer canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) { if (d[i] < 80 && d[i + 1] < 80) n++; }
        return n;
    }"""
    )


def test_it_draws_the_twelve_leads_and_measures(desktop_page: Page, live_server, login, stemi_exam):
    page = desktop_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(r.url) if r.status >= 400 and not r.url.endswith("favicon.ico") else None
        ),
    )
    login(page, live_server, "ecg_1")
    page.goto(f"{live_server.url}/ecg/queue/")
    page.get_by_role("link", name=stemi_exam.number).click()
    viewer = page.locator("#ecg-viewer")
    expect(viewer).to_have_attribute("data-loaded", "1")
    canvas = page.locator("#ecg-viewer canvas")
    box = canvas.bounding_box()
    assert box["width"] > 1000  # 10 s at 25 mm/s on 4 px/mm plus the calibration margin
    assert dark_pixels(page) > 5000  # traces drawn, not just the grid
    expect(page.locator(".ecg-flags li.bad").first).to_contain_text("ST段抬高")

    page.select_option("[data-role=layout]", "12x1")
    assert canvas.bounding_box()["height"] > box["height"] * 2

    page.get_by_role("button", name="测量尺").click()
    canvas.click(position={"x": 200, "y": 100})
    canvas.click(position={"x": 300, "y": 100})
    expect(page.locator("[data-role=caliper-readout]")).to_contain_text("Δt 1000 ms（60 次/分）")

    page.get_by_role("button", name="认领阅片").click()
    expect(page.locator("#report-form")).to_be_visible()
    expect(page.locator("input[name=terms][value=c_stemi]")).to_be_checked()
    assert not errors, errors
