"""The ECG day in a real browser (issue 20, item 10; issue 12), one journey per role:

- the clinic doctor, on a 390 px phone, uploads a real 2-lead ICU monitor record (WFDB .hea
  with its .mat signal file, with blood pressure and respiration channels) and sees its
  result: the VT suspected by the screening, the non-ECG channels named as dropped, and the
  two leads drawn over the width of the phone — no sideways scroll, no empty 3×4 panels;
- the ECG physician lands on the reading queue, where that exam stands first (a suspected
  critical value before a normal strip), opens it, claims it, writes and submits the report;
  a second physician checks and releases the critical report, and the critical-value loop
  opens (the clinic is to be notified). On the phone and at 1366 px.

The clock is frozen (`frozen_clock`): waiting times and dates on the pages come from it."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.core.testing.factories import make_place, make_user
from apps.ecg.models import DiagnosisTerm
from apps.ecg.terms import TERMS
from apps.places.choices import PlaceKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ecg"
VT_RECORD = DATA / "alarms2015" / "v131l"  # a true VT alarm: 7 broad beats at ~165/min
NORMAL_STRIP = DATA / "cinc2017" / "A00002"  # normal sinus rhythm, one lead named ECG


def assert_fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px screen"


def shot(page: Page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / name), full_page=True)


@pytest.fixture
def network(frozen_clock, world, settings, tmp_path):
    if not VT_RECORD.with_suffix(".hea").exists():
        pytest.skip("development sets not present")
    settings.MEDIA_ROOT = tmp_path / "media"
    for order, (code, name, category, critical) in enumerate(TERMS):  # flushed by live tests
        DiagnosisTerm.objects.update_or_create(
            code=code,
            defaults={"name": name, "category": category, "critical": critical, "order": order},
        )
    make_place(PlaceKind.CLINIC, "潋江镇卫生院", world.town)
    make_user("doc_a", Role.CLINIC_DOCTOR, world.town)
    make_user("ecg_1", Role.ECG_PHYSICIAN, world.county)
    make_user("ecg_2", Role.ECG_PHYSICIAN, world.county)
    return world


def upload(page: Page, live_server, record: Path, patient: str) -> None:
    page.goto(f"{live_server.url}/ecg/exams/upload/")
    page.set_input_files(
        "input[name=signal_files]",
        [str(record.with_suffix(".hea")), str(record.with_suffix(".mat"))],
    )
    page.fill("input[name=patient_name]", patient)
    page.fill("input[name=patient_age]", "67")
    page.get_by_role("button", name="上传并自动筛查").click()
    page.wait_for_load_state("networkidle")
    problems = page.locator(".errorlist, .messages .error").all_inner_texts()
    assert re.search(r"/ecg/exams/\d+/$", page.url), (page.url, problems)


def test_the_clinic_doctor_uploads_an_exam_and_sees_its_result(
    network, page: Page, live_server, login, screenshot_dir
):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "doc_a")
    upload(page, live_server, NORMAL_STRIP, "李秀英")
    upload(page, live_server, VT_RECORD, "王建国")
    expect(page.locator("body")).to_contain_text("王建国")
    page.reload()  # the screening ran after the upload committed
    viewer = page.locator("#ecg-viewer")
    expect(viewer).to_have_attribute("data-loaded", "1")
    expect(page.locator(".ecg-flags li.bad").first).to_contain_text("疑似室性心动过速")
    expect(page.locator("body")).to_contain_text("已去除非心电通道“ABP”（单位 mmHg）")
    # two leads: two full-width strips, not a 3×4 sheet of empty panels
    expect(page.locator("[data-role=layout]")).to_have_value("12x1")
    expect(page.locator("[data-role=layout]")).to_be_disabled()
    box = page.locator("#ecg-viewer canvas").bounding_box()
    assert box["width"] <= 390
    assert box["height"] < 2.5 * 30 * 4  # two rows of paper, not four or more
    assert_fits(page, 390)
    shot(page, screenshot_dir, "ecg-clinic-result-390.png")
    assert not errors, errors


@pytest.mark.parametrize("width", [390, 1366])
def test_the_ecg_physician_reads_the_top_exam_and_signs_the_report(
    network, browser, live_server, login, screenshot_dir, frozen_clock, width
):
    contexts = []

    def new_page() -> Page:  # one browser context per person: their own session cookie
        context = browser.new_context(
            viewport={"width": width, "height": 844 if width == 390 else 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        frozen_clock.set_browser_clock(context)
        contexts.append(context)
        return context.new_page()

    doctor = new_page()
    login(doctor, live_server, "doc_a")
    upload(doctor, live_server, NORMAL_STRIP, "李秀英")
    upload(doctor, live_server, VT_RECORD, "王建国")

    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "ecg_1")
    page.goto(f"{live_server.url}/ecg/")
    assert page.url.endswith("/ecg/queue/"), page.url  # the physician's work is the queue
    first = page.locator("table.ecg-queue tbody tr").first
    expect(first).to_contain_text("王建国")  # the suspected VT before the normal strip
    expect(first).to_have_class("critical")
    assert_fits(page, width)
    shot(page, screenshot_dir, f"ecg-physician-queue-{width}.png")

    first.get_by_role("link").first.click()
    expect(page.locator("#ecg-viewer")).to_have_attribute("data-loaded", "1")
    assert_fits(page, width)
    page.get_by_role("button", name="认领阅片").click()
    form = page.locator("#report-form")
    expect(form).to_be_visible()
    form.locator("input[name=terms][value=c_vt]").check()
    form.locator("textarea[name=conclusion]").fill("短阵室性心动过速，建议立即复查并转诊。")
    form.get_by_role("button", name="提交报告").click()
    expect(page.locator("body")).to_contain_text("待审核")
    assert_fits(page, width)
    shot(page, screenshot_dir, f"ecg-physician-report-{width}.png")

    checker = new_page()
    login(checker, live_server, "ecg_2")
    checker.goto(page.url)
    checker.select_option("select[name=approve]", "1")
    checker.get_by_role("button", name="提交审核").click()
    expect(checker.locator("body")).to_contain_text("已发布")
    expect(checker.locator("#report-diagnosis")).to_contain_text("室性心动过速")
    # the critical-value loop opens: the clinic must be notified and acknowledge
    expect(checker.locator(".ecg-alert").first).to_contain_text("危急值")
    assert_fits(checker, width)
    shot(checker, screenshot_dir, f"ecg-physician-released-{width}.png")
    assert not errors, errors
    for context in contexts:
        context.close()
