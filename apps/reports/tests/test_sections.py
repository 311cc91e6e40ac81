"""The briefing's indicators come in one section per programme (工作板块), in the order the
overview shows them; the demo county's briefing has figures under 林长制, 重点项目 and
村集体经济, in the PDF's body, the Excel sheet and on the page."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from apps.demo.generator import generate
from apps.places.choices import PlaceKind
from apps.places.models import Place
from apps.reports import content, render
from apps.reports.choices import ReportKind
from apps.stats.indicators import INDICATORS, PROGRAMMES, by_programme, programme_of

NEW = ("林长制", "重点项目", "村集体经济")


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        generate("tiny", 2026)
        yield Place.objects.get(kind=PlaceKind.COUNTY)


def test_every_indicator_has_one_programme_and_the_sections_keep_their_order():
    groups = by_programme(INDICATORS)
    names = [name for name, _ in groups]
    assert names[: len(PROGRAMMES)] == list(PROGRAMMES)
    codes = [i.code for _, items in groups for i in items]
    assert sorted(codes) == sorted(i.code for i in INDICATORS)  # each once
    sections = {name: {i.code for i in items} for name, items in groups}
    assert "forest_patrol_rate" in sections["林长制"]
    assert "projects_by_lamp" in sections["重点项目"]
    assert "collective_operating_income" in sections["村集体经济"]
    assert "ecg_exams" in sections["远程心电"]
    assert {"volunteers", "volunteer_hours"} <= sections["志愿服务"]
    assert {"cases_total", "resolution_rate"} <= sections["基层治理"]
    assert all(programme_of(i) in names for i in INDICATORS)


def test_the_demo_county_briefing_has_a_section_per_programme_with_figures(demo):
    today = dt.date(2026, 12, 4)
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        b = content.build(demo, ReportKind.MONTH, today.replace(day=1), today, "月度简报")
        html = render.html_bytes(b).decode()
        book = load_workbook(io.BytesIO(render.xlsx_bytes(b)))
    sections = dict(b.sections)
    for name in NEW:
        rows = sections[name]
        shown = [r for r in rows if r.value not in ("—", "0", "0.0", "0.0%")]
        assert shown, (name, [(r.name, r.value) for r in rows])
    road = {r.name: r.value for r in sections["重点项目"]}
    assert "绿灯" in road["重点项目亮灯"] or "红灯" in road["重点项目亮灯"], road
    sheet = [r for r in book["全部指标"].iter_rows(min_row=2, values_only=True)]
    assert {r[4] for r in sheet} >= set(NEW)
    assert [r[0] for r in sheet] == [r.name for _, rows in b.sections for r in rows]
    for name in NEW:
        assert f'data-programme="{name}"' in html
