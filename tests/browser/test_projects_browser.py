"""Key projects in a real browser (issue 16): the city's 专班 official on a 390 px phone opens
the lamp board, names a stage's owner, moves its planned end (the lamp goes from orange to
green), raises a blocker that becomes a case dispatched to the county's department, cannot
complete the stage while the blocker is open; the department's handler resolves the case on
a desktop; the stage then completes and the weekly 调度 report is downloaded (PDF and Excel).
The city's overview draws the projects on its map (the 重点项目 layer: G105 a dot, XS-01's
land a shape); the project unit's
account, at desktop width, sees only its own project and cannot move it.

The clock is frozen on Friday 4 Dec 2026, 10:00 Beijing time: the survey stage started on
Mon 2 Nov is due on Mon 16 Nov (10 working days), 14 working days late: orange."""

import datetime as dt
import importlib
import io
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.cases.choices import Status
from apps.core.testing.factories import make_place, make_user
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.places.choices import PlaceKind
from apps.projects.actions import do_register_project, do_start_stage
from apps.projects.models import Blocker, ProjectStage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


XIUSHUI = (114.0, 28.8, 114.8, 29.4)


def _box(x0, y0, x1, y1):
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def _register(actor, place, code, name, start, departments=()):
    return do_register_project(
        actor=actor,
        place=place,
        code=code,
        name=name,
        level="province",
        type="transport",
        investment_wan=Decimal("125000"),
        owner_unit="江西省交通投资集团",
        bureau="九江市自然资源局",
        land_agricultural_mu=Decimal("320"),
        land_farmland_mu=Decimal("150"),
        land_construction_mu=Decimal("80"),
        land_unused_mu=Decimal("12"),
        start_date=start,
        departments=list(departments),
    )


@pytest.fixture
def key_projects(frozen_clock, db):
    # Live-server tests flush the database: the default stages and the blocker category again.
    importlib.import_module("apps.projects.migrations.0002_default_stages").forward(
        django_apps, None
    )
    province = make_place(PlaceKind.PROVINCE, "江西省", code="360000000000")
    city = make_place(PlaceKind.CITY, "九江市", province, code="360400000000")
    wuning = make_place(PlaceKind.COUNTY, "武宁县", city, code="360423000000")
    xiushui = make_place(PlaceKind.COUNTY, "修水县", city, code="360424000000")
    dept = Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name="武宁县自然资源局", place=wuning
    )
    official = make_user("city_po", Role.PROJECT_OFFICIAL, city)
    unit = make_user("unit_g105", Role.PROJECT_UNIT, wuning)
    make_user("dept_h", Role.DEPT_HANDLER, wuning)
    g105 = _register(
        official, wuning, "G105-WN", "G105国道武宁段改建工程", dt.date(2026, 11, 2), [dept.pk]
    )
    g105.unit_accounts.add(unit)
    g105.lng, g105.lat = 115.06, 29.26  # 武宁县 at the Yangtze's south: on the overview map
    g105.save(update_fields=["lng", "lat"])
    other = _register(official, xiushui, "XS-01", "修水工业园道路", dt.date(2026, 11, 23))
    # The counties' outlines (the overview's map) and XS-01's land as a polygon, drawn as a shape.
    for county, (x0, y0, x1, y1) in ((wuning, (114.8, 29.0, 115.4, 29.5)), (xiushui, XIUSHUI)):
        county.geometry = _box(x0, y0, x1, y1)
        county.save(update_fields=["geometry"])
    other.geometry = _box(114.45, 28.95, 114.65, 29.15)
    other.save(update_fields=["geometry"])
    survey = g105.stages.get(template__code="survey")
    do_start_stage(actor=official, stage=survey, on_date=dt.date(2026, 11, 2))
    return {"g105": g105, "other": other, "survey": survey, "dept": dept, "city": city}


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def _lamp_count(page: Page, css: str) -> str:
    return page.locator(f"#lamp-counts a[data-lamp={css}] strong").inner_text().strip()


