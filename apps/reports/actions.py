"""State changes of briefings: asking for one (生成简报), generating it, the month-end job."""

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.core import audit
from apps.core.tasks import enqueue
from apps.places.choices import PlaceKind
from apps.places.models import Place

from . import budget, content, render
from .choices import ReportKind, ReportStatus
from .models import Report
from .periods import period_of

log = logging.getLogger("gongzhi.reports")

# Areas a briefing is written for.
AREA_KINDS = {PlaceKind.COUNTY, PlaceKind.TOWN, PlaceKind.COMMUNITY}


def _check(place: Place, kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    if kind not in ReportKind.values:
        raise ValidationError("简报类型只能是月报或季报")
    if place.kind not in AREA_KINDS:
        raise ValidationError("只能为县、乡镇（街道）、社区（村）生成简报")
    start, end = period_of(kind, day)
    if start > timezone.localdate():
        raise ValidationError("不能为尚未开始的统计期生成简报")
    return start, end


def _queue(place: Place, kind: str, start: dt.date, end: dt.date, actor: User | None) -> Report:
    report, _ = Report.objects.select_for_update().get_or_create(
        place=place,
        kind=kind,
        period_start=start,
        defaults={"period_end": end, "requested_by": actor},
    )
    report.status = ReportStatus.PENDING
    report.error = ""
    report.period_end = end
    report.requested_by = actor
    report.save(update_fields=["status", "error", "period_end", "requested_by"])
    transaction.on_commit(lambda: enqueue("reports.generate", report.pk))
    return report


@transaction.atomic
def do_request_report(place: Place, kind: str, day: dt.date, *, actor: User) -> Report:
    """Ask for the briefing of `place` for the month or quarter containing `day`; it is
    generated in the background (asking again regenerates it)."""
    require(actor, Cap.REPORTS_REQUEST, place)
    start, end = _check(place, kind, day)
    report = _queue(place, kind, start, end, actor)
    audit.record(
        actor=actor,
        verb="reports.request",
        obj=report,
        changes={"kind": kind, "period_start": start.isoformat()},
    )
    return report


def generate(report_id: int) -> Report:
    """Write the report's PDF and Excel files (status running → done, or failed with the
    error). Runs in the background task; the figures are computed outside any lock."""
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("place").get(pk=report_id)
        if report.status == ReportStatus.RUNNING:
            return report
        cache.set(running_key(report_id), 1, report_max_seconds())  # the heartbeat
        report.status = ReportStatus.RUNNING
        report.save(update_fields=["status"])
    try:
        with budget.within(report_max_seconds()):
            briefing = content.build(
                report.place, report.kind, report.period_start, report.period_end, report.title
            )
            budget.check("统计数字之后")
            pdf = render.pdf_bytes(briefing)
            budget.check("生成 PDF 之后")
            xlsx = render.xlsx_bytes(briefing)
            html = render.html_bytes(briefing)
            budget.check("保存之前")
            return _store(report_id, pdf, xlsx, html)
    except Exception as exc:  # a full disk included: never leave the report "running"
        log.exception("report %s failed", report_id)
        _mark_failed(report, str(exc))
        report.refresh_from_db()
        return report
    finally:
        cache.delete(running_key(report_id))


def running_key(report_id: int) -> str:
    return f"reports:running:{report_id}"


def report_max_seconds() -> int:
    return int(settings.REPORT_MAX_SECONDS)


def _mark_failed(report: Report, error: str) -> None:
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error=error[:2000])
        audit.record(actor=None, verb="reports.failed", obj=report, changes={"error": error[:200]})


def do_fail_stale_reports() -> int:
    """Reports left "running" by a worker that died (no heartbeat for REPORT_MAX_SECONDS) are
    marked failed, so the page offers to generate them again."""
    failed = 0
    for report in Report.objects.filter(status=ReportStatus.RUNNING):
        if cache.get(running_key(report.pk)) is None:
            _mark_failed(report, "生成中断（后台进程退出或超时），请重新生成")
            failed += 1
    return failed


def _store(report_id: int, pdf: bytes, xlsx: bytes, html: bytes) -> Report:
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("place").get(pk=report_id)
        stem = f"{report.place.code}-{report.kind}-{report.period_start:%Y%m}"
        old = [f.name for f in (report.pdf, report.xlsx, report.html) if f and f.name]
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        report.html.save(f"{stem}.html", ContentFile(html), save=False)
        report.status = ReportStatus.DONE
        report.generated_at = timezone.now()
        report.error = ""
        report.save(update_fields=["pdf", "xlsx", "html", "status", "generated_at", "error"])
        audit.record(actor=None, verb="reports.generate", obj=report)
        storage = report.pdf.storage

        def remove_old_files() -> None:
            for name in old:
                if name not in (report.pdf.name, report.xlsx.name, report.html.name):
                    storage.delete(name)

        transaction.on_commit(remove_old_files)
    return report


def scheduled_areas() -> list[Place]:
    """The county and every town (乡镇街道): the areas briefed at each month and quarter end."""
    return list(Place.objects.filter(kind__in=[PlaceKind.COUNTY, PlaceKind.TOWN]).order_by("path"))


def do_schedule_period_end(today: dt.date | None = None) -> list[Report]:
    """Queue the briefings of the month (and quarter) that ended before `today` for every
    area of `scheduled_areas` that has none yet. Idempotent: run as often as you like."""
    today = today or timezone.localdate()
    made = []
    kinds = [ReportKind.MONTH]
    if today.month in (1, 4, 7, 10):
        kinds.append(ReportKind.QUARTER)
    for kind in kinds:
        start, end = period_of(kind, period_of(kind, today)[0] - dt.timedelta(days=1))
        have = set(
            Report.objects.filter(kind=kind, period_start=start).values_list("place_id", flat=True)
        )
        for place in scheduled_areas():
            if place.pk in have:
                continue
            with transaction.atomic():
                report = _queue(place, kind, start, end, None)
                audit.record(actor=None, verb="reports.schedule", obj=report)
            made.append(report)
    return made


@transaction.atomic
def do_record_download(report: Report, fmt: str, *, actor: User) -> None:
    """An export leaves a trace: who downloaded (or, `html`, read on the page) which briefing,
    in which format."""
    audit.record(actor=actor, verb="reports.download", obj=report, changes={"format": fmt})
