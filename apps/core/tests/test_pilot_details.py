"""Issue 20, item 14 (the small things a pilot county saw): no language switch that
translates nothing; ISO dates in date inputs; a favicon served by the app; place paths with
a separator; status badges that do not wrap."""

import datetime as dt
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from apps.brands.forms import FundEntryForm

pytestmark = pytest.mark.django_db


def test_there_is_no_language_switch(client, world):
    client.force_login(world.user("community_a"))
    html = client.get("/cases/").content.decode()
    assert "set_language" not in html and 'name="language"' not in html
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans"]


def test_date_inputs_are_iso_under_the_chinese_locale():
    with translation.override("zh-hans"):
        widget = forms.DateInput(attrs={"type": "date"})
        assert widget.format_value(dt.date(2026, 12, 6)) == "2026-12-06"
        form = FundEntryForm(initial={"occurred_on": dt.date(2026, 12, 6)}, partners=[])
        assert 'value="2026-12-06"' in str(form["occurred_on"])
        bound = forms.DateField().clean("2026/12/06")  # the old format is still read
        assert bound == dt.date(2026, 12, 6)


def test_the_favicon_is_served_by_the_app(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.split("?")[0].endswith("gongzhi/favicon.ico")
    icon = Path(settings.BASE_DIR) / "static" / "gongzhi" / "favicon.ico"
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get(reverse("accounts:login")).content.decode()
    assert "gongzhi/favicon.ico" in html


def test_place_paths_have_a_separator(world):
    assert world.compound_a.full_name() == " ".join(
        [world.town.name, world.community_a.name, world.grid_a.name, world.compound_a.name]
    )


def test_status_badges_do_not_wrap():
    root = Path(settings.BASE_DIR)
    css = (root / "apps/cases/static/cases/cases.css").read_text()
    assert "white-space: nowrap" in css.split(".status {")[1].split("}")[0]
    css = (root / "static/gongzhi/gongzhi.css").read_text()
    assert "white-space: nowrap" in css.split(".tag {")[1].split("}")[0]