def test_the_official_moves_a_stage_raises_a_blocker_and_downloads_the_weekly_report(
    frozen_clock, page: Page, desktop_page: Page, live_server, login, key_projects, tmp_path
):
    g105, survey, dept = key_projects["g105"], key_projects["survey"], key_projects["dept"]
    page.set_default_timeout(60_000)
    desktop_page.set_default_timeout(60_000)
    login(page, live_server, "city_po")

    # The board of the city on a phone: both counties' projects, G105 orange (14 days late).
    page.goto(f"{live_server.url}/projects/?place={key_projects['city'].pk}")
    expect(page.locator("h1")).to_contain_text("九江市")
    row = page.locator("tr[data-project='G105-WN']")
    expect(row).to_contain_text("橙灯")
    expect(row).to_contain_text("逾期14个工作日")
    expect(page.locator("tr[data-project='XS-01']")).to_contain_text("绿灯")
    assert (_lamp_count(page, "orange"), _lamp_count(page, "green")) == ("1", "1")
    _no_sideways_scroll(page)

    # The project's page: name the survey stage's owner and team.
    row.get_by_role("link", name="G105国道武宁段改建工程").click()
    card = page.locator("#stage-survey")
    expect(card.locator("h2 .plamp")).to_have_text("橙灯")
    card.locator("summary", has_text="推进").click()
    card.locator("input[name=owner_name]").fill("李明")
    card.locator("input[name=team]").fill("G105用地保障专班")
    card.get_by_role("button", name="指定责任人").click()
    expect(page.locator("ul.messages")).to_contain_text("责任人已指定")
    card = page.locator("#stage-survey")
    expect(card).to_contain_text("责任人：李明")
    expect(card).to_contain_text("G105用地保障专班")

    # A planned end before the stage's planned start is refused, the reason beside the form.
    card.locator("summary", has_text="推进").click()
    card.locator("input[name=planned_end]").fill("2026-10-30")
    card.locator("form[action$='/replan/'] input[name=note]").fill("误填")
    card.get_by_role("button", name="调整计划").click()
    card = page.locator("#stage-survey")
    expect(card.locator(".form-errors")).to_contain_text("计划完成日期不能早于计划开始日期")

    # The 调度 meeting moves its planned end to Fri 11 Dec: not late any more, green.
    card.locator("input[name=planned_end]").fill("2026-12-11")
    card.locator("form[action$='/replan/'] input[name=note]").fill("调度会同意延期：林地调整")
    card.get_by_role("button", name="调整计划").click()
    card = page.locator("#stage-survey")
    expect(card).to_contain_text("2026-12-11")
    expect(card.locator("h2 .plamp")).to_have_text("绿灯")
    expect(page.locator("#project-lamp")).to_have_text("绿灯")
    expect(page.locator("#history")).to_contain_text("调度会同意延期：林地调整")

    # A blocker: a case dispatched to the county's department, with its deadline.
    card.locator("summary", has_text="登记卡点").click()
    card.locator("select[name=department]").select_option(label=dept.name)
    card.locator("input[name=title]").fill("红线内林地未完成调整")
    card.get_by_role("button", name="登记并派给责任部门").click()
    blocker = page.locator("#blockers .blocker")
    expect(blocker).to_contain_text("红线内林地未完成调整")
    expect(blocker).to_contain_text(dept.name)
    case = Blocker.objects.select_related("case").get(project=g105).case
    assert (case.status, case.department_id) == (Status.DISPATCHED, dept.pk)
    expect(blocker).to_contain_text(case.number)

    # The stage cannot complete while the blocker is open: refused, with the reason.
    card = page.locator("#stage-survey")
    if not card.locator("button", has_text="完成本阶段").is_visible():
        card.locator("summary", has_text="推进").click()
    card.get_by_role("button", name="完成本阶段").click()
    expect(page.locator("body")).to_contain_text("还有未解决的卡点")
    assert ProjectStage.objects.get(pk=survey.pk).status == "active"
    page.screenshot(path=str(tmp_path / "project-phone.png"), full_page=True)
    _no_sideways_scroll(page)

    # The department's handler, on a desktop, claims, starts and resolves the case.
    login(desktop_page, live_server, "dept_h")
    desktop_page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(desktop_page.locator("h1")).to_contain_text("红线内林地未完成调整")
    for action, status in (("claim", "已接单"), ("start", "办理中"), ("resolve", "已办结")):
        details = desktop_page.locator(f"details#{action}")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        if action == "resolve":
            details.locator("textarea[name=note]").fill("林地调整已批复")
        details.locator(f"button[name=submit-{action}]").click()
        expect(desktop_page.locator("h1")).to_contain_text(status)

    # Back on the phone: no open blocker; the stage completes today.
    page.goto(f"{live_server.url}/projects/{g105.pk}/")
    expect(page.locator("#no-blockers")).to_be_visible()
    card = page.locator("#stage-survey")
    card.locator("summary", has_text="推进").click()
    card.locator("form.stage-move input[name=on_date]").fill("2026-12-04")
    card.locator("form.stage-move input[name=note]").fill("摸排完毕")
    card.get_by_role("button", name="完成本阶段").click()
    card = page.locator("#stage-survey")
    expect(card).to_have_attribute("data-status", "done")
    expect(card).to_contain_text("实际完成 2026-12-04")

    # The weekly 调度 report of the city: generated on demand, downloaded as PDF and Excel.
    page.goto(f"{live_server.url}/projects/weekly/?place={key_projects['city'].pk}")
    with page.expect_navigation():  # the form posts, then comes back to this page
        page.get_by_role("button", name="生成本周周报").click()
    reports = page.locator("#weekly-reports")
    # generated in the background (the in-process runner: a PDF and a workbook, and on a busy
    # machine SQLite's lock can put the task back for 5 or 20 s): look again until it is in
    deadline = time.monotonic() + 120
    while "已生成" not in reports.inner_text() and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        page.reload()
    expect(reports).to_contain_text("已生成")
    with page.expect_download() as pdf:
        reports.get_by_role("link", name="PDF").first.click()
    assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"
    with page.expect_download() as xlsx:
        reports.get_by_role("link", name="Excel").first.click()
    book = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    changes = [r for r in book["本周变动"].iter_rows(min_row=2, values_only=True)]
    assert any(g105.name in r and "需求摸排" in r for r in changes), changes
    compare = {r[0]: r[1] for r in book["周环比"].iter_rows(min_row=2, values_only=True)}
    assert compare["完成阶段"] == 1 and compare["新增卡点"] == 1, compare

    # The city's overview, 重点项目 layer picked on the map: G105 is a point (green now).
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/stats/?place={key_projects['city'].pk}")
    expect(page.locator("section[data-programme='重点项目']")).to_be_visible()
    page.select_option("#layer", "projects")
    page.get_by_role("button", name="查看", exact=True).click()
    expect(page.locator("#layer-summary")).to_contain_text("2 个点")
    expect(page.locator("#chart-map canvas").first).to_be_visible()
    _no_sideways_scroll(page)
    # XS-01's land is a shape on the counties' map (a custom series, not a dot): hovering
    # inside it names the project and its lamp.
    page.locator("#chart-map").scroll_into_view_if_needed()
    drawn = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById("chart-map"));
          const option = chart.getOption();
          return {
            geo: option.geo.length,
            shapes: option.series.filter((s) => s.type === "custom")
              .map((s) => s.data.map((d) => d.name)),
            dots: option.series.filter((s) => s.type === "scatter")
              .map((s) => s.data.map((d) => d.name)),
            at: chart.convertToPixel({ geoIndex: 0 }, [114.55, 29.05]),
          };
        }"""
    )
    assert drawn["geo"] == 1, drawn
    assert drawn["shapes"] == [["修水工业园道路"]] and drawn["dots"] == [[g105.name]], drawn
    box = page.locator("#chart-map").bounding_box()
    inside = (box["x"] + drawn["at"][0], box["y"] + drawn["at"][1])
    page.mouse.move(*inside)
    expect(page.locator("#chart-map")).to_contain_text("修水工业园道路（绿灯）")
    assert errors == [], errors
    page.mouse.click(*inside)  # a click on the shape opens the project
    expect(page).to_have_url(f"{live_server.url}/projects/{key_projects['other'].pk}/")

    # The project unit, at desktop width: its own project only, and no buttons to move it.
    login(desktop_page, live_server, "unit_g105")
    desktop_page.goto(f"{live_server.url}/projects/")
    expect(desktop_page.locator("tr[data-project='G105-WN']")).to_be_visible()
    expect(desktop_page.locator("tr[data-project='XS-01']")).to_have_count(0)
    desktop_page.goto(f"{live_server.url}/projects/{g105.pk}/")
    expect(desktop_page.locator("#stage-survey")).to_have_attribute("data-status", "done")
    expect(desktop_page.get_by_role("button", name="完成本阶段")).to_have_count(0)
    expect(desktop_page.get_by_role("button", name="登记并派给责任部门")).to_have_count(0)
    approval = g105.stages.get(template__code="approval")
    refused = desktop_page.request.post(
        f"{live_server.url}/projects/stages/{approval.pk}/start/",
        headers={"X-CSRFToken": _csrf(desktop_page), "Referer": f"{live_server.url}/projects/"},
    )
    assert refused.status in (403, 422), refused.status
    assert ProjectStage.objects.get(pk=approval.pk).status == "pending"
    desktop_page.goto(f"{live_server.url}/projects/{key_projects['other'].pk}/")
    assert "修水工业园道路" not in desktop_page.locator("h1").all_inner_texts()


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
