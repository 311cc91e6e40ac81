"""The KPI page's mean response and handling times in words, never a raw timedelta."""

import datetime as dt
import re

import pytest

from apps.cases.templatetags.case_tags import duration
from apps.stats.rollups import rebuild

from .test_case_kpis import scramble


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.timedelta(days=1, hours=17, minutes=29, seconds=14.43), "1天17小时"),
        (dt.timedelta(days=2), "2天"),
        (dt.timedelta(hours=3, minutes=20), "3小时20分钟"),
        (dt.timedelta(hours=5), "5小时"),
        (dt.timedelta(minutes=45, seconds=59), "45分钟"),
        (dt.timedelta(seconds=30), "不到1分钟"),
        (None, ""),
    ],
)
def test_it_says_a_duration_in_words(value, text):
    assert duration(value) == text


@pytest.mark.django_db
def test_the_kpi_page_shows_the_mean_times_in_words(client, world):
    scramble(world, n=20)
    rebuild()
    client.force_login(world.user("town_staff"))
    html = client.get("/cases/kpis/", {"date_from": "2000-01-01"}).content.decode()
    start = html.index("平均响应 / 办理用时")
    card = html[start : html.index("</div></div>", start)]
    shown = re.findall(r'href="[^"]+">([^<]+)</a>', card)
    assert len(shown) == 2 and all(re.fullmatch(r"\d+(天|小时|分钟)\S*|—", s) for s in shown), shown
    assert "day" not in card and ":" not in "".join(shown)
