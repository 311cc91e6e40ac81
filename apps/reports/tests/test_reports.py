"""Briefings end to end through HTTP: 生成简报 → background generation → PDF (CJK font
embedded, charts) and Excel (one sheet per section) in the archive; scope, roles, audit,
and the month/quarter-end schedule."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.cases.tests.helpers import make_case
from apps.core.models import AuditEvent
from apps.core.testing.pdf import inflated
from apps.reports.actions import do_schedule_period_end, generate
from apps.reports.choices import ReportKind, ReportStatus
from apps.reports.models import Report
from apps.reports.render import SHEETS
from apps.stats.indicators import INDICATORS, by_programme
from apps.stats.selectors import case_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def ask(client, world, who, place, kind="month", period=None):
    client.force_login(world.user(who))
    period = period or timezone.localdate().strftime("%Y-%m")
    return client.post(
        reverse("reports:request"), {"place": place.pk, "kind": kind, "period": period}
    )


class TestGenerate:
    def test_a_leader_asks_and_downloads_pdf_and_excel(
        self, client, world, django_capture_on_commit_callbacks
    ):
        for _ in range(3):
            make_case(world)
        make_case(world, place=world.household_b, actor=world.user("outsider_b"))
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(client, world, "county_leader", world.county)
        assert response.status_code == 302
        report = Report.objects.get()
        assert report.status == ReportStatus.DONE, report.error
        assert (
            report.title == f"{timezone.localdate().year}年{timezone.localdate().month}月工作简报"
        )
        assert AuditEvent.objects.filter(verb="reports.request", object_id=str(report.pk)).exists()

        page = client.get(reverse("reports:archive"))
        assert "生成简报" in page.content.decode()
        assert reverse("reports:download", args=[report.pk, "pdf"]) in page.content.decode()

        pdf = b"".join(client.get(reverse("reports:download", args=[report.pk, "pdf"])))
        assert pdf.startswith(b"%PDF")
        body = inflated(pdf)
        assert re.search(rb"/FontName\s*/[A-Z]{6}\+Noto-Sans-CJK-SC", body)
        assert b"/FontFile" in body  # embedded (a subset), not merely referenced
        assert AuditEvent.objects.filter(
            verb="reports.download", object_id=str(report.pk), changes__format="pdf"
        ).exists()

        response = client.get(reverse("reports:download", args=[report.pk, "xlsx"]))
        wb = load_workbook(io.BytesIO(b"".join(response)))
        assert wb.sheetnames == list(SHEETS)
        key = {r[0].value: r[1].value for r in wb["关键指标"].iter_rows(min_row=2) if r[0].value}
        start = timezone.localdate().replace(day=1)
        figures = case_figures(
            world.user("county_leader"), world.county, start, timezone.localdate()
        )
        assert key["事项总数"] == figures.total == 4  # a number, not text
        # every registered indicator, from every app, has its line
        names = [r[0].value for r in wb["全部指标"].iter_rows(min_row=2)]
        assert names == [i.name for _, group in by_programme(INDICATORS) for i in group]
        ranking = [r[0].value for r in wb["下级区域排名"].iter_rows(min_row=2)]
        assert ranking == [world.town.name]
        # the trend and the breakdowns carry native charts over their own cells
        trend = [(r[0].value, r[1].value) for r in wb["近12个月"].iter_rows(min_row=2)]
        assert len(trend) == 12 and trend[-1] == (f"{start:%Y-%m}", 4)
        for name in ("近12个月", "事项分类", "事项来源", "事项状态"):
            assert len(wb[name]._charts) == 1, name
        categories = sum(r[1].value for r in wb["事项分类"].iter_rows(min_row=2))
        assert categories == 4

    def test_a_quarterly_briefing_covers_the_quarter(
        self, client, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            ask(client, world, "town_staff", world.town, kind="quarter", period="2026-08")
        report = Report.objects.get()
        assert (report.period_start, report.period_end) == (
            dt.date(2026, 7, 1),
            dt.date(2026, 9, 30),
        )
        assert report.title == "2026年第3季度工作简报"
        assert report.status == ReportStatus.DONE

    def test_asking_again_regenerates_the_same_row(
        self, client, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            ask(client, world, "community_a", world.community_a)
            ask(client, world, "community_a", world.community_a)
        assert Report.objects.count() == 1
        assert Report.objects.get().status == ReportStatus.DONE


class TestRules:
    def test_a_volunteer_may_not_ask(self, client, world):
        response = ask(client, world, "volunteer_a", world.community_a)
        assert "您的角色不能生成简报" in client.get(response.url).content.decode()
        assert not Report.objects.exists()

    def test_an_area_outside_the_scope_is_404(self, client, world):
        assert ask(client, world, "outsider_b", world.community_a).status_code == 404

    def test_a_grid_is_not_briefed(self, client, world):
        response = ask(client, world, "county_leader", world.grid_a)
        assert (
            "只能为县、乡镇（街道）、社区（村）生成简报"
            in client.get(response.url).content.decode()
        )

    def test_an_outsider_cannot_download(self, client, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            ask(client, world, "community_a", world.community_a)
        report = Report.objects.get()
        client.force_login(world.user("outsider_b"))
        assert client.get(reverse("reports:download", args=[report.pk, "pdf"])).status_code == 404
        assert (
            str(report.pk)
            not in client.get(reverse("reports:archive")).content.decode().split("report-")[-1][:3]
            or not client.get(reverse("reports:archive")).context["page"].object_list
        )


class TestSchedule:
    def test_the_quarter_end_job_queues_county_and_towns_once(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            made = do_schedule_period_end(dt.date(2026, 10, 1))
        got = sorted((r.place.name, r.kind, r.period_start) for r in made)
        assert got == sorted(
            [
                (world.county.name, ReportKind.MONTH, dt.date(2026, 9, 1)),
                (world.town.name, ReportKind.MONTH, dt.date(2026, 9, 1)),
                (world.county.name, ReportKind.QUARTER, dt.date(2026, 7, 1)),
                (world.town.name, ReportKind.QUARTER, dt.date(2026, 7, 1)),
            ]
        )
        assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DONE}
        assert do_schedule_period_end(dt.date(2026, 10, 15)) == []
        assert AuditEvent.objects.filter(verb="reports.generate").count() == 4

    def test_a_mid_quarter_month_end_queues_months_only(self, world):
        made = do_schedule_period_end(dt.date(2026, 12, 1))
        assert {r.kind for r in made} == {ReportKind.MONTH}
        assert all(r.period_start == dt.date(2026, 11, 1) for r in made)

    def test_the_job_is_registered_as_periodic(self):
        from apps.core.tasks import periodic_jobs

        assert periodic_jobs()["reports.period_end"] == 3600

    def test_a_failure_is_recorded(self, world, monkeypatch):
        made = do_schedule_period_end(dt.date(2026, 12, 1))
        monkeypatch.setattr("apps.reports.render.pdf_bytes", lambda b: 1 / 0)
        report = generate(made[0].pk)
        assert report.status == ReportStatus.FAILED
        assert "division by zero" in report.error


def test_the_charts_are_svg_built_from_the_figures():
    from apps.reports import charts

    svg = charts.columns([("2026-01", 3), ("2026-02", 0), ("2026-03", 6)], "近12个月事项数")
    assert svg.startswith("<svg") and svg.count("<rect") == 3 and ">6</text>" in svg
    assert charts.bars([("a<b", 2)], "分类").count("a&lt;b") == 1
    assert charts.columns([], "空") == ""


def test_a_briefing_reads_on_the_page_as_generated(
    client, world, django_capture_on_commit_callbacks
):
    """在线查看: the body kept at generation, within the reader's scope, and traced like a
    download."""
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, world, "county_leader", world.county)
    report = Report.objects.get()
    archive = client.get(reverse("reports:archive")).content.decode()
    assert reverse("reports:view", args=[report.pk]) in archive
    page = client.get(reverse("reports:view", args=[report.pk])).content.decode()
    assert f"{world.county.name}{report.title}" in page
    assert "一、关键指标" in page and "五、全部指标" in page and "<svg" in page
    assert AuditEvent.objects.filter(
        verb="reports.download", object_id=str(report.pk), changes__format="html"
    ).exists()
    other = Client()
    other.force_login(world.user("outsider_b"))
    assert other.get(reverse("reports:view", args=[report.pk])).status_code == 404


def test_an_area_below_the_rollups_is_read_live_for_its_briefing(world):
    """A place the rollups do not answer for (below their cut — in the demo, a county under a
    city under a province made every community such a place) is read from the cases themselves,
    as the area would see them: the briefing's reader is not an account and is nobody's
    assignee. (Month-end briefings failed with a TypeError on such areas.)"""
    from apps.cases.rollups import exact_for
    from apps.reports.content import period_figures

    place = world.household_b
    assert not exact_for(place.path)
    make_case(world, place=place, actor=world.user("outsider_b"))
    today = timezone.localdate()
    figures = period_figures(place, today.replace(day=1), today)
    assert figures.total == 1
