"""Issue 14 item 5 for briefings: a briefing is never left "running" — a failure while saving
(a full disk) marks it failed, and one whose worker died is failed by the sweep; asking again
regenerates it."""

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache

from apps.reports.actions import do_fail_stale_reports, generate, running_key
from apps.reports.choices import ReportStatus
from apps.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def report(world, status=ReportStatus.PENDING) -> Report:
    return Report.objects.create(
        place=world.county,
        kind="month",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        status=status,
    )


def test_a_report_whose_worker_died_is_failed(world):
    stuck = report(world, ReportStatus.RUNNING)
    alive = Report.objects.create(
        place=world.town,
        kind="month",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        status=ReportStatus.RUNNING,
    )
    cache.set(running_key(alive.pk), 1, 60)
    assert do_fail_stale_reports() == 1
    stuck.refresh_from_db()
    alive.refresh_from_db()
    assert stuck.status == ReportStatus.FAILED
    assert stuck.error == "生成中断（后台进程退出或超时），请重新生成"
    assert alive.status == ReportStatus.RUNNING


def test_a_full_disk_fails_the_report_instead_of_leaving_it_running(world):
    pending = report(world)
    with mock.patch(
        "django.core.files.storage.FileSystemStorage._save",
        side_effect=OSError(28, "No space left on device"),
    ):
        result = generate(pending.pk)
    assert result.status == ReportStatus.FAILED
    assert "No space left on device" in result.error
    assert cache.get(running_key(pending.pk)) is None


def test_a_briefing_over_its_time_limit_stops_inside_generation(world, settings, monkeypatch):
    """Issue 14: the limit stops the generation itself, not only marks it failed afterwards —
    here the clock runs 100 s per indicator against a 900 s budget, and nothing is rendered."""
    from apps.reports import budget, render

    settings.REPORT_MAX_SECONDS = 900
    now = [0.0]

    def tick() -> float:
        now[0] += 100
        return now[0]

    monkeypatch.setattr(budget, "clock", tick)
    rendered = []
    monkeypatch.setattr(render, "pdf_bytes", lambda b: rendered.append(b) or b"")
    pending = report(world)
    result = generate(pending.pk)
    assert result.status == ReportStatus.FAILED
    assert "超过 900 秒的时限" in result.error and "指标" in result.error
    assert rendered == [] and not result.pdf
    assert cache.get(running_key(pending.pk)) is None


def test_a_briefing_within_its_time_limit_is_done(world, settings):
    settings.REPORT_MAX_SECONDS = 900
    assert generate(report(world).pk).status == ReportStatus.DONE
