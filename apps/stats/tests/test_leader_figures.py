"""The leader's figures agree with each other (issue 20, item 12), on a frozen Sunday
2026-12-06: 超期未办 on the card, the 红灯 list, the ranking and the briefing are the same cases
(open and past a deadline now, whenever registered); 较上月 compares 1–6 December with
1–6 November, not with the whole of November; the indicator page speaks to officials."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from apps.cases.models import Case
from apps.cases.tests.helpers import make_case
from apps.reports.content import build
from apps.reports.render import xlsx_bytes
from apps.stats.rollups import rebuild

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(world, day: dt.datetime, title: str, *, overdue: bool = False) -> Case:
    case = make_case(world, title=title)
    fields = {"created_at": day, "respond_by": day + dt.timedelta(hours=24)}
    fields["resolve_by"] = day + dt.timedelta(days=5 if overdue else 60)
    Case.objects.filter(pk=case.pk).update(**fields)
    return case


@pytest.fixture
def november_and_december(clock, world):
    """2 cases on 1–6 November, 5 later in November (3 of them overdue now), 3 in December."""
    for d in (2, 5):
        at(world, dt.datetime(2026, 11, d, 9, tzinfo=SHANGHAI), f"十一月初{d}")
    for d in (12, 15, 20):
        at(world, dt.datetime(2026, 11, d, 9, tzinfo=SHANGHAI), f"超期{d}", overdue=True)
    for d in (22, 25):
        at(world, dt.datetime(2026, 11, d, 9, tzinfo=SHANGHAI), f"十一月下旬{d}")
    for d in (1, 3, 5):
        at(world, dt.datetime(2026, 12, d, 9, tzinfo=SHANGHAI), f"十二月{d}")
    # the cases answered in time: only the three above are past a deadline now
    Case.objects.filter(title__startswith="十").update(responded_at=NOW - dt.timedelta(days=30))
    Case.objects.filter(title__startswith="十二月").update(responded_at=NOW)
    rebuild()


def figure(html: str, code: str) -> tuple[str, str]:
    block = html.split(f'id="figure-{code}"')[1].split('<div class="card figure"')[0]
    value = re.search(r'class="stat"[^>]*>([^<]+)<', block)
    note = re.findall(r'<div class="muted"[^>]*>([^<]*)</div>', block)
    assert value, block
    return value.group(1).strip(), note[-1].strip()


def test_overdue_is_one_figure_on_the_card_the_list_and_the_briefing(
    november_and_december, client, world
):
    client.force_login(world.user("county_leader"))
    html = client.get("/stats/", {"place": world.county.pk}).content.decode()
    value, note = figure(html, "overdue")
    assert (value, note) == ("3", "截至此刻")
    red = html.split('id="overdue"')[1].split("</ul>")[0]
    assert [t for t in ("超期12", "超期15", "超期20") if t in red] == ["超期12", "超期15", "超期20"]
    assert red.count("<li>") == 3
    assert "此刻共 3 件" in html

    briefing = build(
        world.county, "month", dt.date(2026, 12, 1), dt.date(2026, 12, 31), "12月工作简报"
    )
    key = {r.name: r for r in briefing.key_figures}
    assert key["超期未办"].value == "3" and briefing.overdue_total == 3
    assert [o["title"] for o in briefing.overdue] == ["超期12", "超期15", "超期20"]
    overdue_column = briefing.ranking_columns.index("超期未办")
    assert sum(r[overdue_column] for r in briefing.ranking) == 3

    # the Excel file holds numbers, rates as fractions shown as per cent (not text)
    wb = load_workbook(io.BytesIO(xlsx_bytes(briefing)))
    key_rows = {r[0].value: r[1] for r in wb["关键指标"].iter_rows(min_row=2) if r[0].value}
    assert key_rows["超期未办"].value == 3 and key_rows["事项总数"].value == 3
    rate = key_rows["办结率"]
    assert rate.value == 0 and rate.data_type == "n" and rate.number_format == "0.0%"
    [town] = list(wb["下级区域排名"].iter_rows(min_row=2))
    assert town[1].value == 3 and town[6].value == 3 and town[3].number_format == "0.0%"


def test_month_to_date_is_compared_with_the_same_days_of_last_month(
    november_and_december, client, world
):
    client.force_login(world.user("county_leader"))
    html = client.get("/stats/", {"place": world.county.pk}).content.decode()
    # December so far: 3 cases; 1–6 November: 2 (not all 7 of November)
    assert figure(html, "cases_total") == ("3", "较上月同期 +1")
    assert "本月12月1日至6日，对比上月11月1日至6日" in html

    briefing = build(
        world.county, "month", dt.date(2026, 12, 1), dt.date(2026, 12, 31), "12月工作简报"
    )
    assert briefing.previous_label == "较上月同期"
    assert (briefing.compare_start, briefing.compare_end) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 6),
    )
    assert {r.name: r.change for r in briefing.key_figures}["事项总数"] == "+1"

    # a finished month is compared with the whole month before
    html = client.get("/stats/", {"place": world.county.pk, "period": "2026-11"}).content.decode()
    assert figure(html, "cases_total") == ("7", "较上月 +7")
    november = build(
        world.county, "month", dt.date(2026, 11, 1), dt.date(2026, 11, 30), "11月工作简报"
    )
    assert november.previous_label == "较上月" and not november.same_days


def test_the_indicator_page_speaks_plain_chinese(client, world):
    client.force_login(world.user("county_leader"))
    html = client.get("/stats/indicators/").content.decode()
    assert "stats.CaseRollup" not in html and "cases.Case" not in html
    row = html.split('id="indicator-overdue"')[1].split("</tr>")[0]
    assert "不论哪天登记的都算" in row and "截至此刻" in row
    assert re.search(r"[a-z_]+\.[A-Z][A-Za-z]+", html.split('id="indicators"')[1]) is None
